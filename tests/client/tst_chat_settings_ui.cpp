#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"
#include "client/models/LocalCache.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/Theme.h"
#include "client/ui/TrayController.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Per-user chat settings in the desktop app (issue 16): the chat list's
// context menu (mute, pin, archive, mark unread), what the rows show (a
// crossed-out bell and a grey badge, a pin, a blank badge), pinned chats on
// top in their order, the archive behind its own row, muted chats that do not
// notify, changes from the user's other devices live, and the settings kept
// in the local cache; offscreen real widgets against a real server.
class TestChatSettingsUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void contextMenuChangesReachTheServerAndTheOtherDevice();
    void pinnedChatsComeFirstInTheirOrder();
    void archiveRowOpensTheArchiveAndEscGoesBack();
    void archivedChatReturnsWithANewMessage();
    void mutedChatShowsABellAGreyBadgeAndDoesNotNotify();
    void markAsUnreadAndOpeningClearsIt();
    void settingsSurviveTheLocalCache();

private:
    QJsonObject serverSettings(const HttpClient::Account &who, const QString &chatId)
    {
        return m_http->get(ApiPaths::chat(chatId), who.token)
            .object()
            .value(u"settings"_s)
            .toObject();
    }
    void patchSettings(
        const HttpClient::Account &who, const QString &chatId, const QJsonObject &body)
    {
        COMPARE_STATUS(m_http->request("PATCH", ApiPaths::chatSettings(chatId),
                           QJsonDocument(body).toJson(), who.token),
            200);
    }
    // The chats the list shows, top to bottom.
    static QStringList shownChats(MainWindow *window)
    {
        QStringList ids;
        QAbstractItemModel *model = window->chatListView()->model();
        for (int row = 0; row < model->rowCount(); ++row)
            ids.append(model->index(row, 0).data(ChatListModel::ChatIdRole).toString());
        return ids;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestChatSettingsUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_chat_settings_ui"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestChatSettingsUi::init()
{
    resetClientState(m_server);
}

// Each menu entry changes the server's settings; Ann's other device follows
// through the `chat_settings` event, and the menu offers the way back.
void TestChatSettingsUi::contextMenuChangesReachTheServerAndTheOtherDevice()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    m_http->sendText(bob.token, chatId, u"Hello"_s);
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    const auto phone = connectedSession(m_server, ann);
    ChatListModel *phoneChats = phone->chats();
    QTRY_VERIFY_WITH_TIMEOUT(desk.session->chats()->summary(chatId).has_value(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(phoneChats->summary(chatId).has_value(), 10000);
    const auto phoneRole = [&](int role) {
        return phoneChats->index(phoneChats->rowOf(chatId)).data(role).toBool();
    };

    std::unique_ptr<QMenu> menu(desk.window->chatContextMenu(chatId));
    QVERIFY(findAction(menu.get(), "For 8 hours", mainWindowContext));
    QVERIFY(triggerAction(menu.get(), "For 1 hour", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(!serverSettings(ann, chatId).value(u"muted_until").isNull(), 10000);
    const qint64 until = serverSettings(ann, chatId).value(u"muted_until").toInteger();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QVERIFY2(until > now + 3500 && until <= now + 3600, qPrintable(QString::number(until - now)));
    QTRY_VERIFY_WITH_TIMEOUT(phoneRole(ChatListModel::MutedRole), 10000);

    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(!findAction(menu.get(), "For 1 hour", mainWindowContext));
    QVERIFY(triggerAction(menu.get(), "Pin to top", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(phoneRole(ChatListModel::PinnedRole), 10000);
    QCOMPARE(serverSettings(ann, chatId).value(u"pinned_position").toInteger(), 1);

    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Unmute", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(!phoneRole(ChatListModel::MutedRole), 10000);
    QVERIFY(serverSettings(ann, chatId).value(u"muted_until").isNull());
    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Forever", mainWindowContext));
    QTRY_COMPARE_WITH_TIMEOUT(serverSettings(ann, chatId).value(u"muted_until").toInteger(),
        Limits::chatMutedForever, 10000);

    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Unpin", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(!phoneRole(ChatListModel::PinnedRole), 10000);
    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Archive", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(phoneRole(ChatListModel::ArchivedRole), 10000);
    QCOMPARE(serverSettings(ann, chatId).value(u"archived"), true);
    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Unarchive", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(!phoneRole(ChatListModel::ArchivedRole), 10000);
    QCOMPARE(serverSettings(ann, chatId).value(u"archived"), false);
    // Bob's settings of the chat never changed.
    QCOMPARE(serverSettings(bob, chatId).value(u"muted_until"), QJsonValue());
    QCOMPARE(serverSettings(bob, chatId).value(u"pinned_position"), QJsonValue());
}

// Pinned chats lead the list in their order, whatever their activity; the
// others follow by activity. Move Up / Move Down in the menu reorder them.
void TestChatSettingsUi::pinnedChatsComeFirstInTheirOrder()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    QStringList chats;
    QList<HttpClient::Account> friends;
    for (const QString &name : { u"Old"_s, u"Middle"_s, u"New"_s }) {
        friends.append(m_http->newUser(name));
        chats.append(m_http->personalChat(ann.token, friends.last().id));
        m_http->sendText((friends.last()).token, chats.last(), u"Hi from "_s + name);
    }
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownChats(desk.window.get()), (QStringList { chats[2], chats[1], chats[0] }), 10000);
    patchSettings(ann, chats[0], { { u"pinned"_s, true } });
    patchSettings(ann, chats[1], { { u"pinned"_s, true } });
    QTRY_COMPARE_WITH_TIMEOUT(
        shownChats(desk.window.get()), (QStringList { chats[0], chats[1], chats[2] }), 10000);
    // A new message moves the unpinned chat, not above the pinned ones.
    m_http->sendText(friends[2].token, chats[2], u"Still here"_s);
    QTRY_COMPARE_WITH_TIMEOUT(
        desk.session->chats()->summary(chats[2])->lastMessage->text, u"Still here"_s, 10000);
    QCOMPARE(shownChats(desk.window.get()), (QStringList { chats[0], chats[1], chats[2] }));
    // Reordered on another device: the list follows.
    COMPARE_STATUS(
        m_http->request("PUT", ApiPaths::chatsPinned.toString(),
            QJsonDocument(QJsonObject { { u"chat_ids"_s, QJsonArray { chats[1], chats[0] } } })
                .toJson(),
            ann.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownChats(desk.window.get()), (QStringList { chats[1], chats[0], chats[2] }), 10000);
    const QModelIndex first = desk.window->chatListView()->model()->index(0, 0);
    QVERIFY(first.data(ChatListModel::PinnedRole).toBool());

    // Reordered here, from the menu: Move Up / Move Down only where there is
    // room, the server's order and the list follow.
    std::unique_ptr<QMenu> menu(desk.window->chatContextMenu(chats[1]));
    QVERIFY(!findAction(menu.get(), "Move Up", mainWindowContext));
    QVERIFY(triggerAction(menu.get(), "Move Down", mainWindowContext));
    QTRY_COMPARE_WITH_TIMEOUT(
        shownChats(desk.window.get()), (QStringList { chats[0], chats[1], chats[2] }), 10000);
    QCOMPARE(serverSettings(ann, chats[0]).value(u"pinned_position").toInteger(), 1);
    QCOMPARE(serverSettings(ann, chats[1]).value(u"pinned_position").toInteger(), 2);
    menu.reset(desk.window->chatContextMenu(chats[1]));
    QVERIFY(!findAction(menu.get(), "Move Down", mainWindowContext));
    QVERIFY(triggerAction(menu.get(), "Move Up", mainWindowContext));
    QTRY_COMPARE_WITH_TIMEOUT(
        shownChats(desk.window.get()), (QStringList { chats[1], chats[0], chats[2] }), 10000);
    menu.reset(desk.window->chatContextMenu(chats[2]));
    QVERIFY(!findAction(menu.get(), "Move Up", mainWindowContext));
    QVERIFY(!findAction(menu.get(), "Move Down", mainWindowContext));
}

// Archived chats leave the main list for the archive; the "Archive" row
// counts the unread ones inside and opens it; Esc comes back.
void TestChatSettingsUi::archiveRowOpensTheArchiveAndEscGoesBack()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString kept = m_http->personalChat(ann.token, bob.id);
    const QString archived = m_http->personalChat(ann.token, cat.id);
    m_http->sendText(cat.token, archived, u"Old news"_s);
    // Muted too, so that a message keeps it in the archive.
    patchSettings(ann, archived,
        { { u"archived"_s, true }, { u"muted_until"_s, qint64(Limits::chatMutedForever) } });
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    MainWindow *window = desk.window.get();
    QTRY_COMPARE_WITH_TIMEOUT(shownChats(window), QStringList { kept }, 10000);
    QToolButton *archiveRow = window->archiveRow();
    QVERIFY(archiveRow->isVisible());
    QCOMPARE(archiveRow->text(), u"Archive (1)"_s);

    QTest::mouseClick(archiveRow, Qt::LeftButton);
    QVERIFY(window->showsArchive());
    QCOMPARE(shownChats(window), QStringList { archived });
    QCOMPARE(archiveRow->text(), u"Back to chats"_s);
    // A search finds chats outside the archive too.
    window->searchField()->setText(u"Bob"_s);
    QTRY_COMPARE(shownChats(window).value(0), kept);
    QVERIFY(!archiveRow->isVisible());
    window->searchField()->clear();
    QCOMPARE(shownChats(window), QStringList { archived });
    window->chatListView()->setFocus();
    QTest::keyClick(window->chatListView(), Qt::Key_Escape);
    QVERIFY(!window->showsArchive());
    QCOMPARE(shownChats(window), QStringList { kept });
    QCOMPARE(archiveRow->text(), u"Archive (1)"_s);

    // Reading it inside the archive: the count goes.
    COMPARE_STATUS(
        m_http->post(ApiPaths::chatRead(archived),
            { { u"message_id"_s, desk.session->chats()->summary(archived)->lastMessage->id } },
            ann.token),
        200);
    desk.session->chats()->applyRead(
        archived, ann.id, desk.session->chats()->summary(archived)->lastMessage->seq, 0);
    QCOMPARE(archiveRow->text(), u"Archive"_s);
    // Unarchived on another device, the row goes with the last archived chat.
    patchSettings(ann, archived, { { u"archived"_s, false } });
    QTRY_VERIFY_WITH_TIMEOUT(!archiveRow->isVisible(), 10000);
    QCOMPARE(shownChats(window).size(), 2);
}

// A message from someone else takes a chat that is not muted out of the
// archive (the server decides; the client follows its event).
void TestChatSettingsUi::archivedChatReturnsWithANewMessage()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    QTRY_VERIFY_WITH_TIMEOUT(desk.session->chats()->summary(chatId).has_value(), 10000);
    std::unique_ptr<QMenu> menu(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Archive", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(shownChats(desk.window.get()).isEmpty(), 10000);
    QTRY_VERIFY(desk.window->archiveRow()->isVisible());
    m_http->sendText(bob.token, chatId, u"Are you there?"_s);
    QTRY_COMPARE_WITH_TIMEOUT(shownChats(desk.window.get()), QStringList { chatId }, 10000);
    QVERIFY(!desk.window->archiveRow()->isVisible());
    QCOMPARE(serverSettings(ann, chatId).value(u"archived"), false);
}

// A muted chat: a crossed-out bell, a grey (not green) badge, no tray
// notification, and its unread messages left out of the total.
void TestChatSettingsUi::mutedChatShowsABellAGreyBadgeAndDoesNotNotify()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto cat = m_http->newUser(u"Cat"_s);
    const QString muted = m_http->personalChat(ann.token, bob.id);
    const QString loud = m_http->personalChat(ann.token, cat.id);
    patchSettings(ann, muted, { { u"muted_until"_s, qint64(Limits::chatMutedForever) } });
    const auto session = connectedSession(m_server, ann);
    MainWindow window(session.get(), nullptr, TrayController::Availability::Available);
    showAndActivate(&window);
    QSignalSpy notified(window.tray(), &TrayController::notified);
    QTRY_COMPARE_WITH_TIMEOUT(shownChats(&window).size(), 2, 10000);

    m_http->sendText(bob.token, muted, u"Quiet one"_s);
    m_http->sendText(cat.token, loud, u"Loud one"_s);
    // Cat's message came after Bob's: once it is notified, Bob's was not.
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 1, 10000);
    QCOMPARE(notified.first().at(0).toString(), loud);
    QTRY_COMPARE_WITH_TIMEOUT(session->chats()->summary(muted)->unreadCount, 1, 10000);
    QCOMPARE(session->chats()->unreadTotal(), 1);

    // The rows as painted: the muted one's badge is grey, the other's green.
    QListView *list = window.chatListView();
    list->clearSelection();
    QCoreApplication::processEvents();
    const QImage image = list->viewport()->grab().toImage();
    const auto countColour = [&image](const QRect &rect, const QColor &colour) {
        int count = 0;
        for (int y = rect.top(); y <= rect.bottom(); ++y) {
            for (int x = rect.left(); x <= rect.right(); ++x)
                count += image.pixelColor(x, y) == colour ? 1 : 0;
        }
        return count;
    };
    const ChatSearchModel *results = static_cast<ChatSearchModel *>(list->model());
    const QRect mutedRow = list->visualRect(results->indexOfChat(muted));
    const QRect loudRow = list->visualRect(results->indexOfChat(loud));
    const qreal scale = image.devicePixelRatio();
    const auto scaled
        = [scale](const QRect &rect) { return QRect(rect.topLeft() * scale, rect.size() * scale); };
    QVERIFY(countColour(scaled(mutedRow), Theme::mutedBadge) > 50);
    QCOMPARE(countColour(scaled(mutedRow), Theme::unreadBadge), 0);
    QVERIFY(countColour(scaled(loudRow), Theme::unreadBadge) > 50);
    QCOMPARE(countColour(scaled(loudRow), Theme::mutedBadge), 0);
    saveScreenshot(&window, u"chatlist-muted"_s);
}

// "Mark as unread" gives the row a blank badge (and the archive row its
// count); opening the chat takes it away, on the server too.
void TestChatSettingsUi::markAsUnreadAndOpeningClearsIt()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    m_http->sendText(bob.token, chatId, u"Read this later"_s);
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    ChatListModel *chats = desk.session->chats();
    QTRY_VERIFY_WITH_TIMEOUT(chats->summary(chatId).has_value(), 10000);
    std::unique_ptr<QMenu> menu(desk.window->chatContextMenu(chatId));
    // Unread messages: the menu offers to read them.
    QVERIFY(triggerAction(menu.get(), "Mark as read", mainWindowContext));
    QTRY_COMPARE_WITH_TIMEOUT(chats->summary(chatId)->unreadCount, 0, 10000);
    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(triggerAction(menu.get(), "Mark as unread", mainWindowContext));
    QTRY_VERIFY_WITH_TIMEOUT(
        chats->index(chats->rowOf(chatId)).data(ChatListModel::MarkedUnreadRole).toBool(), 10000);
    QCOMPARE(serverSettings(ann, chatId).value(u"marked_unread"), true);
    menu.reset(desk.window->chatContextMenu(chatId));
    QVERIFY(findAction(menu.get(), "Mark as read", mainWindowContext));

    desk.window->openChat(chatId);
    QTRY_VERIFY_WITH_TIMEOUT(
        !chats->index(chats->rowOf(chatId)).data(ChatListModel::MarkedUnreadRole).toBool(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(serverSettings(ann, chatId).value(u"marked_unread"), false, 10000);
}

// The chat list in the local cache keeps each chat's settings.
void TestChatSettingsUi::settingsSurviveTheLocalCache()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"cache.db"_s);
    ChatSummary summary;
    summary.chat.id = newUuid();
    summary.chat.members = { User { newUuid(), u"ann@example.com"_s, u"Ann"_s } };
    summary.chat.settings = ChatSettings { Limits::chatMutedForever, 3, true, true };
    {
        LocalCache cache(path);
        cache.saveChats({ summary });
    }
    LocalCache cache(path);
    const LocalCache::Account account = cache.loadAccount();
    QCOMPARE(account.chats.size(), 1);
    QVERIFY(account.chats.first().chat.settings.has_value());
    QCOMPARE(*account.chats.first().chat.settings, *summary.chat.settings);

    // And a window shows the three rows the README pictures.
    const auto ann = m_http->newUser(u"Ann"_s);
    QStringList chats;
    for (const QString &name : { u"Design team"_s, u"Bob"_s, u"Old project"_s, u"Cat"_s }) {
        const auto other = m_http->newUser(name);
        chats.append(m_http->personalChat(ann.token, other.id));
        m_http->sendText(other.token, chats.last(), u"News from "_s + name);
    }
    patchSettings(ann, chats[0], { { u"pinned"_s, true } });
    patchSettings(ann, chats[1], { { u"muted_until"_s, qint64(Limits::chatMutedForever) } });
    patchSettings(ann, chats[2], { { u"archived"_s, true } });
    SignedIn desk = signIn(m_server, ann);
    QVERIFY(desk.window);
    QTRY_COMPARE_WITH_TIMEOUT(shownChats(desk.window.get()).size(), 3, 10000);
    QCOMPARE(shownChats(desk.window.get()).first(), chats[0]);
    QVERIFY(desk.window->archiveRow()->isVisible());
    saveScreenshot(desk.window.get(), u"chatlist-settings"_s);
}

QTEST_MAIN(TestChatSettingsUi)
#include "tst_chat_settings_ui.moc"
