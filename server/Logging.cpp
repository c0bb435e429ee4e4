#include "Logging.h"

#include "shared/Json.h"

#include <QLoggingCategory>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Messenger::Server::Logging {

namespace {

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static constexpr const char *names[] = { "DEBUG", "WARNING", "CRITICAL", "FATAL", "INFO" };
    const QByteArray line = formatTimestamp(currentTimestamp()).toUtf8() + ' '
        + names[qBound(0, int(type), 4)] + ' ' + (context.category ? context.category : "default")
        + ": " + message.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

void install(const QString &level)
{
    qInstallMessageHandler(writeLine);
    QString rules = u"*.debug=false\nqt.*.info=false\n"_s;
    if (level == u"debug"_s)
        rules = u"messenger.*.debug=true\n"_s;
    else if (level == u"warning"_s)
        rules += u"*.info=false\n"_s;
    else if (level == u"error"_s)
        rules += u"*.info=false\n*.warning=false\n"_s;
    QLoggingCategory::setFilterRules(rules);
}

} // namespace Messenger::Server::Logging
