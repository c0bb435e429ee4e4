#include "ClientTestSupport.h"
#include "TestServer.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/LocalCache.h"
#include "client/models/MessageModel.h"
#include "client/ui/Composer.h"
#include "client/ui/ConnectionBanner.h"
#include "client/ui/DesktopApp.h"
#include "client/ui/LoginDialog.h"
#include "client/ui/MainWindow.h"
#include "client/ui/TimelineView.h"
#include "shared/ApiPaths.h"
#include "shared/Limits.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QListView>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// The desktop client without its server: it starts from the account's local
// cache, shows chats and history, keeps what the user does (sends, edits,
// deletions, drafts) across quitting, and catches up once the server is back.
// Real server processes (stopped and started again on the same data), real
// SQLite cache files, the real windows offscreen where it is about what the
// user sees.
class TestOffline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void startsFromTheCacheWithTheServerDownAndCatchesUp();
    void cacheIsPerAccountBoundedAndGoesWithSignOut();
    void workDoneOfflineIsSentAfterARestart();
    void reactionsMadeOfflineAreSentAfterARestart();
    void refusedMessageStaysForRetryAcrossARestart();
    void refusedSessionFallsBackToSignIn();

private:
    // A session that remembers itself (the token in a file, no keychain), as the app's does.
    struct Client
    {
        std::unique_ptr<SessionStore> store;
        std::unique_ptr<ClientSession> session;
    };
    static Client newClient(int messagesPerChat = LocalCache::defaultMessagesPerChat)
    {
        Client client;
        client.store = std::make_unique<SessionStore>();
        client.store->setKeychainEnabled(false);
        client.session = std::make_unique<ClientSession>(client.store.get());
        client.session->setCachedMessagesPerChat(messagesPerChat);
        client.session->live()->setReconnectBackoff(
            std::chrono::milliseconds(100), std::chrono::milliseconds(500));
        return client;
    }
    Client signedIn(const HttpClient::Account &account,
        int messagesPerChat = LocalCache::defaultMessagesPerChat)
    {
        Client client = newClient(messagesPerChat);
        client.session->signIn(m_server.url(u""_s).toString(), account.email, account.password);
        [&] {
            QTRY_COMPARE_WITH_TIMEOUT(
                client.session->live()->state(), LiveConnection::State::Connected, 15000);
        }();
        return client;
    }
    // A restart: the remembered session, signed in from the cache or not at all.
    static Client restored()
    {
        Client client = newClient();
        QSignalSpy finished(client.session.get(), &ClientSession::restoreFinished);
        client.session->restore();
        [&] {
            QVERIFY(!finished.isEmpty() || finished.wait(15000));
            QCOMPARE(finished.first().first().toBool(), true);
        }();
        return client;
    }
    // The chat as far as it is loaded, oldest first.
    static QStringList texts(MessageModel *model)
    {
        QStringList texts;
        for (int row = 0; row < model->rowCount(); ++row)
            texts.append(model->messageAt(row).text);
        return texts;
    }
    static QStringList titles(ChatListModel *chats)
    {
        QStringList titles;
        for (int row = 0; row < chats->rowCount(); ++row)
            titles.append(chats->index(row).data(ChatListModel::TitleRole).toString());
        return titles;
    }
    void sendAs(const HttpClient::Account &from, const QString &chatId, const QString &text)
    {
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, text } }, from.token),
            200);
    }
    // The chat's history as the server has it, oldest first.
    QList<QJsonObject> serverHistory(const QString &chatId, const QString &token)
    {
        QList<QJsonObject> history;
        for (const auto &message : m_http->get(ApiPaths::chatHistory(chatId), token)
                                       .object()
                                       .value(u"messages"_s)
                                       .toArray())
            history.append(message.toObject());
        std::sort(history.begin(), history.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value(u"seq"_s).toInteger() < b.value(u"seq"_s).toInteger();
        });
        return history;
    }
    static QStringList textsOf(const QList<QJsonObject> &history)
    {
        QStringList texts;
        for (const QJsonObject &message : history)
            texts.append(message.value(u"text"_s).toString());
        return texts;
    }
    qint64 unreadOnServer(const HttpClient::Account &who, const QString &chatId)
    {
        for (const QJsonValue &chat :
            m_http->get(u"/api/v1/chats/with-last-message"_s, who.token).json.array()) {
            if (chat.toObject().value(u"id").toString() == chatId)
                return chat.toObject().value(u"unread_count").toInteger();
        }
        return -1;
    }
    static QJsonObject byId(const QList<QJsonObject> &history, const QString &id)
    {
        for (const QJsonObject &message : history) {
            if (message.value(u"id"_s).toString() == id)
                return message;
        }
        return {};
    }
    static QStringList cacheFiles()
    {
        return QDir(LocalCache::directory()).entryList({ u"*.sqlite"_s }, QDir::Files);
    }
    void startServer() { QVERIFY2(m_server.start(), qPrintable(m_server.error())); }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestOffline::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // the cache, settings and token stay out of $HOME
    QCoreApplication::setOrganizationName(u"MessengerTests"_s);
    QCoreApplication::setApplicationName(u"tst_offline"_s);
    Q_INIT_RESOURCE(client);
    DesktopApp::installTranslations(u"en"_s);
    startServer();
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestOffline::init()
{
    // Every test starts on a machine that remembers nothing.
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).removeRecursively();
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .removeRecursively();
    QSettings().clear();
    if (m_server.processId() == 0)
        startServer();
}

// With the server down, a restart goes straight to the main window: the
// cached chats (names, previews, unread counts), a chat's cached history when
// opened, the banner saying it is not connected. When the server is back, what
// happened meanwhile appears, once and in order, and a draft survives the next
// restart.
void TestOffline::startsFromTheCacheWithTheServerDownAndCatchesUp()
{
    const auto ann = m_http->newUser(u"Ann Offline"_s);
    const auto bob = m_http->newUser(u"Bob Faraway"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    for (const QString &text : { u"one"_s, u"two"_s, u"three"_s })
        sendAs(bob, chatId, text);
    {
        Client client = signedIn(ann);
        MessageModel *model = client.session->messages(chatId);
        QTRY_COMPARE_WITH_TIMEOUT(
            texts(model), QStringList({ u"one"_s, u"two"_s, u"three"_s }), 15000);
    } // quit
    sendAs(bob, chatId, u"four"_s); // after Ann quit
    m_server.stop();

    auto app = std::make_unique<DesktopApp>();
    app->session()->live()->setReconnectBackoff(
        std::chrono::milliseconds(100), std::chrono::milliseconds(500));
    app->start();
    QTRY_VERIFY_WITH_TIMEOUT(app->mainWindow() != nullptr, 5000);
    QVERIFY(!app->loginDialog() || !app->loginDialog()->isVisible());
    MainWindow *window = app->mainWindow();
    QVERIFY(QTest::qWaitForWindowExposed(window));
    const QAbstractItemModel *list = window->chatListView()->model();
    QCOMPARE(list->rowCount(), 1);
    const QModelIndex chat = list->index(0, 0);
    QCOMPARE(chat.data(ChatListModel::TitleRole).toString(), u"Bob Faraway"_s);
    QCOMPARE(chat.data(ChatListModel::PreviewRole).toString(), u"three"_s);
    QCOMPARE(chat.data(ChatListModel::UnreadCountRole).toLongLong(), 3);
    auto *banner = window->findChild<ConnectionBanner *>();
    QVERIFY(banner);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 5000);
    QTRY_VERIFY2_WITH_TIMEOUT(
        banner->text().startsWith(u"Offline."_s), qPrintable(banner->text()), 5000);

    window->openChat(chatId);
    MessageModel *model = app->session()->messages(chatId);
    QCOMPARE(window->timeline()->model()->rowCount(), 3); // at once, from the cache
    QCOMPARE(texts(model), QStringList({ u"one"_s, u"two"_s, u"three"_s }));

    startServer(); // the same data
    QTRY_COMPARE_WITH_TIMEOUT(
        app->session()->live()->state(), LiveConnection::State::Connected, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(
        texts(model), QStringList({ u"one"_s, u"two"_s, u"three"_s, u"four"_s }), 15000);
    sendAs(bob, chatId, u"five"_s); // live now
    QTRY_COMPARE_WITH_TIMEOUT(
        texts(model), QStringList({ u"one"_s, u"two"_s, u"three"_s, u"four"_s, u"five"_s }), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(
        list->index(0, 0).data(ChatListModel::PreviewRole).toString(), u"five"_s, 5000);

    // A draft typed in the composer is there after the next restart.
    window->composer()->input()->setFocus();
    QTest::keyClicks(window->composer()->input(), u"see you"_s);
    QCOMPARE(app->session()->draft(chatId), u"see you"_s);
    app.reset(); // quit
    app = std::make_unique<DesktopApp>();
    app->start();
    QTRY_VERIFY_WITH_TIMEOUT(app->mainWindow() != nullptr, 5000);
    app->mainWindow()->openChat(chatId);
    QCOMPARE(app->mainWindow()->composer()->text(), u"see you"_s);
    // Started from the cache, with the server up: the whole history, once.
    QTRY_COMPARE_WITH_TIMEOUT(texts(app->session()->messages(chatId)),
        QStringList({ u"one"_s, u"two"_s, u"three"_s, u"four"_s, u"five"_s }), 15000);
}

// Each account has its own file: one user's chats never show for another on
// the same machine. A chat keeps only its newest messages, and Sign Out
// deletes the file.
void TestOffline::cacheIsPerAccountBoundedAndGoesWithSignOut()
{
    const auto ann = m_http->newUser(u"Ann Cached"_s);
    const auto bob = m_http->newUser(u"Bob Chatty"_s);
    const auto cat = m_http->newUser(u"Cat Other"_s);
    const auto dan = m_http->newUser(u"Dan Others"_s);
    const QString annChat = m_http->personalChat(ann.token, bob.id);
    const QString catChat = m_http->personalChat(cat.token, dan.id);
    for (int i = 1; i <= 12; ++i)
        sendAs(bob, annChat, u"message %1"_s.arg(i));
    sendAs(dan, catChat, u"for Cat"_s);

    constexpr int keep = 5;
    QString annCache;
    {
        Client client = signedIn(ann, keep);
        annCache = client.session->cache()->path();
        MessageModel *model = client.session->messages(annChat);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 12, 15000);
    }
    QString catCache;
    {
        Client client = signedIn(cat);
        catCache = client.session->cache()->path();
        QTRY_COMPARE_WITH_TIMEOUT(client.session->chats()->rowCount(), 1, 15000);
        QVERIFY(!titles(client.session->chats()).contains(u"Bob Chatty"_s));
    }
    QVERIFY(annCache != catCache);
    QCOMPARE(cacheFiles().size(), 2);

    // Only the newest `keep` of Ann's chat are on disk.
    {
        LocalCache cache(annCache);
        const QList<Message> kept = cache.messages(annChat);
        QStringList keptTexts;
        for (const Message &message : kept)
            keptTexts.append(message.text);
        QCOMPARE(keptTexts,
            QStringList({ u"message 8"_s, u"message 9"_s, u"message 10"_s, u"message 11"_s,
                u"message 12"_s }));
    }

    // Cat was the last to sign in: a restart with the server down shows Cat's
    // chats, and nothing of Ann's.
    m_server.stop();
    {
        Client client = restored();
        QCOMPARE(client.session->currentUser().id, cat.id);
        QCOMPARE(titles(client.session->chats()), QStringList({ u"Dan Others"_s }));
        QCOMPARE(texts(client.session->messages(catChat)), QStringList()); // never opened
        QVERIFY(client.session->messages(annChat)->rowCount() == 0);
    }
    startServer();
    // Restarted once more, then signed out: the file is gone, Ann's stays.
    {
        Client client = restored();
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        QVERIFY(QFile::exists(catCache));
        client.session->signOut();
        QVERIFY(!QFile::exists(catCache));
        QVERIFY(QFile::exists(annCache));
        QCOMPARE(cacheFiles().size(), 1);
    }
}

// Written, edited, deleted and drafted with the server down, then the app
// quits: after a restart the message shows as pending and the rest as done,
// and once the server is back each happens there exactly once.
void TestOffline::workDoneOfflineIsSentAfterARestart()
{
    const auto ann = m_http->newUser(u"Ann Outbox"_s);
    const auto bob = m_http->newUser(u"Bob Outbox"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    QString clientId;
    QString typoId;
    QString doomedId;
    {
        Client client = signedIn(ann);
        ClientSession *session = client.session.get();
        MessageModel *model = session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(model->isLoaded(), 15000);
        session->send(chatId, u"tpyo"_s);
        session->send(chatId, u"regret"_s);
        QTRY_COMPARE_WITH_TIMEOUT(session->live()->unacknowledgedCount(), 0, 15000);
        typoId = model->messageAt(model->rowCount() - 2).id;
        doomedId = model->messageAt(model->rowCount() - 1).id;
        sendAs(bob, chatId, u"ping"_s);
        QTRY_VERIFY_WITH_TIMEOUT(texts(model).endsWith(u"ping"_s), 15000);
        QCOMPARE(session->chats()->index(0).data(ChatListModel::UnreadCountRole).toLongLong(), 1);

        m_server.stop();
        QTRY_VERIFY_WITH_TIMEOUT(
            session->live()->state() != LiveConnection::State::Connected, 15000);
        session->send(chatId, u"written offline"_s);
        clientId = model->messageAt(model->rowCount() - 1).clientId.value_or(QString());
        QVERIFY(!clientId.isEmpty());
        session->edit(typoId, u"typo"_s);
        session->remove(doomedId);
        session->setDraft(chatId, u"half a thought"_s);
        session->markRead(chatId, model->messageAt(int(texts(model).indexOf(u"ping"_s))).seq);
        QCOMPARE(session->chats()->index(0).data(ChatListModel::UnreadCountRole).toLongLong(), 0);
        // Shown at once, not reverted.
        QCOMPARE(model->messageAt(model->rowOfId(typoId)).text, u"typo"_s);
        QVERIFY(model->messageAt(model->rowOfId(doomedId)).deleted);
    } // quit with all of it unsent

    {
        Client client = restored(); // still down
        ClientSession *session = client.session.get();
        QCOMPARE(session->live()->unacknowledgedCount(), 1);
        MessageModel *model = session->messages(chatId);
        const int pending = model->rowOfClientId(clientId);
        QVERIFY(pending >= 0);
        QCOMPARE(model->messageAt(pending).text, u"written offline"_s);
        QCOMPARE(
            model->index(pending).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>(),
            MessageModel::Delivery::Pending);
        QCOMPARE(model->messageAt(model->rowOfId(typoId)).text, u"typo"_s);
        QVERIFY(model->messageAt(model->rowOfId(doomedId)).deleted);
        QCOMPARE(session->draft(chatId), u"half a thought"_s);
        QCOMPARE(session->chats()->index(0).data(ChatListModel::UnreadCountRole).toLongLong(), 0);
        QCOMPARE(session->chats()->index(0).data(ChatListModel::DraftRole).toString(),
            u"half a thought"_s);
    } // and quit again before the server is back

    startServer();
    {
        Client client = restored();
        ClientSession *session = client.session.get();
        QTRY_COMPARE_WITH_TIMEOUT(
            session->live()->state(), LiveConnection::State::Connected, 15000);
        MessageModel *model = session->messages(chatId);
        QTRY_COMPARE_WITH_TIMEOUT(session->live()->unacknowledgedCount(), 0, 15000);
        // Acknowledged: no longer pending, the server's message in its place.
        QTRY_COMPARE_WITH_TIMEOUT(model->rowOfClientId(clientId), -1, 15000);
        const int sent = int(texts(model).indexOf(u"written offline"_s));
        QVERIFY(sent >= 0);
        QVERIFY(model->messageAt(sent).seq > 0);
        // The server has it exactly once, with its first client_id; the edit
        // and the deletion are applied.
        QTRY_COMPARE_WITH_TIMEOUT(
            textsOf(serverHistory(chatId, bob.token)).count(u"written offline"_s), 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(
            byId(serverHistory(chatId, bob.token), doomedId).value(u"deleted"_s).toBool(), 15000);
        QTRY_COMPARE_WITH_TIMEOUT(
            byId(serverHistory(chatId, bob.token), typoId).value(u"text"_s).toString(), u"typo"_s,
            15000);
        // Read offline: read on the server, and still read once the list is reloaded.
        QTRY_COMPARE_WITH_TIMEOUT(unreadOnServer(ann, chatId), 0, 15000);
        QCOMPARE(session->chats()->index(0).data(ChatListModel::UnreadCountRole).toLongLong(), 0);
        const QList<QJsonObject> history = serverHistory(chatId, ann.token);
        QCOMPARE(history.last().value(u"text"_s).toString(), u"written offline"_s);
        QCOMPARE(history.last().value(u"client_id"_s).toString(), clientId);
        // A later message from Bob arrives after everything else, once.
        sendAs(bob, chatId, u"got it"_s);
        QTRY_VERIFY_WITH_TIMEOUT(texts(model).endsWith(u"got it"_s), 15000);
        QCOMPARE(texts(model).count(u"written offline"_s), 1);
    }
    // Nothing is left to send: another restart sends nothing again.
    {
        Client client = restored();
        QCOMPARE(client.session->live()->unacknowledgedCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        sendAs(bob, chatId, u"last"_s);
        MessageModel *model = client.session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(texts(model).endsWith(u"last"_s), 15000);
        QCOMPARE(textsOf(serverHistory(chatId, bob.token)).count(u"written offline"_s), 1);
    }
}

// Reactions made offline were refused ("Reaction not saved") and lost. Now
// they are shown at once, kept across quitting, and sent when the server is
// back; taking one back before that sends only the outcome.
void TestOffline::reactionsMadeOfflineAreSentAfterARestart()
{
    const auto ann = m_http->newUser(u"Ann Reacts"_s);
    const auto bob = m_http->newUser(u"Bob Reacts"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString pingId = m_http->sendText(bob.token, chatId, u"ping"_s);
    const QString pongId = m_http->sendText(bob.token, chatId, u"pong"_s);
    const QString thumbs = u"\U0001F44D"_s;
    const QString heart = u"\u2764\uFE0F"_s;
    const QString party = u"\U0001F389"_s;
    const auto emojis = [](const Message &message) {
        QStringList mine;
        for (const Reaction &reaction : message.reactions)
            mine.append(reaction.emoji + (reaction.me ? u" me"_s : u""_s));
        return mine;
    };
    {
        Client client = signedIn(ann);
        ClientSession *session = client.session.get();
        MessageModel *model = session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(pongId) >= 0, 15000);
        m_server.stop();
        QTRY_VERIFY_WITH_TIMEOUT(
            session->live()->state() != LiveConnection::State::Connected, 15000);
        session->toggleReaction(pingId, thumbs);
        session->toggleReaction(pongId, heart);
        session->toggleReaction(pongId, heart); // taken back
        session->toggleReaction(pongId, party);
        // Shown at once, not reverted, no failure.
        QCOMPARE(
            emojis(model->messageAt(model->rowOfId(pingId))), QStringList { thumbs + u" me"_s });
        QCOMPARE(
            emojis(model->messageAt(model->rowOfId(pongId))), QStringList { party + u" me"_s });
    } // quit with them unsent
    {
        Client client = restored(); // still down
        MessageModel *model = client.session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOfId(pongId) >= 0, 15000);
        QCOMPARE(
            emojis(model->messageAt(model->rowOfId(pingId))), QStringList { thumbs + u" me"_s });
        QCOMPARE(
            emojis(model->messageAt(model->rowOfId(pongId))), QStringList { party + u" me"_s });
    }
    startServer();
    {
        Client client = restored();
        QTRY_COMPARE_WITH_TIMEOUT(
            client.session->live()->state(), LiveConnection::State::Connected, 15000);
        const auto onServer = [&](const QString &messageId) {
            QStringList found;
            for (const QJsonValue &reaction :
                byId(serverHistory(chatId, bob.token), messageId).value(u"reactions"_s).toArray())
                found.append(reaction.toObject().value(u"emoji"_s).toString());
            return found;
        };
        QTRY_COMPARE_WITH_TIMEOUT(onServer(pingId), QStringList { thumbs }, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(onServer(pongId), QStringList { party }, 15000);
        MessageModel *model = client.session->messages(chatId);
        QTRY_COMPARE_WITH_TIMEOUT(emojis(model->messageAt(model->rowOfId(pongId))),
            QStringList { party + u" me"_s }, 15000);
    }
}

// A message the server refused showed as failed (Retry, Delete) until the
// app quit, then was gone with its text. Now it comes back marked, is never
// sent by itself, and goes for good once deleted.
void TestOffline::refusedMessageStaysForRetryAcrossARestart()
{
    const auto ann = m_http->newUser(u"Ann Refused"_s);
    const auto bob = m_http->newUser(u"Bob Refused"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QString tooLong(Limits::messageTextMax + 1, u'x');
    QString clientId;
    const auto delivery = [](MessageModel *model, int row) {
        return model->index(row).data(MessageModel::DeliveryRole).value<MessageModel::Delivery>();
    };
    {
        Client client = signedIn(ann);
        ClientSession *session = client.session.get();
        MessageModel *model = session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(model->isLoaded(), 15000);
        session->send(chatId, tooLong);
        clientId = model->messageAt(model->rowCount() - 1).clientId.value_or(QString());
        QVERIFY(!clientId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(
            delivery(model, model->rowOfClientId(clientId)), MessageModel::Delivery::Failed, 15000);
    }
    {
        Client client = restored();
        ClientSession *session = client.session.get();
        QTRY_COMPARE_WITH_TIMEOUT(
            session->live()->state(), LiveConnection::State::Connected, 15000);
        QCOMPARE(session->live()->unacknowledgedCount(), 0); // not sent again
        MessageModel *model = session->messages(chatId);
        const int row = model->rowOfClientId(clientId);
        QVERIFY(row >= 0);
        QCOMPARE(model->messageAt(row).text, tooLong);
        QCOMPARE(delivery(model, row), MessageModel::Delivery::Failed);
        // Something sent after it reaches the server, the refused one never.
        session->send(chatId, u"shorter"_s);
        QTRY_COMPARE_WITH_TIMEOUT(
            textsOf(serverHistory(chatId, bob.token)), QStringList { u"shorter"_s }, 15000);
        session->discardFailed(chatId, clientId);
        QCOMPARE(model->rowOfClientId(clientId), -1);
    }
    {
        Client client = restored();
        MessageModel *model = client.session->messages(chatId);
        QTRY_VERIFY_WITH_TIMEOUT(texts(model).contains(u"shorter"_s), 15000);
        QCOMPARE(model->rowOfClientId(clientId), -1);
        QVERIFY(!texts(model).contains(tooLong));
    }
}

// A remembered session the server refuses (401 on refresh): the window shown
// from the cache gives way to the sign-in form.
void TestOffline::refusedSessionFallsBackToSignIn()
{
    const auto ann = m_http->newUser(u"Ann Refused"_s);
    const auto bob = m_http->newUser(u"Bob Refused"_s);
    m_http->personalChat(ann.token, bob.id);
    QString tokenFile;
    {
        Client client = signedIn(ann);
        tokenFile = client.store->fallbackFile();
        QTRY_COMPARE_WITH_TIMEOUT(client.session->chats()->rowCount(), 1, 15000);
    }
    // The session ended elsewhere: the remembered token is no longer valid.
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString refreshToken = QString::fromUtf8(file.readAll()).trimmed();
    file.close();
    COMPARE_STATUS(m_http->post(ApiPaths::authLogout.toString(),
                       { { u"refresh_token"_s, refreshToken } }, ann.token),
        204);

    DesktopApp app;
    app.start();
    QTRY_VERIFY_WITH_TIMEOUT(app.loginDialog() && app.loginDialog()->isVisible(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(!app.mainWindow(), 5000);
    QCOMPARE(app.session()->state(), ClientSession::State::SignedOut);
}

QTEST_MAIN(TestOffline)
#include "tst_offline.moc"
