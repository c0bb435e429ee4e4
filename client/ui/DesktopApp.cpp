#include "DesktopApp.h"

#include "Confirm.h"

#include "LoginDialog.h"
#include "MainWindow.h"
#include "SettingsDialog.h"
#include "TrayController.h"
#include "client/api/SessionStore.h"
#include "client/models/ClientSession.h"

#include <QApplication>
#include <QDialog>
#include <QLibraryInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {

LoginDialog::Field loginDialogField(ClientSession::Field field)
{
    switch (field) {
    case ClientSession::Field::None:
        break;
    case ClientSession::Field::Server:
        return LoginDialog::Field::Server;
    case ClientSession::Field::Name:
        return LoginDialog::Field::Name;
    case ClientSession::Field::Email:
        return LoginDialog::Field::Email;
    case ClientSession::Field::Password:
        return LoginDialog::Field::Password;
    }
    return LoginDialog::Field::None;
}

} // namespace

DesktopApp::DesktopApp(QObject *parent)
    : QObject(parent)
    , m_store(new SessionStore(this))
    , m_session(new ClientSession(m_store, this))
{
    connect(m_session, &ClientSession::restoreFinished, this, [this](bool signedIn) {
        if (signedIn)
            showMainWindow();
        else
            showLogin();
    });
    connect(m_session, &ClientSession::stateChanged, this, [this](ClientSession::State state) {
        if (state != ClientSession::State::SignedIn || !m_login)
            return;
        QSettings settings;
        settings.setValue(u"server/url"_s, m_session->serverUrl());
        settings.setValue(u"account/email"_s, m_session->currentUser().email);
        // Hidden, not rejected: rejecting the dialog quits the app.
        m_login->hide();
        m_login->deleteLater();
        showMainWindow();
    });
    connect(m_session, &ClientSession::signedOut, this, [this] {
        if (m_window) {
            m_window->close();
            m_window->deleteLater();
        }
        showLogin();
    });
}

DesktopApp::~DesktopApp()
{
    delete m_window;
    delete m_login;
}

void DesktopApp::start()
{
    m_session->restore();
}

void DesktopApp::installTranslations(const QString &language)
{
    static QTranslator *app = nullptr;
    static QTranslator *qt = nullptr;
    for (QTranslator **translator : { &app, &qt }) {
        if (*translator) {
            QCoreApplication::removeTranslator(*translator);
            delete *translator;
            *translator = nullptr;
        }
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);
    app = new QTranslator(qApp);
    // Languages without a translation get English, whose file carries the
    // plural forms ("1 member", "3 members").
    if (app->load(locale, u"messenger"_s, u"_"_s, u":/i18n"_s)
        || app->load(u"messenger_en"_s, u":/i18n"_s))
        QCoreApplication::installTranslator(app);
    qt = new QTranslator(qApp);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

void DesktopApp::bringToFront()
{
    if (m_window) {
        m_window->tray()->showWindow();
    } else if (m_login) {
        m_login->show();
        m_login->raise();
        m_login->activateWindow();
    }
}

void DesktopApp::showLogin()
{
    if (!m_login) {
        m_login = new LoginDialog;
        m_login->setAttribute(Qt::WA_DeleteOnClose);
        QSettings settings;
        m_login->setServerUrl(settings.value(u"server/url"_s).toString());
        m_login->setEmail(settings.value(u"account/email"_s).toString());
        connect(m_login, &LoginDialog::signInRequested, this,
            [this](const QString &url, const QString &email, const QString &password) {
                m_login->setBusy(true);
                m_session->signIn(url, email, password);
            });
        connect(m_login, &LoginDialog::registerRequested, this,
            [this](const QString &url, const QString &name, const QString &email,
                const QString &password) {
                m_login->setBusy(true);
                m_session->registerAccount(url, name, email, password);
            });
        connect(m_login, &LoginDialog::cancelRequested, m_session, &ClientSession::cancelSignIn);
        connect(m_session, &ClientSession::signInFailed, m_login,
            [this](ClientSession::Field field, const QString &message) {
                m_login->setBusy(false);
                m_login->showError(loginDialogField(field), message);
            });
        connect(m_login, &QDialog::rejected, qApp, [this] {
            if (m_session->state() != ClientSession::State::SignedIn)
                QCoreApplication::quit();
        });
    }
    m_login->show();
    m_login->raise();
    m_login->activateWindow();
}

void DesktopApp::showMainWindow()
{
    if (m_window)
        return;
    m_window = new MainWindow(m_session);
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_window, &MainWindow::signOutRequested, this, &DesktopApp::confirmSignOut);
    connect(m_window, &MainWindow::settingsRequested, this, &DesktopApp::showSettings);
    connect(m_window, &MainWindow::quitRequested, qApp, &QCoreApplication::quit);
    m_window->show();
}

void DesktopApp::confirmSignOut()
{
    if (!m_window || m_signOutConfirmation)
        return;
    m_signOutConfirmation = confirmAction(
        m_window, tr("Sign Out"), tr("Sign out of Messenger on this computer?"), tr("Sign Out"),
        [this] { m_session->signOut(); },
        tr("You will need your email and password to sign in again."));
}

void DesktopApp::showSettings()
{
    SettingsDialog dialog(m_session, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    TrayController::setCloseToTraySetting(dialog.keepsRunningInTray());
    const QString chosen = dialog.chosenLanguage();
    QSettings settings;
    if (chosen == settings.value(u"ui/language"_s).toString())
        return;
    settings.setValue(u"ui/language"_s, chosen);
    // A restart rather than retranslating every widget in place: the session
    // and its chats come back as they were, and every string (the models' too)
    // is in the new language, none left over from the old one.
    QMessageBox prompt(QMessageBox::Question, tr("Language"),
        tr("The new language applies when Messenger starts again. Restart now?"),
        QMessageBox::NoButton, m_window);
    QPushButton *restart = prompt.addButton(tr("Restart Now"), QMessageBox::AcceptRole);
    prompt.addButton(tr("Later"), QMessageBox::RejectRole);
    prompt.setDefaultButton(restart);
    prompt.exec();
    if (prompt.clickedButton() != restart)
        return;
    Q_EMIT restartRequested();
    QCoreApplication::quit();
}

} // namespace Messenger::Client
