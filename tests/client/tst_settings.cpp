#include "ClientTestSupport.h"
#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "WsClient.h"
#include "client/api/ApiClient.h"
#include "client/models/ClientSession.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/LoginDialog.h"
#include "client/ui/MainWindow.h"
#include "client/ui/SessionsPanel.h"
#include "client/ui/SettingsDialog.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Settings → Profile and signing out, driven through the widgets offscreen
// against a real server.
class TestSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void renameFromSettings();
    void wrongCurrentPasswordIsShownInline();
    void passwordChangeSignsOutTheOtherDevices();
    void signOutAllOtherDevices();
    void signOutAsksFirst();

private:
    // Another device of `account`: a session of its own, as a phone's.
    HttpClient::Account otherDevice(const HttpClient::Account &account)
    {
        const Reply login = login_(account.email, account.password);
        HttpClient::Account device = account;
        device.token = login.object().value(u"access_token"_s).toString();
        device.refreshToken = login.object().value(u"refresh_token"_s).toString();
        return device;
    }
    Reply login_(const QString &email, const QString &password)
    {
        return m_http->post(
            u"/api/v1/auth/token"_s, { { u"email"_s, email }, { u"password"_s, password } });
    }
    Reply refresh(const QString &refreshToken)
    {
        return m_http->post(u"/api/v1/auth/refresh"_s, { { u"refresh_token"_s, refreshToken } });
    }
    static void typeInto(QLineEdit *edit, const QString &text)
    {
        edit->clear();
        QTest::keyClicks(edit, text);
    }
    static QString translated(const char *context, const char *text)
    {
        return QCoreApplication::translate(context, text);
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestSettings::initTestCase()
{
    prepareDesktopTestCase(u"tst_settings"_s, u"en"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    resetClientState(m_server); // a clean start every run: no remembered server, session or layout
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestSettings::renameFromSettings()
{
    const auto ann = m_http->newUser(u"Ann Profile"_s);
    const auto bob = m_http->newUser(u"Bob Profile"_s);
    const QString chatId = m_http->personalChat(bob.token, ann.id);
    auto session = signedInSession(m_server, ann);
    SettingsDialog dialog(session.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.nameEdit()->text(), u"Ann Profile"_s);
    QVERIFY(!dialog.saveNameButton()->isEnabled()); // nothing changed yet

    // An empty name is refused here, without asking the server.
    dialog.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    dialog.nameEdit()->setFocus();
    dialog.nameEdit()->clear();
    QTest::keyClick(dialog.nameEdit(), Qt::Key_Return);
    QVERIFY(dialog.isVisible()); // Enter in a field never closes the dialog
    QVERIFY(dialog.nameStatus()->isVisible());
    QCOMPARE(dialog.nameStatus()->text(),
        translated("Messenger::Client::SettingsDialog", "Enter a name."));

    QSignalSpy saved(&dialog, &SettingsDialog::nameSaved);
    QSignalSpy userChanged(session.get(), &ClientSession::currentUserChanged);
    typeInto(dialog.nameEdit(), u"Ann Renamed "_s);
    QVERIFY(dialog.saveNameButton()->isEnabled());
    QTest::mouseClick(dialog.saveNameButton(), Qt::LeftButton);
    QVERIFY(saved.wait(10000));
    QCOMPARE(saved.first().first().toBool(), true);
    QCOMPARE(userChanged.size(), 1);
    QCOMPARE(session->currentUser().name, u"Ann Renamed"_s);
    QVERIFY2(dialog.accountLabel()->text().contains(u"Ann Renamed"_s),
        qPrintable(dialog.accountLabel()->text()));
    QCOMPARE(
        dialog.nameStatus()->text(), translated("Messenger::Client::SettingsDialog", "Saved."));
    QVERIFY(!dialog.saveNameButton()->isEnabled());

    // The server has it, and Bob sees it in their chat.
    QCOMPARE(m_http->get(u"/api/v1/users/me"_s, ann.token).object().value(u"name"_s).toString(),
        u"Ann Renamed"_s);
    bool bobSeesIt = false;
    for (const QJsonValue &member :
        m_http->get(u"/api/v1/chats/"_s + chatId, bob.token).object().value(u"members"_s).toArray())
        bobSeesIt = bobSeesIt || member.toObject().value(u"name"_s).toString() == u"Ann Renamed"_s;
    QVERIFY(bobSeesIt);
}

void TestSettings::wrongCurrentPasswordIsShownInline()
{
    const auto ann = m_http->newUser(u"Ann Wrong"_s);
    const auto phone = otherDevice(ann);
    auto session = signedInSession(m_server, ann);
    SettingsDialog dialog(session.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy changed(&dialog, &SettingsDialog::passwordChanged);

    // Two new passwords that differ: said here, nothing is sent.
    typeInto(dialog.currentPasswordEdit(), ann.password);
    typeInto(dialog.newPasswordEdit(), u"new password 1"_s);
    typeInto(dialog.repeatPasswordEdit(), u"new password 2"_s);
    QTest::mouseClick(dialog.changePasswordButton(), Qt::LeftButton);
    QVERIFY(dialog.passwordStatus()->isVisible());
    QCOMPARE(dialog.passwordStatus()->text(),
        translated("Messenger::Client::SettingsDialog", "The new passwords do not match."));
    QCOMPARE(changed.size(), 0);

    typeInto(dialog.currentPasswordEdit(), u"not my password"_s);
    typeInto(dialog.repeatPasswordEdit(), u"new password 1"_s);
    QVERIFY(!dialog.passwordStatus()->isVisible()); // editing clears the old error
    QTest::mouseClick(dialog.changePasswordButton(), Qt::LeftButton);
    QVERIFY(changed.wait(10000));
    QCOMPARE(changed.first().first().toBool(), false);
    QVERIFY(dialog.passwordStatus()->isVisible());
    QCOMPARE(dialog.passwordStatus()->text(),
        translated("Messenger::Client::SettingsDialog", "The current password is incorrect."));

    // Nothing changed: the old password works, the phone is still signed in,
    // and so is this session.
    COMPARE_STATUS(login_(ann.email, ann.password), 200);
    COMPARE_STATUS(login_(ann.email, u"new password 1"_s), 401);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, phone.token), 200);
    QCOMPARE(session->state(), ClientSession::State::SignedIn);
}

void TestSettings::passwordChangeSignsOutTheOtherDevices()
{
    const auto ann = m_http->newUser(u"Ann Password"_s);
    const auto phone = otherDevice(ann);
    WsClient phoneSocket(m_server.webSocketUrl(u"/ws/user"_s, phone.token));
    QVERIFY(phoneSocket.greeted());
    auto session = signedInSession(m_server, ann);
    SettingsDialog dialog(session.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy changed(&dialog, &SettingsDialog::passwordChanged);

    const QString newPassword = u"a much better password"_s;
    typeInto(dialog.currentPasswordEdit(), ann.password);
    typeInto(dialog.newPasswordEdit(), newPassword);
    typeInto(dialog.repeatPasswordEdit(), newPassword);
    dialog.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    dialog.repeatPasswordEdit()->setFocus();
    QTest::keyClick(dialog.repeatPasswordEdit(), Qt::Key_Return); // as the button does
    QVERIFY(changed.wait(10000));
    QCOMPARE(changed.first().first().toBool(), true);
    QCOMPARE(dialog.passwordStatus()->text(),
        translated("Messenger::Client::SettingsDialog",
            "Password changed. Your other devices were signed out."));
    QVERIFY(dialog.currentPasswordEdit()->text().isEmpty());

    // The phone is signed out; this device is not.
    QTRY_COMPARE_WITH_TIMEOUT(phoneSocket.closeCode, 4003, 5000);
    COMPARE_STATUS(refresh(phone.refreshToken), 401);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, phone.token), 401);
    VERIFY_OK(await(session->api()->me()));
    QCOMPARE(session->state(), ClientSession::State::SignedIn);
    COMPARE_STATUS(login_(ann.email, ann.password), 401);
    COMPARE_STATUS(login_(ann.email, newPassword), 200);
}

void TestSettings::signOutAllOtherDevices()
{
    const auto ann = m_http->newUser(u"Ann Others"_s);
    const auto phone = otherDevice(ann);
    auto session = signedInSession(m_server, ann);
    SettingsDialog dialog(session.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy loaded(dialog.sessionsPanel(), &SessionsPanel::loaded);
    QTRY_COMPARE_WITH_TIMEOUT(dialog.sessionsPanel()->sessionCount(), 3, 10000);
    loaded.clear();

    QSignalSpy ended(&dialog, &SettingsDialog::otherDevicesSignedOut);
    QTest::mouseClick(dialog.signOutOthersButton(), Qt::LeftButton);
    QVERIFY(ended.wait(10000));
    QCOMPARE(ended.first().first().toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 10000);
    QCOMPARE(dialog.sessionsPanel()->sessionCount(), 1);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, phone.token), 401);
    COMPARE_STATUS(m_http->get(u"/api/v1/users/me"_s, ann.token), 401); // newUser's login
    VERIFY_OK(await(session->api()->me()));
}

// "Sign Out" asks first: Cancel keeps the session, "Sign Out" ends it.
void TestSettings::signOutAsksFirst()
{
    const auto ann = m_http->newUser(u"Ann Leaving"_s);
    DesktopApp app;
    app.start();
    QTRY_VERIFY_WITH_TIMEOUT(app.loginDialog() && app.loginDialog()->isVisible(), 10000);
    LoginDialog *login = app.loginDialog();
    auto *server = login->findChild<QLineEdit *>(u"server"_s);
    server->clear();
    QTest::keyClicks(server, m_server.url(u""_s).toString());
    typeInto(login->findChild<QLineEdit *>(u"email"_s), ann.email);
    typeInto(login->findChild<QLineEdit *>(u"password"_s), ann.password);
    QTest::mouseClick(login->findChild<QPushButton *>(u"submit"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() && app.mainWindow()->isVisible(), 10000);
    const QString refreshToken = app.session()->api()->refreshToken();
    QVERIFY(!refreshToken.isEmpty());

    QAction *signOut = nullptr;
    for (QAction *action : app.mainWindow()->findChildren<QAction *>()) {
        if (action->text() == translated("Messenger::Client::MainWindow", "Sign Out"))
            signOut = action;
    }
    QVERIFY(signOut);

    signOut->trigger();
    QTRY_VERIFY(app.signOutConfirmation() && app.signOutConfirmation()->isVisible());
    QMessageBox *question = app.signOutConfirmation();
    QAbstractButton *cancel = question->button(QMessageBox::Cancel);
    QVERIFY(cancel);
    QCOMPARE(question->defaultButton(), cancel);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY(!app.signOutConfirmation());
    QCOMPARE(app.session()->state(), ClientSession::State::SignedIn);
    QVERIFY(app.mainWindow() && app.mainWindow()->isVisible());
    VERIFY_OK(await(app.session()->api()->me()));

    signOut->trigger();
    QTRY_VERIFY(app.signOutConfirmation() && app.signOutConfirmation()->isVisible());
    QAbstractButton *confirm = nullptr;
    for (QAbstractButton *button : app.signOutConfirmation()->buttons()) {
        if (app.signOutConfirmation()->buttonRole(button) == QMessageBox::AcceptRole)
            confirm = button;
    }
    QVERIFY(confirm);
    QCOMPARE(confirm->text(), translated("Messenger::Client::DesktopApp", "Sign Out"));
    QTest::mouseClick(confirm, Qt::LeftButton);
    QTRY_COMPARE(app.session()->state(), ClientSession::State::SignedOut);
    QTRY_VERIFY_WITH_TIMEOUT(app.loginDialog() && app.loginDialog()->isVisible(), 10000);
    // The server forgot the session too (what is left is newUser's login).
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http->get(u"/api/v1/sessions"_s, ann.token).json.array().size(), 1, 10000);
    COMPARE_STATUS(refresh(refreshToken), 401);
}

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
