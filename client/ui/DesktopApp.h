#pragma once

#include "LoginDialog.h"
#include "MainWindow.h"

#include <QMessageBox>
#include <QObject>
#include <QPointer>
#include <QTranslator>

namespace Messenger::Client {

class ClientSession;
class SessionStore;

// The desktop app's flow: restore the remembered session or show the login
// dialog, then the main window; back to the login dialog after signing out.
// Also owns the UI language (system locale by default, switchable in settings).
class DesktopApp : public QObject
{
    Q_OBJECT
public:
    explicit DesktopApp(QObject *parent = nullptr);
    ~DesktopApp() override;

    void start();
    // Shows the main window (or the sign-in dialog) in front, restored if
    // minimised or hidden in the tray: another start of the app asked.
    void bringToFront();
    ClientSession *session() const { return m_session; }
    LoginDialog *loginDialog() const { return m_login; }
    MainWindow *mainWindow() const { return m_window; }
    // The question "Sign Out" asks before signing out, while it is shown.
    QMessageBox *signOutConfirmation() const { return m_signOutConfirmation; }

    // "" follows the system; otherwise a language code such as "ru" or "en".
    static void installTranslations(const QString &language);

Q_SIGNALS:
    // The user chose to restart now (a new language): main() starts the app
    // again once this one's event loop has ended and its files are closed.
    void restartRequested();

private:
    void showLogin();
    void showMainWindow();
    void showSettings();
    // Asks first; only "Sign Out" signs out, Cancel keeps the session.
    void confirmSignOut();

    SessionStore *m_store;
    ClientSession *m_session;
    QPointer<LoginDialog> m_login;
    QPointer<MainWindow> m_window;
    QPointer<QMessageBox> m_signOutConfirmation;
};

} // namespace Messenger::Client
