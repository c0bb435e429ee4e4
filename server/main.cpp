#include "Logging.h"
#include "MemoryAllocator.h"
#include "Server.h"
#include "SignalWatcher.h"
#include "admin/AdminCommands.h"
#include "eventloop/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QScopeGuard>
#include <QTextStream>

using Messenger::Server::ExitCode;

namespace {

// PID_FILE, written whole (QSaveFile renames it into place) so a reader such
// as logrotate's postrotate never sees half a number.
bool writePidFile(const QString &path, QString *error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QByteArray::number(QCoreApplication::applicationPid()) + '\n') < 0
        || !file.commit()) {
        *error = QStringLiteral("cannot write PID_FILE %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    Messenger::Server::MemoryAllocator::tuneForServing();
    // Before QCoreApplication, which otherwise installs Qt's own dispatcher.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (Messenger::Server::Config::eventDispatcherBeforeStart(arguments) == QLatin1String("epoll"))
        QCoreApplication::setEventDispatcher(new Messenger::Server::EpollEventDispatcher);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("messenger-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESSENGER_VERSION));

    if (Messenger::Server::AdminCommands::isAdminCommand(QCoreApplication::arguments())) {
        QTextStream out(stdout), err(stderr), in(stdin);
        return Messenger::Server::AdminCommands(out, err, in).run(QCoreApplication::arguments());
    }

    QString error;
    auto config = Messenger::Server::Config::load(QCoreApplication::arguments(), &error);
    if (!config) {
        qCritical("configuration error: %s", qPrintable(error));
        return int(ExitCode::ConfigurationInvalid);
    }
    if (!Messenger::Server::Logging::install(
            config->logLevel, config->logFormat, config->logFile, &error)) {
        qCritical("configuration error: %s", qPrintable(error));
        return int(ExitCode::ConfigurationInvalid);
    }
    if (config->checkOnly)
        return int(Messenger::Server::Server::checkConfiguration(*config));

    Messenger::Server::Server server(*config);
    Messenger::Server::SignalWatcher signals;
    QObject::connect(&signals, &Messenger::Server::SignalWatcher::terminationRequested, &server,
        &Messenger::Server::Server::shutdown);
    QObject::connect(&signals, &Messenger::Server::SignalWatcher::reopenLogsRequested,
        &Messenger::Server::Logging::reopen);
    if (!server.start(&error)) {
        qCritical("cannot start: %s", qPrintable(error));
        return int(server.failure());
    }
    // Written once listening, so its presence means the server answers.
    if (!config->pidFile.isEmpty() && !writePidFile(config->pidFile, &error)) {
        qCritical("cannot start: %s", qPrintable(error));
        return int(ExitCode::CannotStart);
    }
    const auto removePidFile = qScopeGuard([&config] {
        if (!config->pidFile.isEmpty())
            QFile::remove(config->pidFile);
    });
    return QCoreApplication::exec();
}
