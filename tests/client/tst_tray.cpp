#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/LoginDialog.h"
#include "client/ui/MainWindow.h"
#include "client/ui/SettingsDialog.h"
#include "client/ui/TrayController.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// The tray icon, notifications, close-to-tray and the language switch, driven
// offscreen against a real server. Offscreen has no system tray: the windows
// here are built with the tray's availability given, and the test emits the
// signals of the real QSystemTrayIcon a click on the tray would emit.
class TestTray : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void notificationClickOpensItsChat();
    void trayShowsTheUnreadCount();
    void muteSuppressesNotifications();
    void noNotificationForTheOpenChatInTheActiveWindow();
    void missedMessagesNotifyOncePerChatWhenBack();
    void closingHidesToTheTrayAndTheTrayReopens();
    void closingWithoutTrayOrWithTheSettingOffCloses();
    void languageChangeOffersRestart();

private:
    // Another application's window takes the focus.
    static std::unique_ptr<QWidget> activateElsewhere()
    {
        auto elsewhere = std::make_unique<QWidget>();
        elsewhere->resize(200, 100);
        elsewhere->show();
        [&] {
            QVERIFY(QTest::qWaitForWindowExposed(elsewhere.get()));
            elsewhere->activateWindow();
            QVERIFY(QTest::qWaitForWindowActive(elsewhere.get()));
        }();
        return elsewhere;
    }
    // Runs `action` on the modal dialog of type T once it is open (exec() blocks the test).
    template <typename T> static QPointer<QTimer> whenModal(std::function<void(T *)> action)
    {
        auto *poll = new QTimer(qApp);
        poll->setInterval(50);
        auto deadline = std::make_shared<int>(200); // 10 s
        connect(poll, &QTimer::timeout, qApp, [poll, action, deadline] {
            if (auto *dialog = qobject_cast<T *>(QApplication::activeModalWidget())) {
                poll->deleteLater();
                poll->stop();
                action(dialog);
            } else if (--*deadline == 0) {
                poll->deleteLater();
                poll->stop();
            }
        });
        poll->start();
        return poll;
    }
    // What a desktop does when the active window hides: another gets the
    // focus. (The offscreen platform leaves its focus on the hidden window,
    // and then showing it again does not make it active.)
    static void refocus(QWidget *other)
    {
        other->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(other));
    }
    // Ann with a personal chat with Bob and one with Carol, each with a message.
    struct People
    {
        HttpClient::Account ann, bob, carol;
        QString bobChat, carolChat;
    };
    People people(const QString &tag)
    {
        People p;
        p.ann = m_http->newUser(u"Ann "_s + tag);
        p.bob = m_http->newUser(u"Bob "_s + tag);
        p.carol = m_http->newUser(u"Carol "_s + tag);
        p.bobChat = m_http->personalChat(p.bob.token, p.ann.id);
        p.carolChat = m_http->personalChat(p.carol.token, p.ann.id);
        m_http->sendText(p.bob.token, p.bobChat, u"hello from Bob"_s);
        m_http->sendText(p.carol.token, p.carolChat, u"hello from Carol"_s);
        return p;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestTray::initTestCase()
{
    prepareDesktopTestCase(u"tst_tray"_s, u"en"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    resetClientState(m_server); // a clean start every run: no remembered server, session or layout
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestTray::init()
{
    QSettings().clear(); // not muted, close-to-tray on, nothing explained yet
}

// Issue 15, item 8: a notification names its chat, and clicking it opens that
// chat in front, also from the tray with the window hidden.
void TestTray::notificationClickOpensItsChat()
{
    const People p = people(u"Click"_s);
    const auto session = connectedSession(m_server, p.ann);
    QTRY_VERIFY_WITH_TIMEOUT(session->chats()->rowOf(p.carolChat) >= 0, 10000);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    showAndActivate(&window);
    window.openChat(p.bobChat);
    TrayController *tray = window.tray();
    QSignalSpy notified(tray, &TrayController::notified);
    auto elsewhere = activateElsewhere();

    m_http->sendText(p.carol.token, p.carolChat, u"are you there?"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 1, 10000);
    QCOMPARE(notified.at(0).at(0).toString(), p.carolChat);
    QVERIFY(notified.at(0).at(2).toString().contains(u"are you there?"_s));
    QCOMPARE(tray->pendingNotificationChat(), p.carolChat);
    QCOMPARE(window.currentChatId(), p.bobChat);

    Q_EMIT tray->trayIcon()->messageClicked();
    QTRY_VERIFY(window.isActiveWindow());
    QCOMPARE(window.currentChatId(), p.carolChat);

    // Hidden in the tray, a click on Bob's notification brings the window back on his chat.
    window.hide();
    refocus(elsewhere.get());
    m_http->sendText(p.bob.token, p.bobChat, u"ping"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 2, 10000);
    QCOMPARE(tray->pendingNotificationChat(), p.bobChat);
    Q_EMIT tray->trayIcon()->messageClicked();
    QVERIFY(window.isVisible());
    QTRY_VERIFY(window.isActiveWindow());
    QCOMPARE(window.currentChatId(), p.bobChat);
}

// The tray shows how many messages are unread, in its tooltip and as a badge
// on its icon, following messages that arrive and are read.
void TestTray::trayShowsTheUnreadCount()
{
    const People p = people(u"Count"_s);
    const auto session = connectedSession(m_server, p.ann);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    TrayController *tray = window.tray();
    QSystemTrayIcon *icon = tray->trayIcon();
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->unreadTotal(), 2, 10000);
    QTRY_COMPARE(icon->toolTip(), u"Messenger — 2 unread"_s);
    QCOMPARE(icon->icon().cacheKey(), tray->iconFor(2).cacheKey());

    m_http->sendText(p.bob.token, p.bobChat, u"one more"_s);
    QTRY_COMPARE_WITH_TIMEOUT(icon->toolTip(), u"Messenger — 3 unread"_s, 10000);
    QCOMPARE(icon->icon().cacheKey(), tray->iconFor(3).cacheKey());
    // The badge is painted on the app icon: a red circle in its top right corner.
    const QImage plain = tray->iconFor(0).pixmap(64).toImage();
    const QImage badged = tray->iconFor(3).pixmap(64).toImage();
    const QPoint inBadge(badged.width() * 7 / 10, badged.height() / 20);
    const auto isRed = [](QColor c) { return c.red() > 180 && c.green() < 120 && c.blue() < 120; };
    QVERIFY(!isRed(plain.pixelColor(inBadge)));
    QVERIFY2(isRed(badged.pixelColor(inBadge)),
        qPrintable(badged.pixelColor(inBadge).name(QColor::HexArgb)));
    QCOMPARE(tray->iconFor(3).cacheKey(), tray->iconFor(3).cacheKey()); // cached per count

    // Read in the active window: the count goes down, and at zero the badge goes.
    showAndActivate(&window);
    window.openChat(p.bobChat);
    QTRY_COMPARE_WITH_TIMEOUT(icon->toolTip(), u"Messenger — 1 unread"_s, 10000);
    window.openChat(p.carolChat);
    QTRY_COMPARE_WITH_TIMEOUT(icon->toolTip(), u"Messenger"_s, 10000);
    QCOMPARE(icon->icon().cacheKey(), tray->iconFor(0).cacheKey());
}

// The tray menu: Open Messenger, Mute notifications (remembered), Quit.
void TestTray::muteSuppressesNotifications()
{
    const People p = people(u"Mute"_s);
    const auto session = connectedSession(m_server, p.ann);
    QTRY_VERIFY_WITH_TIMEOUT(session->chats()->rowOf(p.carolChat) >= 0, 10000);
    auto window = std::make_unique<MainWindow>(
        session.get(), nullptr, TrayController::Availability::Available);
    TrayController *tray = window->tray();
    QCOMPARE(tray->trayIcon()->contextMenu(), tray->menu());
    QStringList texts;
    for (QAction *action : tray->menu()->actions())
        if (!action->isSeparator())
            texts.append(action->text());
    QCOMPARE(
        texts, QStringList({ u"Open Messenger"_s, u"Mute notifications"_s, u"Quit Messenger"_s }));

    QVERIFY(tray->muteAction()->isCheckable());
    QVERIFY(!tray->muteAction()->isChecked());
    tray->muteAction()->trigger();
    QVERIFY(tray->isMuted());
    QSignalSpy notified(tray, &TrayController::notified);
    QSignalSpy arrived(session.get(), &ClientSession::messageArrived); // connected after the tray
    m_http->sendText(p.bob.token, p.bobChat, u"muted one"_s);
    QTRY_COMPARE_WITH_TIMEOUT(arrived.size(), 1, 10000);
    QCOMPARE(notified.size(), 0);

    // Remembered: a new window (the next start) is still muted.
    window = std::make_unique<MainWindow>(
        session.get(), nullptr, TrayController::Availability::Available);
    tray = window->tray();
    QVERIFY(tray->isMuted());
    QVERIFY(tray->muteAction()->isChecked());
    QSignalSpy notifiedAgain(tray, &TrayController::notified);
    tray->muteAction()->trigger();
    QVERIFY(!tray->isMuted());
    m_http->sendText(p.carol.token, p.carolChat, u"heard"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notifiedAgain.size(), 1, 10000);
    QCOMPARE(notifiedAgain.at(0).at(0).toString(), p.carolChat);

    // Open shows the window; Quit asks the app to quit.
    QVERIFY(!window->isVisible());
    tray->openAction()->trigger();
    QVERIFY(window->isVisible());
    QSignalSpy quit(window.get(), &MainWindow::quitRequested);
    tray->quitAction()->trigger();
    QCOMPARE(quit.size(), 1);
}

// The chat being read in front raises no notification; another chat does,
// also while the window is active.
void TestTray::noNotificationForTheOpenChatInTheActiveWindow()
{
    const People p = people(u"Open"_s);
    const auto session = connectedSession(m_server, p.ann);
    QTRY_VERIFY_WITH_TIMEOUT(session->chats()->rowOf(p.carolChat) >= 0, 10000);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    showAndActivate(&window);
    window.openChat(p.bobChat);
    QSignalSpy notified(window.tray(), &TrayController::notified);

    m_http->sendText(p.bob.token, p.bobChat, u"you are reading this"_s);
    m_http->sendText(
        p.carol.token, p.carolChat, u"and this is elsewhere"_s); // the barrier: arrives after
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 1, 10000);
    QCOMPARE(notified.at(0).at(0).toString(), p.carolChat);
    QVERIFY(window.isActiveWindow());

    // The same chat in a window in the background does notify.
    auto elsewhere = activateElsewhere();
    m_http->sendText(p.bob.token, p.bobChat, u"now you are away"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 2, 10000);
    QCOMPARE(notified.at(1).at(0).toString(), p.bobChat);
}

// Back after a while offline, the catch-up brought every missed message as a
// notification of its own (a burst of dozens). Now each chat notifies once,
// with its newest message; what arrives live afterwards notifies as usual.
void TestTray::missedMessagesNotifyOncePerChatWhenBack()
{
    const People p = people(u"Missed"_s);
    const auto session = connectedSession(m_server, p.ann);
    QTRY_VERIFY_WITH_TIMEOUT(session->chats()->rowOf(p.carolChat) >= 0, 10000);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    QSignalSpy notified(window.tray(), &TrayController::notified);
    LiveConnection *live = session->live();
    // Dropped as a network failure would, and waiting long before trying again.
    live->setReconnectBackoff(std::chrono::minutes(5), std::chrono::minutes(5));
    live->abortConnection();
    QTRY_COMPARE_WITH_TIMEOUT(live->state(), LiveConnection::State::WaitingToReconnect, 10000);
    for (int i = 1; i <= 5; ++i)
        m_http->sendText(p.bob.token, p.bobChat, u"missed from Bob %1"_s.arg(i));
    for (int i = 1; i <= 3; ++i)
        m_http->sendText(p.carol.token, p.carolChat, u"missed from Carol %1"_s.arg(i));
    live->reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 2, 10000);
    QStringList texts;
    for (const QList<QVariant> &notice : std::as_const(notified))
        texts.append(notice.at(2).toString());
    texts.sort();
    QCOMPARE(texts, (QStringList { u"missed from Bob 5"_s, u"missed from Carol 3"_s }));
    QCOMPARE(session->chats()->unreadTotal(), 10); // the first two and the eight missed
    // Live again: each new message notifies.
    m_http->sendText(p.bob.token, p.bobChat, u"live one"_s);
    m_http->sendText(p.bob.token, p.bobChat, u"live two"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 4, 10000);
    QCOMPARE(notified.at(3).at(2).toString(), u"live two"_s);
}

// With a tray, closing the window hides it (the first time saying so); the
// app stays signed in and connected, and the tray icon brings it back.
void TestTray::closingHidesToTheTrayAndTheTrayReopens()
{
    const People p = people(u"Hide"_s);
    const auto session = connectedSession(m_server, p.ann);
    QTRY_VERIFY_WITH_TIMEOUT(session->chats()->rowOf(p.carolChat) >= 0, 10000);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    showAndActivate(&window);
    TrayController *tray = window.tray();
    QVERIFY(tray->closesToTray());
    QSignalSpy notified(tray, &TrayController::notified);
    QSignalSpy signedOut(session.get(), &ClientSession::signedOut);

    QVERIFY(!window.close()); // refused: hidden instead
    QVERIFY(!window.isVisible());
    QCOMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(0).toString(), QString()); // about the app, no chat
    QVERIFY(notified.at(0).at(2).toString().contains(u"still running"_s));
    QCOMPARE(session->state(), ClientSession::State::SignedIn);
    QCOMPARE(session->live()->state(), LiveConnection::State::Connected);

    auto elsewhere = activateElsewhere();

    // Still connected: a message arrives and notifies.
    m_http->sendText(p.carol.token, p.carolChat, u"while hidden"_s);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 2, 10000);
    QCOMPARE(notified.at(1).at(0).toString(), p.carolChat);

    // A click on the tray icon shows the window again.
    Q_EMIT tray->trayIcon()->activated(QSystemTrayIcon::Trigger);
    QVERIFY(window.isVisible());
    QTRY_VERIFY(window.isActiveWindow());

    // Explained once: the second close hides without a word.
    QVERIFY(!window.close());
    QVERIFY(!window.isVisible());
    QCOMPARE(notified.size(), 2);
    QCOMPARE(signedOut.size(), 0);
}

// Without a tray, or with the setting off, closing closes (the app quits as
// the last window goes) and signs nothing out.
void TestTray::closingWithoutTrayOrWithTheSettingOffCloses()
{
    const People p = people(u"Quit"_s);
    const auto session = connectedSession(m_server, p.ann);
    QSignalSpy signedOut(session.get(), &ClientSession::signedOut);
    {
        MainWindow window(session.get(), nullptr, TrayController::Availability::Unavailable);
        showAndActivate(&window);
        QVERIFY(!window.tray()->closesToTray());
        QSignalSpy notified(window.tray(), &TrayController::notified);
        QVERIFY(window.close());
        QVERIFY(!window.isVisible());
        QCOMPARE(notified.size(), 0);
    }
    TrayController::setCloseToTraySetting(false);
    {
        MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
        showAndActivate(&window);
        QVERIFY(!window.tray()->closesToTray());
        QVERIFY(window.close());
        QVERIFY(!window.isVisible());
    }
    QCOMPARE(signedOut.size(), 0);
    QCOMPARE(session->state(), ClientSession::State::SignedIn);

    // Settings shows the setting and changes it.
    SettingsDialog dialog(session.get());
    auto *keep = dialog.findChild<QCheckBox *>(u"closeToTray"_s);
    QVERIFY(keep);
    QVERIFY(!keep->isChecked());
    keep->setChecked(true);
    QVERIFY(dialog.keepsRunningInTray());
}

// Issue 15, item 11: a new language applies at once: Settings offers to
// restart now (Later keeps the current one until the next start). The prompt,
// in Russian, is not cut off.
void TestTray::languageChangeOffersRestart()
{
    const auto ann = m_http->newUser(u"Ann Language"_s);
    DesktopApp::installTranslations(u"ru"_s);
    QSettings().setValue(u"ui/language"_s, u"ru"_s);
    DesktopApp app;
    QSignalSpy restart(&app, &DesktopApp::restartRequested);
    app.start();
    QTRY_VERIFY_WITH_TIMEOUT(app.loginDialog() && app.loginDialog()->isVisible(), 10000);
    LoginDialog *login = app.loginDialog();
    auto *server = login->findChild<QLineEdit *>(u"server"_s);
    server->clear();
    QTest::keyClicks(server, m_server.url(u""_s).toString());
    QTest::keyClicks(login->findChild<QLineEdit *>(u"email"_s), ann.email);
    QTest::keyClicks(login->findChild<QLineEdit *>(u"password"_s), ann.password);
    QTest::keyClick(login->findChild<QLineEdit *>(u"password"_s), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(app.mainWindow() && app.mainWindow()->isVisible(), 15000);
    MainWindow *window = app.mainWindow();

    QStringList settingsCutOff;
    const auto chooseInSettings = [&settingsCutOff](const QString &language) {
        whenModal<SettingsDialog>([language, &settingsCutOff](SettingsDialog *dialog) {
            auto *keep = dialog->findChild<QCheckBox *>(u"closeToTray"_s);
            if (keep->width() < keep->sizeHint().width())
                settingsCutOff.append(keep->text());
            auto *combo = dialog->findChild<QComboBox *>(u"language"_s);
            combo->setCurrentIndex(combo->findData(language));
            dialog->accept();
        });
    };
    struct Prompt
    {
        QString title, text, restartText, laterText;
        QStringList cutOff;
    };
    const auto answerPrompt = [](Prompt *seen, QMessageBox::ButtonRole answer) {
        whenModal<QMessageBox>([seen, answer](QMessageBox *box) {
            seen->title = box->windowTitle();
            seen->text = box->text();
            QAbstractButton *chosen = nullptr;
            for (QAbstractButton *button : box->buttons()) {
                if (box->buttonRole(button) == QMessageBox::AcceptRole)
                    seen->restartText = button->text();
                if (box->buttonRole(button) == QMessageBox::RejectRole)
                    seen->laterText = button->text();
                if (box->buttonRole(button) == answer)
                    chosen = button;
                if (button->width() < button->sizeHint().width())
                    seen->cutOff.append(button->text());
            }
            // The window manager draws the title over the box's width.
            if (box->width() < box->fontMetrics().horizontalAdvance(box->windowTitle()) + 80)
                seen->cutOff.append(box->windowTitle());
            chosen->click();
        });
    };

    // Later: the choice is saved for the next start, nothing restarts.
    Prompt later;
    chooseInSettings(u"en"_s);
    answerPrompt(&later, QMessageBox::RejectRole);
    Q_EMIT window->settingsRequested();
    QCOMPARE(later.restartText, u"Перезапустить"_s);
    QCOMPARE(later.laterText, u"Позже"_s);
    QVERIFY2(later.cutOff.isEmpty(), qPrintable(later.cutOff.join(u", "_s)));
    QVERIFY2(settingsCutOff.isEmpty(), qPrintable(settingsCutOff.join(u", "_s)));
    QCOMPARE(QSettings().value(u"ui/language"_s).toString(), u"en"_s);
    QCOMPARE(restart.size(), 0);
    QVERIFY(window->isVisible());

    // Restart now: the app asks to be started again (main() does it once the
    // event loop has ended and the session's files are closed).
    Prompt now;
    chooseInSettings(u""_s);
    answerPrompt(&now, QMessageBox::AcceptRole);
    Q_EMIT window->settingsRequested();
    QVERIFY(!now.text.isEmpty());
    QCOMPARE(QSettings().value(u"ui/language"_s).toString(), QString());
    QCOMPARE(restart.size(), 1);

    // The same language again asks nothing: a prompt would have been
    // answered (and counted) before settingsRequested() returned.
    QSettings().setValue(u"ui/language"_s, u"ru"_s);
    bool asked = false;
    chooseInSettings(u"ru"_s);
    const QPointer<QTimer> watch = whenModal<QMessageBox>([&asked](QMessageBox *box) {
        asked = true;
        box->reject();
    });
    Q_EMIT window->settingsRequested();
    delete watch.data();
    QVERIFY(!asked);
    QCOMPARE(restart.size(), 1);
    DesktopApp::installTranslations(u"en"_s);
}

QTEST_MAIN(TestTray)
#include "tst_tray.moc"
