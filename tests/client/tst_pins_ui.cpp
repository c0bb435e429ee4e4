#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageModel.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/PinnedBanner.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"

#include <QApplication>
#include <QContextMenuEvent>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Pinned messages in the desktop app (issue 16): the banner under the chat's
// header (live through `chat_pinned`, after a reload, from the cache), its
// jump to the message (loaded or not) and its ×, and Pin/Unpin in the message
// menu only where the user may; offscreen real widgets against a real server.
class TestPinsUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void menuPinShowsTheBannerHereAndLiveElsewhere();
    void bannerJumpsToAMessageThatIsNotLoaded();
    void crossAndMenuUnpinAndDeletingThePinnedMessageHidesIt();
    void groupMembersSeeThePinButCannotPinOrUnpin();
    void pinSurvivesAReloadAndTheCacheShowsItOffline();
    void refusedPinIsShownInTheStatusBar();

private:
    // Triggers the menu item `text` of the message in `row`; false if there is none.
    static bool triggerMenuItem(TimelineView *timeline, int row, const char *text)
    {
        QMenu *menu = openContextMenu(timeline, row);
        return menu && triggerAction(menu, text);
    }
    Reply pinAs(const HttpClient::Account &who, const QString &chatId, const QString &messageId)
    {
        if (messageId.isEmpty())
            return m_http->request("DELETE", ApiPaths::chatPin(chatId), {}, who.token);
        return m_http->request("PUT", ApiPaths::chatPin(chatId),
            QJsonDocument(QJsonObject { { u"message_id"_s, messageId } }).toJson(), who.token);
    }
    // The pinned message's id as `who` gets the chat from the server; empty when none.
    QString serverPinned(const HttpClient::Account &who, const QString &chatId)
    {
        const QJsonValue pinned
            = m_http->get(ApiPaths::chat(chatId), who.token).object().value(u"pinned_message"_s);
        return pinned.toObject().value(u"id"_s).toString();
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestPinsUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_pins_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestPinsUi::init()
{
    resetClientState(m_server);
}

// Pin in the menu: the server has it, the banner shows "Pinned message" with
// the sender and the text, and the other member's client learns it live.
void TestPinsUi::menuPinShowsTheBannerHereAndLiveElsewhere()
{
    const auto ann = m_http->newUser(u"Ann Pin"_s);
    const auto ben = m_http->newUser(u"Ben Pin"_s);
    const auto cat = m_http->newUser(u"Cat Pin"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString benCat = m_http->personalChat(ben.token, cat.id);
    m_http->sendText(ben.token, chatId, u"Hi"_s);
    const QString messageId
        = m_http->sendText(ben.token, chatId, u"Door code is 4711, second floor"_s);
    // A forwarded copy too, for the screenshot.
    const QString original = m_http->sendText(cat.token, benCat, u"Bring the blue folder"_s);
    COMPARE_STATUS(m_http->post(ApiPaths::chatsMessagesForward.toString(),
                       { { u"message_ids"_s, QJsonArray { original } },
                           { u"chat_ids"_s, QJsonArray { chatId } } },
                       ben.token),
        200);
    auto benSession = connectedSession(m_server, ben);
    QTRY_VERIFY_WITH_TIMEOUT(benSession->chats()->summary(chatId).has_value(), 10000);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    MessageModel *model = client.session->messages(chatId);
    PinnedBanner *banner = client.window->pinnedBanner();
    QVERIFY(!banner->isVisible());

    QVERIFY(triggerMenuItem(client.window->timeline(), model->rowOfId(messageId), "Pin"));
    QTRY_COMPARE_WITH_TIMEOUT(serverPinned(ann, chatId), messageId, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    QCOMPARE(banner->pinned()->id, messageId);
    QVERIFY(banner->previewLabel()->text().startsWith(ben.name + u": Door code"_s));
    QVERIFY(banner->unpinButton()->isVisible()); // anyone may in a personal chat
    // Under the header, above the timeline.
    QVERIFY(banner->mapTo(client.window.get(), QPoint()).y()
        < client.window->timeline()->mapTo(client.window.get(), QPoint()).y());
    QTRY_VERIFY_WITH_TIMEOUT(
        benSession->chats()->summary(chatId)->chat.pinnedMessage.has_value(), 10000);
    QCOMPARE(benSession->chats()->summary(chatId)->chat.pinnedMessage->id, messageId);
    // The menu now offers Unpin for it.
    QMenu *menu = openContextMenu(client.window->timeline(), model->rowOfId(messageId));
    QVERIFY(menu);
    QVERIFY(findAction(menu, "Unpin"));
    QVERIFY(!findAction(menu, "Pin"));
    menu->close();
    client.window->timeline()->scrollToRowOrBottom(-1);
    saveScreenshot(client.window.get(), u"pinned"_s);
}

// Clicking the banner shows the pinned message, tinted, after loading the
// page around it when it is far up in the history.
void TestPinsUi::bannerJumpsToAMessageThatIsNotLoaded()
{
    const auto ann = m_http->newUser(u"Ann Jump"_s);
    const auto ben = m_http->newUser(u"Ben Jump"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString oldest = m_http->sendText(ben.token, chatId, u"The very first rule"_s);
    for (int i = 1; i <= 120; ++i)
        m_http->sendText((i % 2 ? ben : ann).token, chatId, u"filler %1"_s.arg(i));
    const QString newest = m_http->sendText(ben.token, chatId, u"Newest"_s);
    COMPARE_STATUS(pinAs(ben, chatId, oldest), 200);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, newest);
    QVERIFY(client.window);
    MessageModel *model = client.session->messages(chatId);
    QCOMPARE(model->rowOfId(oldest), -1);
    PinnedBanner *banner = client.window->pinnedBanner();
    QTRY_VERIFY(banner->isVisible());
    QTest::mouseClick(
        banner, Qt::LeftButton, {}, QPoint(banner->width() / 3, banner->height() / 2));
    QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(oldest) >= 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(client.window->timeline()->highlightedMessageId(), oldest, 10000);
}

// The × unpins; Unpin in the menu too; and when the pinned message is
// deleted the banner goes (the server unpins it).
void TestPinsUi::crossAndMenuUnpinAndDeletingThePinnedMessageHidesIt()
{
    const auto ann = m_http->newUser(u"Ann Unpin"_s);
    const auto ben = m_http->newUser(u"Ben Unpin"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Pinned for a while"_s);
    COMPARE_STATUS(pinAs(ben, chatId, messageId), 200);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    MessageModel *model = client.session->messages(chatId);
    PinnedBanner *banner = client.window->pinnedBanner();
    QTRY_VERIFY(banner->isVisible());

    QTest::mouseClick(banner->unpinButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(serverPinned(ann, chatId), QString(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);

    // Pinned again elsewhere (live), unpinned from the menu.
    COMPARE_STATUS(pinAs(ben, chatId, messageId), 200);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    QVERIFY(triggerMenuItem(client.window->timeline(), model->rowOfId(messageId), "Unpin"));
    QTRY_COMPARE_WITH_TIMEOUT(serverPinned(ann, chatId), QString(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);

    COMPARE_STATUS(pinAs(ben, chatId, messageId), 200);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(messageId), {}, ben.token), 200);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);
    QVERIFY(!client.session->chats()->summary(chatId)->chat.pinnedMessage.has_value());
}

// In a group only the owner pins: a member sees the banner without ×, and
// the menu offers neither Pin nor Unpin; the owner has both.
void TestPinsUi::groupMembersSeeThePinButCannotPinOrUnpin()
{
    const auto ann = m_http->newUser(u"Ann Member"_s);
    const auto ben = m_http->newUser(u"Ben Owner"_s);
    const QString group = m_http->newGroup(ben, u"Pins club"_s, { ann.id });
    const QString first = m_http->sendText(ben.token, group, u"Rules: be kind"_s);
    const QString second = m_http->sendText(ann.token, group, u"Agreed"_s);
    COMPARE_STATUS(pinAs(ben, group, first), 200);
    {
        SignedIn member = signInWithChatOpen(m_server, ann, group, second);
        QVERIFY(member.window);
        PinnedBanner *banner = member.window->pinnedBanner();
        QTRY_VERIFY(banner->isVisible());
        QVERIFY(!banner->unpinButton()->isVisible());
        MessageModel *model = member.session->messages(group);
        for (const QString &id : { first, second }) {
            QMenu *menu = openContextMenu(member.window->timeline(), model->rowOfId(id));
            QVERIFY(menu);
            QVERIFY(findAction(menu, "Reply")); // the menu is there
            QVERIFY(!findAction(menu, "Pin"));
            QVERIFY(!findAction(menu, "Unpin"));
            menu->close();
        }
    }
    SignedIn owner = signInWithChatOpen(m_server, ben, group, second);
    QVERIFY(owner.window);
    QTRY_VERIFY(owner.window->pinnedBanner()->isVisible());
    QVERIFY(owner.window->pinnedBanner()->unpinButton()->isVisible());
    MessageModel *model = owner.session->messages(group);
    QVERIFY(triggerMenuItem(owner.window->timeline(), model->rowOfId(second), "Pin"));
    QTRY_COMPARE_WITH_TIMEOUT(serverPinned(ben, group), second, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(owner.window->pinnedBanner()->pinned()->id, second, 10000);
}

// The chat list's reload brings the pin (made while the client was away),
// and the cache keeps it for a start without the server.
void TestPinsUi::pinSurvivesAReloadAndTheCacheShowsItOffline()
{
    const auto ann = m_http->newUser(u"Ann Offline"_s);
    const auto ben = m_http->newUser(u"Ben Offline"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Wifi password: hunter2"_s);
    COMPARE_STATUS(pinAs(ben, chatId, messageId), 200);
    {
        SignedIn client = persistedClient();
        client.session->signIn(m_server.url(u""_s).toString(), ann.email, ann.password);
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(client.session->chats()->summary(chatId).has_value(), 10000);
        QVERIFY(client.session->chats()->summary(chatId)->chat.pinnedMessage.has_value());
        MainWindow window(client.session.get());
        showAndActivate(&window);
        window.openChat(chatId);
        QTRY_VERIFY(window.pinnedBanner()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const ChatSummary &summary : client.session->cache()->loadAccount().chats)
                    if (summary.chat.id == chatId)
                        return summary.chat.pinnedMessage.has_value();
                return false;
            }(),
            10000);
    }
    m_server.stop();
    SignedIn client = persistedClient();
    QSignalSpy finished(client.session.get(), &ClientSession::restoreFinished);
    client.session->restore();
    QVERIFY(!finished.isEmpty() || finished.wait(15000));
    QCOMPARE(finished.first().first().toBool(), true);
    MainWindow window(client.session.get());
    showAndActivate(&window);
    window.openChat(chatId);
    QTRY_VERIFY(window.pinnedBanner()->isVisible());
    QCOMPARE(window.pinnedBanner()->pinned()->id, messageId);
    QVERIFY(window.pinnedBanner()->previewLabel()->text().contains(u"hunter2"_s));
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
}

// Pinning a message deleted meanwhile: the server refuses, the status bar says so.
void TestPinsUi::refusedPinIsShownInTheStatusBar()
{
    const auto ann = m_http->newUser(u"Ann Refused Pin"_s);
    const auto ben = m_http->newUser(u"Ben Refused Pin"_s);
    const QString chatId = m_http->personalChat(ann.token, ben.id);
    const QString messageId = m_http->sendText(ben.token, chatId, u"Gone soon"_s);
    SignedIn client = signInWithChatOpen(m_server, ann, chatId, messageId);
    QVERIFY(client.window);
    MessageModel *model = client.session->messages(chatId);
    QMenu *menu = openContextMenu(client.window->timeline(), model->rowOfId(messageId));
    QVERIFY(menu);
    QAction *pin = findAction(menu, "Pin");
    QVERIFY(pin);
    menu->close();
    COMPARE_STATUS(m_http->request("DELETE", ApiPaths::message(messageId), {}, ben.token), 200);
    pin->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!client.window->statusBar()->currentMessage().isEmpty(), 10000);
    QVERIFY(!client.window->pinnedBanner()->isVisible());
}

QTEST_MAIN(TestPinsUi)
#include "tst_pins_ui.moc"
