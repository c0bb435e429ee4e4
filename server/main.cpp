#include "Logging.h"
#include "Server.h"
#include "SignalWatcher.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("messenger-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESSENGER_VERSION));

    QString error;
    auto config = Messenger::Server::Config::load(QCoreApplication::arguments(), &error);
    if (!config) {
        qCritical("configuration error: %s", qPrintable(error));
        return 2;
    }
    Messenger::Server::Logging::install(config->logLevel);

    Messenger::Server::Server server(*config);
    Messenger::Server::SignalWatcher signals;
    QObject::connect(&signals, &Messenger::Server::SignalWatcher::terminationRequested, &server,
        &Messenger::Server::Server::shutdown);
    if (!server.start(&error)) {
        qCritical("cannot start: %s", qPrintable(error));
        return 1;
    }
    return QCoreApplication::exec();
}
