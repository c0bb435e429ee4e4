#include "StartupReport.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/SingleInstance.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QIcon>
#include <QProcess>
#include <QSettings>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    // Before anything else: the startup report (bench_client) counts from here.
    QElapsedTimer sinceMain;
    sinceMain.start();
    Q_INIT_RESOURCE(client); // the icons live in the static ui library
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"Messenger"_s);
    QApplication::setApplicationName(u"Messenger"_s);
    // No applicationDisplayName: on X11 Qt appends it to every window title,
    // which made the main window "Messenger (7) — Messenger". Titles name
    // the app themselves where they should.
    QApplication::setWindowIcon(QIcon(u":/icons/messenger.svg"_s));
    // The installed messenger-desktop.desktop (packaging/): Wayland compositors and
    // notification daemons take the app's name and icon from it.
    QApplication::setDesktopFileName(u"messenger-desktop"_s);
    Messenger::Client::DesktopApp::installTranslations(
        QSettings().value(u"ui/language"_s).toString());
    Messenger::Client::SingleInstance instance;
    if (!instance.claim())
        return 0; // the running one shows its window instead
    int status = 0;
    bool restart = false;
    {
        Messenger::Client::DesktopApp desktop;
        QObject::connect(&instance, &Messenger::Client::SingleInstance::activationRequested,
            &desktop, &Messenger::Client::DesktopApp::bringToFront);
        QObject::connect(&desktop, &Messenger::Client::DesktopApp::restartRequested,
            [&restart] { restart = true; });
        const auto report = Messenger::Client::StartupReport::fromEnvironment(sinceMain, &desktop);
        desktop.start();
        status = app.exec();
    }
    // After the session and its files are closed, so the new instance never
    // shares them with this one.
    instance.release();
    if (restart)
        QProcess::startDetached(
            QCoreApplication::applicationFilePath(), QCoreApplication::arguments().mid(1));
    return status;
}
