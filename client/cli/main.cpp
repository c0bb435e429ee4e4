#include "client/cli/CliApp.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#include <csignal>
#include <cstdlib>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The library's own log lines are for debugging; a command prints what
    // went wrong itself. QT_LOGGING_RULES brings them back.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("messenger.*=false"));
    QCoreApplication::setOrganizationName(QStringLiteral("Messenger"));
    QCoreApplication::setApplicationName(QStringLiteral("messenger-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESSENGER_VERSION));
    // Ctrl+C (and SIGTERM) end `listen` with exit code 0; every line printed
    // so far was flushed with it, so there is nothing to tidy up.
    for (int signal : { SIGINT, SIGTERM })
        std::signal(signal, [](int) { std::_Exit(0); });
    Messenger::Client::CliApp cli;
    QObject::connect(&cli, &Messenger::Client::CliApp::finished, &app, &QCoreApplication::exit,
        Qt::QueuedConnection);
    QTimer::singleShot(0, &cli, [&cli, &app] { cli.start(app.arguments()); });
    return app.exec();
}
