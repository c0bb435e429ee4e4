#pragma once

// What the desktop GUI tests share: a signed-in session and a shown window.

#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/MessageDelegate.h"
#include "client/ui/TimelineView.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <chrono>
#include <memory>

// Once per test case, what main() sets up before the window: test-mode paths
// (settings, cache and session stay out of $HOME), the app's names, the icons
// and the translations of `language` (by default the screenshots' language,
// MESSENGER_SCREENSHOT_LANG, else English).
inline void prepareDesktopTestCase(const QString &applicationName,
    const QString &language
    = qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", QStringLiteral("en")))
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("MessengerTests"));
    QCoreApplication::setApplicationName(applicationName);
    Q_INIT_RESOURCE(client);
    Messenger::Client::DesktopApp::installTranslations(language);
}

// Each test starts as a first run: no cache, session or settings, and the
// server up (a test that stopped it may have failed before starting it again).
inline void resetClientState(TestServer &server)
{
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).removeRecursively();
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .removeRecursively();
    QSettings().clear();
    if (server.processId() == 0)
        QVERIFY2(server.start(), qPrintable(server.error()));
}

// Signs `session` in as `account` and waits until it is signed in and, with
// `live`, connected; the test fails if that does not happen.
inline void awaitSignIn(Messenger::Client::ClientSession *session, const TestServer &server,
    const HttpClient::Account &account, bool live)
{
    using Messenger::Client::ClientSession;
    session->signIn(server.url(QString()).toString(), account.email, account.password);
    QTRY_COMPARE_WITH_TIMEOUT(session->state(), ClientSession::State::SignedIn, 15000);
    if (live) {
        QTRY_COMPARE_WITH_TIMEOUT(
            session->live()->state(), Messenger::Client::LiveConnection::State::Connected, 15000);
    }
}

// `account` signed in through a real ClientSession (no window); the test
// fails if that does not happen.
inline std::unique_ptr<Messenger::Client::ClientSession> signedInSession(
    const TestServer &server, const HttpClient::Account &account)
{
    auto session = std::make_unique<Messenger::Client::ClientSession>(nullptr);
    awaitSignIn(session.get(), server, account, false);
    return session;
}

// signedInSession() with its live connection up as well.
inline std::unique_ptr<Messenger::Client::ClientSession> connectedSession(
    const TestServer &server, const HttpClient::Account &account)
{
    auto session = std::make_unique<Messenger::Client::ClientSession>(nullptr);
    awaitSignIn(session.get(), server, account, true);
    return session;
}

// Shows `window` at the size the tests assume and makes it the active one.
inline void showAndActivate(QWidget *window)
{
    window->resize(1000, 640);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window));
}

// `content` as the file `name` in `dir`; its path, empty when it could not be written.
inline QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return {};
    return path;
}

// A client as the app holds it; `window` is null until shown, and after a
// failed sign-in (callers check it before using it).
struct SignedIn
{
    std::unique_ptr<Messenger::Client::ClientSession> session;
    std::unique_ptr<Messenger::Client::MainWindow> window;
};

// Whether the session is written to disk (for tests that restart the app).
enum class SessionStorage { InMemory, Persisted };

// A client that remembers its session and cache as the app does (no keychain),
// not signed in yet, reconnecting fast so tests that restart the server do not wait.
inline SignedIn persistedClient()
{
    auto *store = new Messenger::Client::SessionStore;
    store->setKeychainEnabled(false);
    SignedIn client;
    client.session = std::make_unique<Messenger::Client::ClientSession>(store);
    store->setParent(client.session.get()); // outlives ~ClientSession's body, as it must
    client.session->live()->setReconnectBackoff(
        std::chrono::milliseconds(100), std::chrono::milliseconds(500));
    return client;
}

// Puts the client's session in a shown, active main window.
inline void showWindow(SignedIn &client)
{
    client.window = std::make_unique<Messenger::Client::MainWindow>(client.session.get());
    showAndActivate(client.window.get());
}

// A connected session of `account` in a shown, active main window; no window
// when signing in failed.
inline SignedIn signIn(const TestServer &server, const HttpClient::Account &account,
    SessionStorage storage = SessionStorage::InMemory)
{
    SignedIn signedIn;
    if (storage == SessionStorage::Persisted)
        signedIn = persistedClient();
    else
        signedIn.session = std::make_unique<Messenger::Client::ClientSession>(nullptr);
    awaitSignIn(signedIn.session.get(), server, account, true);
    if (QTest::currentTestFailed())
        return signedIn;
    showWindow(signedIn);
    return signedIn;
}

// signIn() with `chatId` open and, when given, `messageId` in its timeline.
inline SignedIn signInWithChatOpen(const TestServer &server, const HttpClient::Account &account,
    const QString &chatId, const QString &messageId = {})
{
    SignedIn client = signIn(server, account);
    if (!client.window)
        return client;
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(chatId).has_value(), 10000);
    }();
    client.window->openChat(chatId);
    if (messageId.isEmpty())
        return client;
    Messenger::Client::MessageModel *model = client.session->messages(chatId);
    [&] { QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(messageId) >= 0, 10000); }();
    return client;
}

// Where the delegate lays out the bubble (quote, chips, ...) of `row`, in the
// row's own coordinates, at the timeline's current width.
inline Messenger::Client::BubbleGeometry bubbleGeometry(
    Messenger::Client::TimelineView *timeline, int row)
{
    auto *delegate = qobject_cast<Messenger::Client::MessageDelegate *>(timeline->itemDelegate());
    const QModelIndex index = timeline->model()->index(row, 0);
    const QRect rect = timeline->visualRect(index);
    return delegate->geometry(
        index, QRect(rect.topLeft(), QSize(timeline->viewport()->width(), 0)), timeline->font());
}

// Whether some of `row` is in the timeline's viewport (false for -1).
inline bool rowIsOnScreen(Messenger::Client::TimelineView *timeline, int row)
{
    return row >= 0
        && timeline->viewport()->rect().intersects(
            timeline->visualRect(timeline->model()->index(row, 0)));
}

// The height the delegate asks for `row` (what the timeline lays out).
inline int rowHeight(Messenger::Client::TimelineView *timeline, int row)
{
    QStyleOptionViewItem option;
    option.font = timeline->font();
    return timeline->itemDelegate()->sizeHint(option, timeline->model()->index(row, 0)).height();
}

// Right-clicks `row` of the timeline (scrolled into view) and returns the menu
// that opened, or null.
inline QMenu *openContextMenu(Messenger::Client::TimelineView *timeline, int row)
{
    const QModelIndex index = timeline->model()->index(row, 0);
    timeline->scrollTo(index);
    const QPoint point
        = timeline->visualRect(index).intersected(timeline->viewport()->rect()).center();
    QContextMenuEvent event(
        QContextMenuEvent::Mouse, point, timeline->viewport()->mapToGlobal(point));
    // A menu that runs its own event loop (exec) would hold the test until
    // it times out: close it, and the test fails on the missing menu.
    auto returned = std::make_shared<bool>(false);
    QTimer::singleShot(2000, timeline, [returned] {
        if (!*returned && QApplication::activePopupWidget())
            QApplication::activePopupWidget()->close();
    });
    QApplication::sendEvent(timeline->viewport(), &event);
    *returned = true;
    return qobject_cast<QMenu *>(QApplication::activePopupWidget());
}

// The translation context of the message menu's texts (TimelineView::tr).
inline constexpr const char *timelineContext = "Messenger::Client::TimelineView";
// The translation context of the chat list menu's texts (MainWindow::tr).
inline constexpr const char *mainWindowContext = "Messenger::Client::MainWindow";

// The action of `menu` or its submenus that shows `englishText` as translated
// in `context`, so the tests pass in the screenshots' language too; null if none.
inline QAction *findAction(
    QMenu *menu, const char *englishText, const char *context = timelineContext)
{
    const QString shown = QCoreApplication::translate(context, englishText);
    for (QAction *action : menu->actions()) {
        if (action->text() == shown)
            return action;
        if (action->menu()) {
            if (QAction *found = findAction(action->menu(), englishText, context))
                return found;
        }
    }
    return nullptr;
}

// As a click does: the menu closes, then findAction()'s action runs; false
// (the menu closed all the same) when there is none.
inline bool triggerAction(
    QMenu *menu, const char *englishText, const char *context = timelineContext)
{
    QAction *action = findAction(menu, englishText, context);
    menu->close();
    if (action)
        action->trigger();
    return action != nullptr;
}

// The texts `menu` and its submenus show, separators left out; for failure messages
// and for checking what a menu does not offer.
inline QStringList actionTexts(QMenu *menu)
{
    QStringList texts;
    for (QAction *action : menu->actions()) {
        if (!action->isSeparator())
            texts.append(action->text());
        if (action->menu())
            texts.append(actionTexts(action->menu()));
    }
    return texts;
}

// With MESSENGER_SCREENSHOTS=<dir>, saves `widget` as <dir>/<name>-<lang>.png
// (MESSENGER_SCREENSHOT_LANG, default en; "@2x" before ".png" at
// QT_SCALE_FACTOR=2, as the grab then has twice the pixels).
inline void saveScreenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("MESSENGER_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    // Layouts still pending (a label just changed) are done before the grab,
    // which paints synchronously.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    QCoreApplication::processEvents();
    const QString language
        = qEnvironmentVariable("MESSENGER_SCREENSHOT_LANG", QStringLiteral("en"));
    const QString scale = widget->devicePixelRatio() > 1 ? QStringLiteral("@2x") : QString();
    QVERIFY(widget->grab().save(QStringLiteral("%1/%2-%3%4.png").arg(dir, name, language, scale)));
}
