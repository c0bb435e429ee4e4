#include "ClientTestSupport.h"
#include "TestServer.h"
#include "client/api/ApiClient.h"
#include "client/api/LiveConnection.h"
#include "client/api/SessionStore.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

// One signed-in user of the desktop app's api layer: a client and its socket,
// recording every message the socket delivers.
struct LiveUser
{
    LiveUser(TestServer &server, const HttpClient::Account &account)
        : live(&api)
    {
        api.setBaseUrl(server.url(u"/"_s));
        api.setTokens(account.token, account.refreshToken);
        QObject::connect(&live, &LiveConnection::messageReceived,
            [this](const Message &message) { received.append(message); });
    }
    bool connectNow()
    {
        live.connectToServer();
        QElapsedTimer timer;
        timer.start();
        while (live.state() != LiveConnection::State::Connected && timer.elapsed() < 15000)
            QTest::qWait(10);
        return live.state() == LiveConnection::State::Connected;
    }
    QStringList texts() const
    {
        QStringList result;
        for (const Message &message : received)
            result.append(message.text);
        return result;
    }
    ApiClient api;
    LiveConnection live;
    QList<Message> received;
};

class TestLiveConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void receivesLiveAndSendsWithAck();
    void resumesAfterDropsWithNothingLostOrDuplicated();
    void outboxSurvivesServerRestartWithoutDuplicates();
    void reconnectsAsSoonAsTheServerIsBack();
    void refusedTokenIsRefreshedAndReconnects();
    void renewsItsTokenOverTheSocketAndEndsWithItsSession();
    void rateLimitedSendsGoAgainLater();
    void sessionStoreFallsBackToAPrivateFile();

private:
    QString personalChat(const HttpClient::Account &a, const HttpClient::Account &b)
    {
        return m_http->personalChat(a.token, b.id);
    }
    void restServerSend(const HttpClient::Account &from, const QString &chatId, const QString &text)
    {
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, text } }, from.token),
            200);
    }

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestLiveConnection::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestLiveConnection::receivesLiveAndSendsWithAck()
{
    const auto annAccount = m_http->newUser(u"Ann"_s);
    const auto bobAccount = m_http->newUser(u"Bob"_s);
    const QString chatId = personalChat(annAccount, bobAccount);
    LiveUser ann(m_server, annAccount);
    LiveUser bob(m_server, bobAccount);
    QSignalSpy states(&bob.live, &LiveConnection::stateChanged);
    QVERIFY(ann.connectNow() && bob.connectNow());
    QCOMPARE(
        states.first().first().value<LiveConnection::State>(), LiveConnection::State::Connecting);

    QSignalSpy acked(&ann.live, &LiveConnection::acknowledged);
    const QString clientId = ann.live.send(chatId, u"hello over the socket"_s);
    QVERIFY(acked.wait(10000));
    QCOMPARE(acked.first().at(0).toString(), clientId);
    const Message stored = acked.first().at(1).value<Message>();
    QCOMPARE(stored.text, u"hello over the socket"_s);
    QCOMPARE(ann.live.unacknowledgedCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(bob.texts(), QStringList { u"hello over the socket"_s }, 10000);
    QCOMPARE(bob.received.first().id, stored.id);
    QCOMPARE(bob.live.resumeSeq(), stored.seq);

    // Typing reaches the other side, and is throttled on ours.
    QSignalSpy typing(&bob.live, &LiveConnection::typingReceived);
    ann.live.sendTyping(chatId);
    ann.live.sendTyping(chatId);
    QVERIFY(typing.wait(10000));
    // The barrier: a message Ann sends after them. The server does not order
    // typing against other commands, but a notice's relay is one read started
    // before this send, which needs a commit and then the event feed to reach
    // Bob: a second notice would arrive first.
    ann.live.send(chatId, u"after typing"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bob.texts().size(), 2, 10000);
    QCOMPARE(bob.texts().last(), u"after typing"_s);
    QCOMPARE(typing.size(), 1);
    QCOMPARE(typing.first().at(1).toString(), annAccount.id);

    // A send the server refuses is final and reported.
    QSignalSpy failed(&ann.live, &LiveConnection::sendFailed);
    ann.live.send(u"00000000-0000-4000-8000-000000000000"_s, u"nowhere"_s);
    QVERIFY(failed.wait(10000));
    QCOMPARE(ann.live.unacknowledgedCount(), 0);
}

void TestLiveConnection::resumesAfterDropsWithNothingLostOrDuplicated()
{
    const auto annAccount = m_http->newUser(u"Ann"_s);
    const auto bobAccount = m_http->newUser(u"Bob"_s);
    const QString chatId = personalChat(annAccount, bobAccount);
    LiveUser bob(m_server, bobAccount);
    QVERIFY(bob.connectNow());

    // Ann keeps sending while Bob's connection drops three times.
    QStringList sent;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 10; ++i) {
            const QString text = u"m%1-%2"_s.arg(round).arg(i);
            restServerSend(annAccount, chatId, text);
            sent.append(text);
            if (i == 4)
                bob.live.abortConnection();
        }
        QTRY_COMPARE_WITH_TIMEOUT(
            bob.live.state(), LiveConnection::State::WaitingToReconnect, 5000);
        bob.live.reconnectNow();
        QTRY_COMPARE_WITH_TIMEOUT(bob.live.state(), LiveConnection::State::Connected, 10000);
    }
    // A message committed after all of them reaches Bob after them (the
    // barrier): anything lost or repeated shows before it.
    restServerSend(annAccount, chatId, u"barrier"_s);
    sent.append(u"barrier"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!bob.texts().isEmpty() && bob.texts().last() == u"barrier"_s, 15000);
    QCOMPARE(bob.texts(), sent);
}

void TestLiveConnection::outboxSurvivesServerRestartWithoutDuplicates()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto annAccount = http.newUser(u"Ann"_s);
    const auto bobAccount = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(annAccount.token, bobAccount.id);
    LiveUser ann(server, annAccount);
    QVERIFY(ann.connectNow());
    QSignalSpy acked(&ann.live, &LiveConnection::acknowledged);
    ann.live.send(chatId, u"before"_s);
    QVERIFY(acked.wait(10000));

    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(ann.live.state(), LiveConnection::State::WaitingToReconnect, 10000);
    QVERIFY(ann.live.secondsUntilReconnect() >= 0);
    // Written while the server is down: kept, not lost.
    ann.live.send(chatId, u"while down 1"_s);
    ann.live.send(chatId, u"while down 2"_s);
    QCOMPARE(ann.live.unacknowledgedCount(), 2);

    QVERIFY2(server.start(), qPrintable(server.error()));
    ann.live.reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 3, 20000);
    QCOMPARE(ann.live.unacknowledgedCount(), 0);
    // The server has each exactly once, in the order written.
    const Reply history
        = http.get(u"/api/v1/chats/%1/history?limit=10"_s.arg(chatId), bobAccount.token);
    QStringList texts;
    for (const QJsonValue &message : history.object().value(u"messages").toArray())
        texts.prepend(message.toObject().value(u"text").toString());
    QCOMPARE(texts, (QStringList { u"before"_s, u"while down 1"_s, u"while down 2"_s }));
}

// A server that comes back is noticed within seconds (the client asks
// /health while it waits), not at the end of its backoff: with a minute's
// backoff, connecting again at all within the wait below proves it.
void TestLiveConnection::reconnectsAsSoonAsTheServerIsBack()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    LiveUser ann(server, http.newUser(u"Ann"_s));
    ann.live.setReconnectBackoff(std::chrono::minutes(1), std::chrono::minutes(1));
    QVERIFY(ann.connectNow());

    server.stop();
    QTRY_COMPARE_WITH_TIMEOUT(ann.live.state(), LiveConnection::State::WaitingToReconnect, 10000);
    QVERIFY(ann.live.secondsUntilReconnect() > 40);
    QVERIFY2(server.start(), qPrintable(server.error()));
    QTRY_COMPARE_WITH_TIMEOUT(ann.live.state(), LiveConnection::State::Connected, 20000);
}

// A burst beyond the server's message limit is not a failure: the refused
// sends wait out retry_after and go again, and each is stored once.
void TestLiveConnection::rateLimitedSendsGoAgainLater()
{
    TestServer limited;
    QVERIFY2(limited.start({ u"--message-rate"_s, u"5/3"_s }), qPrintable(limited.error()));
    HttpClient http(limited);
    const auto annAccount = http.newUser(u"Ann"_s);
    const auto bobAccount = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(annAccount.token, bobAccount.id);
    LiveUser ann(limited, annAccount);
    QVERIFY(ann.connectNow());
    QSignalSpy acked(&ann.live, &LiveConnection::acknowledged);
    QSignalSpy failed(&ann.live, &LiveConnection::sendFailed);
    QStringList sent;
    for (int i = 0; i < 8; ++i) {
        sent.append(u"burst %1"_s.arg(i));
        ann.live.send(chatId, sent.last());
    }
    QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 8, 20000);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(ann.live.unacknowledgedCount(), 0);
    const Reply history
        = http.get(u"/api/v1/chats/%1/history?limit=50"_s.arg(chatId), bobAccount.token);
    QStringList stored;
    for (const QJsonValue &message : history.object().value(u"messages").toArray())
        stored.prepend(message.toObject().value(u"text").toString());
    QCOMPARE(QSet<QString>(stored.cbegin(), stored.cend()).size(), 8);
    QCOMPARE(stored.size(), 8);
}

void TestLiveConnection::refusedTokenIsRefreshedAndReconnects()
{
    const auto annAccount = m_http->newUser(u"Ann"_s);
    LiveUser ann(m_server, annAccount);
    // An access token the server refuses (1008): the connection refreshes it.
    ann.api.setTokens(u"no.such.token"_s, annAccount.refreshToken);
    QVERIFY(ann.connectNow());
    QVERIFY(ann.api.accessToken() != u"no.such.token"_s);
    QCOMPARE(ann.api.refreshCount(), 1);
}

void TestLiveConnection::sessionStoreFallsBackToAPrivateFile()
{
    QTemporaryDir dir;
    SessionStore store;
    store.setFallbackFile(dir.filePath(u"session/token"_s));
    // No Secret Service runs here: the keychain fails and the file is used.
    QSignalSpy saved(&store, &SessionStore::saved);
    store.saveRefreshToken(u"refresh-secret"_s);
    QVERIFY(saved.size() == 1 || saved.wait(15000));
    QCOMPARE(saved.first().first().toBool(), false);
    QFile file(store.fallbackFile());
    QVERIFY(file.exists());
    QCOMPARE(file.permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    auto loaded = store.loadRefreshToken();
    QTRY_VERIFY_WITH_TIMEOUT(loaded.isFinished(), 15000);
    QCOMPARE(loaded.result(), u"refresh-secret"_s);
    store.clear();
    QVERIFY(!file.exists());
    auto cleared = store.loadRefreshToken();
    QTRY_VERIFY_WITH_TIMEOUT(cleared.isFinished(), 15000);
    QCOMPARE(cleared.result(), QString());
}

// A refreshed token goes over the open socket (`auth`), which the server
// then keeps past the old token's expiry; when the session is ended from
// another device the socket closes (4003), the refresh is refused and the
// client signs out instead of reconnecting.
void TestLiveConnection::renewsItsTokenOverTheSocketAndEndsWithItsSession()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    LiveUser user(m_server, ann);
    QVERIFY(user.connectNow());
    QSignalSpy states(&user.live, &LiveConnection::stateChanged);
    QSignalSpy renewed(&user.live, &LiveConnection::reauthenticated);
    VERIFY_OK(await(user.api.refresh()));
    QVERIFY(!renewed.isEmpty() || renewed.wait(10000));
    QVERIFY(renewed.first().first().toLongLong() > 60);
    QVERIFY(states.isEmpty()); // the same socket, never dropped

    const QString sessionId
        = QJsonDocument::fromJson(QByteArray::fromBase64(ann.token.section(u'.', 1, 1).toLatin1(),
                                      QByteArray::Base64UrlEncoding))
              .object()
              .value(u"sid")
              .toString();
    const Reply other = m_http->post(
        u"/api/v1/auth/token"_s, { { u"email"_s, ann.email }, { u"password"_s, ann.password } });
    COMPARE_STATUS(other, 200);
    QSignalSpy expired(&user.api, &ApiClient::sessionExpired);
    COMPARE_STATUS(m_http->request("DELETE", u"/api/v1/sessions/"_s + sessionId, {},
                       other.object().value(u"access_token").toString()),
        204);
    QVERIFY(!expired.isEmpty() || expired.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(user.live.state(), LiveConnection::State::Disconnected, 10000);
}

QTEST_MAIN(TestLiveConnection)
#include "tst_liveconnection.moc"
