#include "Logging.h"

#include "shared/Json.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Messenger::Server::Logging {

namespace {

struct Sink
{
    QMutex mutex; // messages come from every thread
    bool json = false;
    QString path;
    std::FILE *file = nullptr; // null: stderr
};

Sink &sink()
{
    static Sink instance;
    return instance;
}

QString masked(const QString &message)
{
    static const QRegularExpression secrets(
        uR"((token=|refresh_token"?\s*[:=]\s*"?|password"?\s*[:=]\s*"?|Bearer\s+)[^\s&"',}]+)"_s,
        QRegularExpression::CaseInsensitiveOption);
    QString result = message;
    return result.replace(secrets, u"\\1***"_s);
}

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static constexpr const char *names[] = { "DEBUG", "WARNING", "CRITICAL", "FATAL", "INFO" };
    const char *level = names[qBound(0, int(type), 4)];
    const char *category = context.category ? context.category : "default";
    const QString time = formatTimestamp(currentTimestamp());
    Sink &out = sink();
    const QMutexLocker lock(&out.mutex);
    QByteArray line;
    if (out.json) {
        line = QJsonDocument(
            QJsonObject { { u"time"_s, time }, { u"level"_s, QString::fromLatin1(level).toLower() },
                { u"category"_s, QString::fromLatin1(category) },
                { u"message"_s, masked(message) } })
                   .toJson(QJsonDocument::Compact);
    } else {
        line = time.toUtf8() + ' ' + level + ' ' + category + ": " + masked(message).toUtf8();
    }
    line += '\n';
    std::FILE *target = out.file ? out.file : stderr;
    std::fwrite(line.constData(), 1, size_t(line.size()), target);
    std::fflush(target);
}

bool openFile(Sink &out, QString *error)
{
    std::FILE *file = std::fopen(QFile::encodeName(out.path).constData(), "a");
    if (!file) {
        if (error)
            *error = u"cannot open log file "_s + out.path;
        return false;
    }
    if (out.file)
        std::fclose(out.file);
    out.file = file;
    return true;
}

} // namespace

bool install(const QString &level, const QString &format, const QString &file, QString *error)
{
    Sink &out = sink();
    {
        const QMutexLocker lock(&out.mutex);
        out.json = format == u"json"_s;
        out.path = file;
        if (!file.isEmpty() && !openFile(out, error))
            return false;
    }
    qInstallMessageHandler(writeLine);
    QString rules = u"*.debug=false\nqt.*.info=false\n"_s;
    if (level == u"debug"_s)
        rules = u"messenger.*.debug=true\n"_s;
    else if (level == u"warning"_s)
        rules += u"*.info=false\n"_s;
    else if (level == u"error"_s)
        rules += u"*.info=false\n*.warning=false\n"_s;
    QLoggingCategory::setFilterRules(rules);
    return true;
}

void reopen()
{
    Sink &out = sink();
    const QMutexLocker lock(&out.mutex);
    if (!out.path.isEmpty())
        openFile(out, nullptr); // on failure the old file stays in use
}

} // namespace Messenger::Server::Logging
