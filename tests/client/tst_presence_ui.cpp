#include "DesktopTestSupport.h"
#include "TestServer.h"
#include "WsClient.h"
#include "client/api/LiveConnection.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/Presentation.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/SettingsDialog.h"
#include "client/ui/Theme.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QListView>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// Presence in the desktop app (issue 16): the green dot on the avatar of a
// personal chat whose person is online, "online" / "last seen ..." in the
// chat header (typing still wins there), read on connecting and followed
// through the `presence` frames, and Settings → Privacy; offscreen real
// widgets against a real server.
class TestPresenceUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void lastSeenWording();
    void dotAndHeaderFollowPresence();
    void typingWinsOverPresence();
    void privacyNobodyFromSettings();

private:
    static QString translated(const char *text, int n = -1)
    {
        return QCoreApplication::translate("Messenger::Client::Presentation", text, nullptr, n);
    }
    static QLabel *headerSubtitle(MainWindow *window)
    {
        return window->findChild<QLabel *>(u"headerSubtitle"_s);
    }
    static bool onlineDotShown(ChatListModel *chats, const QString &chatId)
    {
        return chats->index(chats->rowOf(chatId)).data(ChatListModel::OnlineRole).toBool();
    }
    // The colour painted where the dot goes: the avatar's bottom-right corner.
    static QColor dotPixel(MainWindow *window, const QString &chatId)
    {
        QListView *list = window->chatListView();
        const QRect row = list->visualRect(list->model()->index(rowIn(list, chatId), 0));
        const QImage image = list->viewport()->grab().toImage();
        // The avatar is 46 px, `padding` from the left, centred vertically;
        // the dot (13 px) sits on its bottom-right corner.
        const int avatarLeft = row.left() + padding;
        const int avatarTop = row.top() + (row.height() - 46) / 2;
        return image.pixelColor(avatarLeft + 46 - 7, avatarTop + 46 - 7);
    }
    static constexpr int padding = 8; // ChatListDelegate's
    static int rowIn(QListView *list, const QString &chatId)
    {
        for (int row = 0; row < list->model()->rowCount(); ++row) {
            if (list->model()->index(row, 0).data(ChatListModel::ChatIdRole).toString() == chatId)
                return row;
        }
        return -1;
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestPresenceUi::initTestCase()
{
    prepareDesktopTestCase(u"tst_presence_ui"_s);
    // Offline one second after the last socket closes, so the test need not wait 10.
    qputenv("PRESENCE_GRACE", "1");
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestPresenceUi::init()
{
    resetClientState(m_server);
}

void TestPresenceUi::lastSeenWording()
{
    const QDateTime now(QDate(2026, 11, 30), QTime(18, 30));
    const QLocale locale(QLocale::English);
    QCOMPARE(Presentation::presence(true, std::nullopt, now, locale), translated("online"));
    QCOMPARE(
        Presentation::presence(false, std::nullopt, now, locale), translated("last seen recently"));
    QCOMPARE(Presentation::presence(false, now.addSecs(-20), now, locale),
        translated("last seen just now"));
    QCOMPARE(Presentation::presence(false, now.addSecs(-5 * 60), now, locale),
        translated("last seen %n minute(s) ago", 5));
    const QDateTime today(now.date(), QTime(14, 2));
    QCOMPARE(Presentation::presence(false, today, now, locale),
        translated("last seen today at %1").arg(Presentation::messageTime(today, locale)));
    QVERIFY(Presentation::messageTime(today, locale).startsWith(u"2:02"_s));
    const QDateTime yesterday(now.date().addDays(-1), QTime(14, 2));
    QCOMPARE(Presentation::presence(false, yesterday, now, locale),
        translated("last seen yesterday at %1").arg(Presentation::messageTime(yesterday, locale)));
    const QDateTime lastWeek(QDate(2026, 11, 24), QTime(9, 5));
    QCOMPARE(Presentation::presence(false, lastWeek, now, locale),
        translated("last seen %1 at %2")
            .arg(u"24 November"_s, Presentation::messageTime(lastWeek, locale)));
}

void TestPresenceUi::dotAndHeaderFollowPresence()
{
    const auto ann = m_http->newUser(u"Ann Presence"_s);
    const auto bob = m_http->newUser(u"Bob Presence"_s);
    const auto cat = m_http->newUser(u"Cat Presence"_s);
    const QString withBob = m_http->personalChat(ann.token, bob.id);
    const QString withCat = m_http->personalChat(ann.token, cat.id);
    // Bob is online before Ann connects: she reads it, no frame replays it.
    auto bobSocket = std::make_unique<WsClient>(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(bobSocket->greeted());
    SignedIn client = signIn(m_server, ann);
    QVERIFY(!QTest::currentTestFailed());
    ChatListModel *chats = client.session->chats();
    QTRY_VERIFY_WITH_TIMEOUT(onlineDotShown(chats, withBob), 10000);
    QVERIFY(!onlineDotShown(chats, withCat));
    QTRY_COMPARE_WITH_TIMEOUT(dotPixel(client.window.get(), withBob), Theme::unreadBadge, 5000);
    QVERIFY(dotPixel(client.window.get(), withCat) != Theme::unreadBadge);
    client.window->openChat(withBob);
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), translated("online"), 5000);
    // Cat never connected: nothing known but that, so the header says so.
    client.window->openChat(withCat);
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), translated("last seen recently"), 5000);

    // Cat comes online and Bob leaves: both arrive as frames.
    WsClient catSocket(m_server.webSocketUrl(u"/ws/user"_s, cat.token));
    QVERIFY(catSocket.greeted());
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), translated("online"), 10000);
    QVERIFY(onlineDotShown(chats, withCat));
    client.window->openChat(withBob);
    bobSocket.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!onlineDotShown(chats, withBob), 10000);
    QCOMPARE(headerSubtitle(client.window.get())->text(), translated("last seen just now"));
    QTRY_VERIFY_WITH_TIMEOUT(dotPixel(client.window.get(), withBob) != Theme::unreadBadge, 5000);
}

void TestPresenceUi::typingWinsOverPresence()
{
    const auto ann = m_http->newUser(u"Ann Typing"_s);
    const auto bob = m_http->newUser(u"Bob Typing"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    WsClient bobSocket(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(bobSocket.greeted());
    SignedIn client = signIn(m_server, ann);
    QVERIFY(!QTest::currentTestFailed());
    client.session->chats()->setTypingLifetime(std::chrono::milliseconds(800));
    client.window->openChat(chatId);
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), translated("online"), 10000);
    bobSocket.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), client.session->typingText(chatId), 5000);
    QVERIFY(!client.session->typingText(chatId).isEmpty());
    // The notice over, presence is back.
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), translated("online"), 5000);
}

void TestPresenceUi::privacyNobodyFromSettings()
{
    const auto ann = m_http->newUser(u"Ann Private"_s);
    const auto bob = m_http->newUser(u"Bob Private"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    WsClient bobSocket(m_server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(bobSocket.greeted());
    SignedIn client = signIn(m_server, ann);
    QVERIFY(!QTest::currentTestFailed());
    QTRY_VERIFY_WITH_TIMEOUT(onlineDotShown(client.session->chats(), chatId), 10000);

    SettingsDialog dialog(client.session.get());
    QSignalSpy loaded(&dialog, &SettingsDialog::privacyLoaded);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 10000);
    QCOMPARE(loaded.first().first().toBool(), true);
    QComboBox *visibility = dialog.presenceVisibility();
    QVERIFY(visibility->isEnabled());
    QCOMPARE(visibility->currentData().toString(), u"everyone"_s);
    QCOMPARE(visibility->itemText(1),
        QCoreApplication::translate("Messenger::Client::SettingsDialog", "Nobody"));

    QSignalSpy saved(&dialog, &SettingsDialog::privacySaved);
    visibility->setFocus();
    QTest::keyClick(visibility, Qt::Key_Down); // "Nobody"
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 10000);
    QCOMPARE(saved.first().first().toBool(), true);
    QCOMPARE(m_http->get(u"/api/v1/users/me/privacy"_s, ann.token)
                 .object()
                 .value(u"presence_visible"_s)
                 .toString(),
        u"nobody"_s);
    // Hiding your own presence hides everyone's from you.
    QTRY_VERIFY_WITH_TIMEOUT(!onlineDotShown(client.session->chats(), chatId), 10000);
    client.window->openChat(chatId);
    QTRY_COMPARE_WITH_TIMEOUT(
        headerSubtitle(client.window.get())->text(), translated("last seen recently"), 5000);
    // And Bob sees Ann hidden.
    const Reply seen = m_http->get(u"/api/v1/presence?user_ids="_s + ann.id, bob.token);
    QCOMPARE(
        seen.object().value(u"users"_s).toArray().first().toObject().value(u"online"_s).toBool(),
        false);
}

QTEST_MAIN(TestPresenceUi)
#include "tst_presence_ui.moc"
