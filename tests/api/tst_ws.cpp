#include "TestServer.h"
#include "WsClient.h"

#include <algorithm>

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>
#include <QWebSocket>

using namespace Qt::StringLiterals;

using Client = WsClient;

// Opens a WebSocket with a bare TCP socket, so the test controls what (not) to answer.
static bool rawHandshake(QTcpSocket &socket, const TestServer &server, const QString &token)
{
    socket.connectToHost(QHostAddress::LocalHost, server.url(u"/"_s).port());
    if (!socket.waitForConnected(5000))
        return false;
    socket.write("GET /ws/user?token=" + token.toLatin1()
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return socket.waitForReadyRead(5000);
}

// A client's ping frame (masked, as RFC 6455 requires of clients).
static QByteArray maskedPing(const QByteArray &payload)
{
    const char mask[4] = { 0x11, 0x22, 0x33, 0x44 };
    QByteArray frame;
    frame.append(char(0x89));
    frame.append(char(0x80 | payload.size()));
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

// What a raw client read from the server: its frames by opcode, and the close frame's contents.
struct ServerFrames
{
    int pongs = 0;
    int closeCode = -1;
    QByteArray closeReason;
};

static ServerFrames parseServerFrames(const QByteArray &received)
{
    ServerFrames result;
    qsizetype at = received.indexOf("\r\n\r\n");
    if (at < 0)
        return result;
    at += 4;
    while (at + 2 <= received.size()) {
        const quint8 opcode = quint8(received.at(at)) & 0x0f;
        quint64 length = quint8(received.at(at + 1)) & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (at + 4 > received.size())
                break;
            length = (quint8(received.at(at + 2)) << 8) | quint8(received.at(at + 3));
            header = 4;
        } else if (length == 127) {
            if (at + 10 > received.size())
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | quint8(received.at(at + 2 + i));
            header = 10;
        }
        if (at + header + qsizetype(length) > received.size())
            break;
        const QByteArray payload = received.mid(at + header, qsizetype(length));
        if (opcode == 0xA)
            ++result.pongs;
        if (opcode == 0x8 && payload.size() >= 2) {
            result.closeCode = (quint8(payload.at(0)) << 8) | quint8(payload.at(1));
            result.closeReason = payload.mid(2);
        }
        at += header + qsizetype(length);
    }
    return result;
}

// Reads until the server has closed the connection (or 20 s passed).
static QByteArray readUntilClosed(QTcpSocket &socket, QByteArray received = {})
{
    socket.setReadBufferSize(0);
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 20000) {
        socket.waitForReadyRead(100);
        received += socket.readAll();
    }
    return received + socket.readAll();
}

class TestWs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    // First: no other instance of this database has been heard yet.
    void aLoneInstanceNotifiesNobody();
    void ownCommitsAreReadWhenNeeded();
    void ownSendsGoLiveWithoutReadingBack();
    void aSendThatReadOutdatedMembersGoesThroughTheLog();
    void deliveryOnlyToMembers();
    void seedChatSocket();
    void sendAckAndIdempotentRetry();
    void resumeWithoutLossOrDuplicates();
    void typingAndRead();
    void badTokenAndNonMember();
    void malformedAndOversizedFrames();
    void updatesOverRest();
    void twoInstancesChatLive();
    void idleInstanceReadsNoneOfABusyChat();
    void slowReaderIsCutOff();
    void silentClientIsDroppedByKeepalive();
    void connectionsPerUserAreCapped();
    void pingFloodCountsAsFrames();
    void pongsCountTowardsOutbound();
    void simultaneousOpensRespectCaps();
    void survivesDatabaseConnectionLoss();
    void refusedSendsEchoClientIdAndCode_data();
    void refusedSendsEchoClientIdAndCode();
    void readAndTypingErrorsEchoClientId();
    void greetingNamesWhereTheStreamStarts();

private:
    QUrl wsUrl(const QString &path) const { return m_server.webSocketUrl(path); }
    QString personalChat(const HttpClient::Account &a, const HttpClient::Account &b)
    {
        return m_http->personalChat(a.token, b.id);
    }
    qsizetype newChatBarrier(Client &client, const HttpClient::Account &account);

    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestWs::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

// The barrier for "nothing else arrived": gives `account` (whom `client` is
// signed in as) a new chat and returns where its `chat` event is among the
// client's frames (-1: it never came). The event feed delivers in commit
// order, so whatever was committed before and wrongly sent to this client
// arrived before the barrier; frames sent directly (typing) too, when they
// were written before the barrier was committed.
qsizetype TestWs::newChatBarrier(Client &client, const HttpClient::Account &account)
{
    const QString chatId = personalChat(m_http->newUser(u"Barrier"_s), account);
    const auto barrier = [&client, &chatId] {
        for (qsizetype i = 0; i < client.frames.size(); ++i) {
            const QJsonObject &frame = client.frames.at(i);
            if (frame.value(u"type").toString() == u"chat"_s
                && frame.value(u"data").toObject().value(u"id").toString() == chatId)
                return i;
        }
        return qsizetype(-1);
    };
    [[maybe_unused]] const bool arrived = QTest::qWaitFor([&] { return barrier() >= 0; }, 10000);
    return barrier();
}

void TestWs::deliveryOnlyToMembers()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId = personalChat(alice, bob);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    Client b(wsUrl(u"/ws/user?token="_s + bob.token));
    Client c(wsUrl(u"/ws/user?token="_s + carol.token));
    QVERIFY(a.waitFrames(1) && b.waitFrames(1) && c.waitFrames(1));
    QCOMPARE(b.frames.first().value(u"status").toString(), u"connected"_s);
    QCOMPARE(b.frames.first().value(u"user_id").toString(), bob.id);
    // Concurrent senders over REST: every member sees every message, in seq order.
    for (int i = 0; i < 20; ++i)
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"m%1"_s.arg(i) } },
            i % 2 ? alice.token : bob.token);
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"message"_s).size(), 20, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 20, 10000);
    qint64 last = 0;
    for (const QJsonObject &frame : b.ofType(u"message"_s)) {
        const qint64 seq = frame.value(u"data").toObject().value(u"seq").toInteger();
        QVERIFY(seq > last);
        last = seq;
    }
    QCOMPARE(newChatBarrier(c, carol), 1); // the greeting, nothing else
    QVERIFY(newChatBarrier(b, bob) > 0);
    QCOMPARE(b.ofType(u"message"_s).size(), 20); // no duplicates
}

void TestWs::seedChatSocket()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = personalChat(alice, bob);
    const QString other = personalChat(alice, m_http->newUser(u"Dan"_s));
    Client b(wsUrl(u"/ws/%1?token=%2"_s.arg(chatId, bob.token)));
    Client a(wsUrl(u"/ws/%1?token=%2"_s.arg(chatId, alice.token)));
    QVERIFY(b.waitFrames(1) && a.waitFrames(1));
    QCOMPARE(b.frames.first().value(u"chat_id").toString(), chatId);
    a.sendJson({ { u"text"_s, u"hello"_s } });
    QVERIFY(b.waitFrames(2));
    QVERIFY(a.waitFrames(2)); // the sender's socket too, as in the seed
    const QJsonObject data = b.frames.at(1).value(u"data").toObject();
    QCOMPARE(b.frames.at(1).value(u"type").toString(), u"message"_s);
    QCOMPARE(data.value(u"text").toString(), u"hello"_s);
    QCOMPARE(data.value(u"sender_name").toString(), u"Alice"_s);
    QCOMPARE(data.value(u"chat_id").toString(), chatId);
    // Another chat's messages never reach this socket.
    m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, other }, { u"text"_s, u"elsewhere"_s } }, alice.token);
    // This chat's next message, committed after it, arrives after it: the barrier.
    m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"barrier"_s } }, bob.token);
    QVERIFY(a.waitFrames(3));
    QCOMPARE(a.frames.at(2).value(u"data").toObject().value(u"text").toString(), u"barrier"_s);
    a.sendJson({ { u"text"_s, u"   "_s } });
    QVERIFY(a.waitFrames(4));
    QVERIFY(a.frames.at(3).contains(u"error"));
}

void TestWs::sendAckAndIdempotentRetry()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = personalChat(alice, bob);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    QVERIFY(a.waitFrames(1));
    const QString clientId = u"3b0f3b4e-94b5-4c67-9a77-6b7c6a0d1e01"_s;
    const QJsonObject send { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
        { u"text"_s, u"once"_s }, { u"client_id"_s, clientId } };
    a.sendJson(send);
    a.sendJson(send);
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"ack"_s).size(), 2, 10000);
    const auto acks = a.ofType(u"ack"_s);
    QCOMPARE(acks[0].value(u"client_id").toString(), clientId);
    QCOMPARE(acks[0].value(u"data").toObject().value(u"id"),
        acks[1].value(u"data").toObject().value(u"id"));
    QCOMPARE(m_http->get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token)
                 .object()
                 .value(u"total")
                 .toInt(),
        1);
    // Commit, then acknowledge, then deliver: even in a burst the sender sees
    // each ack before the message event of what it sent.
    const int burst = 50;
    for (int i = 0; i < burst; ++i)
        a.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
            { u"text"_s, u"burst %1"_s.arg(i) },
            { u"client_id"_s,
                u"3b0f3b4e-94b5-4c67-9a77-6b7c6a0d2%1"_s.arg(i, 3, 10, QChar(u'0')) } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"message"_s).size(), 1 + burst, 10000);
    // ...and one client's sends are stored in the order it sent them.
    QStringList stored;
    for (const QJsonObject &frame : a.ofType(u"message"_s).mid(1))
        stored.append(frame.value(u"data").toObject().value(u"text").toString());
    QStringList written;
    for (int i = 0; i < burst; ++i)
        written.append(u"burst %1"_s.arg(i));
    QCOMPARE(stored, written);
    QSet<QString> acked;
    for (const QJsonObject &frame : a.frames) {
        const QString id = frame.value(u"data").toObject().value(u"id").toString();
        if (frame.value(u"type").toString() == u"ack"_s)
            acked.insert(id);
        else if (frame.value(u"type").toString() == u"message"_s)
            QVERIFY2(acked.contains(id), "a message event came before its ack");
    }
    a.sendJson(
        { { u"type"_s, u"send"_s }, { u"chat_id"_s, u"00000000-0000-4000-8000-000000000000"_s },
            { u"text"_s, u"x"_s }, { u"client_id"_s, u"3b0f3b4e-94b5-4c67-9a77-6b7c6a0d1e02"_s } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"error"_s).size(), 1, 10000);
    QCOMPARE(a.ofType(u"error"_s).first().value(u"client_id").toString(),
        u"3b0f3b4e-94b5-4c67-9a77-6b7c6a0d1e02"_s);
}

void TestWs::resumeWithoutLossOrDuplicates()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = personalChat(alice, bob);
    qint64 lastSeen = 0;
    {
        Client b(wsUrl(u"/ws/user?token="_s + bob.token));
        QVERIFY(b.waitFrames(1));
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"before"_s } }, alice.token);
        QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 1, 10000);
        lastSeen
            = b.ofType(u"message"_s).last().value(u"data").toObject().value(u"seq").toInteger();
    }
    for (int i = 0; i < 10; ++i)
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"away %1"_s.arg(i) } }, alice.token);
    Client b(wsUrl(u"/ws/user?since_seq=%1&token=%2"_s.arg(lastSeen).arg(bob.token)));
    QVERIFY(b.waitFrames(1));
    // Others keep sending while the replay runs.
    for (int i = 0; i < 10; ++i)
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"live %1"_s.arg(i) } }, alice.token);
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 20, 10000);
    // A message committed after all of them arrives after them: anything
    // lost or repeated shows before it.
    m_http->post(u"/api/v1/chats/messages"_s,
        { { u"chat_id"_s, chatId }, { u"text"_s, u"barrier"_s } }, alice.token);
    QTRY_COMPARE_WITH_TIMEOUT(
        b.ofType(u"message"_s).last().value(u"data").toObject().value(u"text").toString(),
        u"barrier"_s, 10000);
    QStringList texts;
    for (const QJsonObject &frame : b.ofType(u"message"_s))
        texts.append(frame.value(u"data").toObject().value(u"text").toString());
    QStringList expected;
    for (int i = 0; i < 10; ++i)
        expected.append(u"away %1"_s.arg(i));
    for (int i = 0; i < 10; ++i)
        expected.append(u"live %1"_s.arg(i));
    expected.append(u"barrier"_s);
    QCOMPARE(texts, expected);
}

void TestWs::typingAndRead()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId = personalChat(alice, bob);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    Client b(wsUrl(u"/ws/user?token="_s + bob.token));
    Client c(wsUrl(u"/ws/user?token="_s + carol.token));
    QVERIFY(a.waitFrames(1) && b.waitFrames(1) && c.waitFrames(1));
    b.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"typing"_s).size(), 1, 10000);
    QCOMPARE(a.ofType(u"typing"_s).first().value(u"data").toObject().value(u"name").toString(),
        u"Bob"_s);
    const QString messageId
        = m_http
              ->post(u"/api/v1/chats/messages"_s,
                  { { u"chat_id"_s, chatId }, { u"text"_s, u"read me"_s } }, alice.token)
              .object()
              .value(u"id")
              .toString();
    QVERIFY(b.waitFrames(2));
    b.sendJson(
        { { u"type"_s, u"read"_s }, { u"chat_id"_s, chatId }, { u"message_id"_s, messageId } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"read"_s).size(), 1, 10000);
    QCOMPARE(
        a.ofType(u"read"_s).first().value(u"data").toObject().value(u"user_id").toString(), bob.id);
    b.sendJson({ { u"type"_s, u"ping"_s } });
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"pong"_s).size(), 1, 10000);
    // The typing notice was written to every socket it went to before Alice
    // got hers, so before the barriers were committed.
    QCOMPARE(newChatBarrier(c, carol), 1);
    QVERIFY(newChatBarrier(b, bob) > 0);
    QVERIFY(b.ofType(u"typing"_s).isEmpty()); // not echoed to the typist
}

void TestWs::badTokenAndNonMember()
{
    Client bad(wsUrl(u"/ws/user?token=nonsense"_s));
    QVERIFY(bad.waitFrames(1));
    QVERIFY(bad.frames.first().contains(u"error"));
    QTRY_COMPARE_WITH_TIMEOUT(bad.closeCode, 1008, 10000);
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    Client outsider(wsUrl(u"/ws/%1?token=%2"_s.arg(personalChat(alice, bob), carol.token)));
    QVERIFY(outsider.waitFrames(1));
    QVERIFY(outsider.frames.first().contains(u"error"));
    QTRY_COMPARE_WITH_TIMEOUT(outsider.closeCode, 1008, 10000);
    // The token may also come as a header.
    QNetworkRequest request(wsUrl(u"/ws/user"_s));
    request.setRawHeader("Authorization", "Bearer " + alice.token.toLatin1());
    Client header(wsUrl(u"/ws/user"_s));
    header.socket.close();
    header.frames.clear();
    header.socket.open(request);
    QVERIFY(header.waitFrames(1));
    QCOMPARE(header.frames.first().value(u"user_id").toString(), alice.id);
}

void TestWs::malformedAndOversizedFrames()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    QVERIFY(a.waitFrames(1));
    a.socket.sendTextMessage(u"not json"_s);
    a.sendJson({ { u"type"_s, u"explode"_s } });
    a.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, 5 } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"error"_s).size(), 3, 10000);
    QCOMPARE(a.socket.state(), QAbstractSocket::ConnectedState);
    a.socket.sendTextMessage(QString(200 * 1024, u'x'));
    QTRY_COMPARE_WITH_TIMEOUT(a.closeCode, 1009, 10000);
    QCOMPARE(m_http->get(u"/health"_s).status, 200);
}

void TestWs::updatesOverRest()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = personalChat(alice, bob);
    for (int i = 0; i < 5; ++i)
        m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"u%1"_s.arg(i) } }, alice.token);
    QStringList texts;
    qint64 since = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            texts.clear();
            since = 0;
            for (bool more = true; more;) {
                const Reply reply
                    = m_http->get(u"/api/v1/updates?since_seq=%1&limit=2"_s.arg(since), bob.token);
                for (const QJsonValue &event : reply.object().value(u"events").toArray()) {
                    if (event.toObject().value(u"type").toString() == u"message"_s)
                        texts.append(
                            event.toObject().value(u"data").toObject().value(u"text").toString());
                }
                since = reply.object().value(u"last_seq").toInteger();
                more = reply.object().value(u"has_more").toBool();
            }
            return texts.size() == 5;
        }(),
        5000);
    QCOMPARE(texts, (QStringList { u"u0"_s, u"u1"_s, u"u2"_s, u"u3"_s, u"u4"_s }));
    QCOMPARE(m_http->get(u"/api/v1/updates"_s, bob.token).status, 422);
}

// A lone instance NOTIFYs nobody: a commit there is announced on the
// PostgreSQL channel only once another instance has been heard (a lone
// instance spent a fifth of its CPU, and PostgreSQL three statements per send
// batch, on notices nobody read). Its "here" (every health check) still goes
// out; once a hello was heard, its commits are announced.
void TestWs::aLoneInstanceNotifiesNobody()
{
    if (!m_server.isPostgres())
        QSKIP("LISTEN/NOTIFY is PostgreSQL's; this run uses SQLite (the postgres run covers it)");
    const QString connectionName = u"listener-"_s + QUuid::createUuid().toString(QUuid::Id128);
    {
        QSqlDatabase db = addPostgresConnection(m_server.databaseUrl(), connectionName);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QStringList heard;
        connect(db.driver(), &QSqlDriver::notification, this,
            [&heard](const QString &, QSqlDriver::NotificationSource, const QVariant &payload) {
                heard.append(payload.toString());
            });
        const QString channel = u"messenger_events"_s;
        QVERIFY(db.driver()->subscribeToNotification(channel));
        const auto here = [&heard](qsizetype from) {
            for (qsizetype i = heard.size() - 1; i >= from; --i) {
                if (heard.at(i).startsWith(u"here "_s))
                    return heard.at(i).mid(5);
            }
            return QString();
        };

        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        const QString chatId = personalChat(alice, bob);
        for (int i = 0; i < 5; ++i)
            m_http->sendText(alice.token, chatId, u"alone %1"_s.arg(i));
        // A "here" sent after the commits: any notice of them came before it.
        const qsizetype afterSends = heard.size();
        QTRY_VERIFY_WITH_TIMEOUT(!here(afterSends).isEmpty(), 15000);
        const QString instanceId = here(afterSends);
        for (const QString &payload : std::as_const(heard))
            QVERIFY2(payload.startsWith(u"here "_s) || payload.startsWith(u"hello "_s),
                qPrintable(payload));

        // Someone new says hello: it is answered, and commits are announced.
        QSqlQuery hello(db);
        const qsizetype beforeHello = heard.size();
        QVERIFY(hello.exec(u"SELECT pg_notify('messenger_events', 'hello test-listener')"_s));
        QTRY_COMPARE_WITH_TIMEOUT(here(beforeHello), instanceId, 15000);
        m_http->sendText(alice.token, chatId, u"not alone"_s);
        QTRY_VERIFY_WITH_TIMEOUT(heard.contains(instanceId), 15000);
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
}

// An instance with no socket leaves its own commits unread until someone
// needs them (reading the log after each send, for nobody, cost PostgreSQL
// about as much as the sends): /updates still has what was just sent, at
// once, and a socket opening later is told of new messages as before.
void TestWs::ownCommitsAreReadWhenNeeded()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(alice.token, bob.id);
    const int sends = 30;
    QElapsedTimer elapsed;
    elapsed.start();
    const qint64 pollsBefore = http.gauge("messenger_feed_polls_total");
    QStringList sent;
    for (int i = 0; i < sends; ++i)
        sent.append(http.sendText(alice.token, chatId, u"unread %1"_s.arg(i)));
    const qint64 polls = http.gauge("messenger_feed_polls_total") - pollsBefore;
    // The safety net polls once a second; before, each send polled once more.
    QVERIFY2(polls <= elapsed.elapsed() / 1000 + 2,
        qPrintable(
            u"%1 polls for %2 sends in %3 ms"_s.arg(polls).arg(sends).arg(elapsed.elapsed())));

    QStringList updated;
    const Reply updates = http.get(u"/api/v1/updates?since_seq=0&limit=100"_s, bob.token);
    COMPARE_STATUS(updates, 200);
    for (const QJsonValue &event : updates.object().value(u"events").toArray()) {
        if (event.toObject().value(u"type").toString() == u"message")
            updated.append(event.toObject().value(u"data").toObject().value(u"id").toString());
    }
    QCOMPARE(updated, sent);

    // An edit (read on demand), then a send that stores nothing: /updates
    // still has the edit.
    const qint64 lastSeq = updates.object().value(u"last_seq"_s).toInteger();
    COMPARE_STATUS(
        http.request("PATCH", u"/api/v1/messages/"_s + sent.last(),
            QJsonDocument(QJsonObject { { u"text"_s, u"edited"_s } }).toJson(), alice.token),
        200);
    COMPARE_STATUS(http.post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces) },
                           { u"text"_s, u"nowhere"_s } },
                       alice.token),
        404);
    const Reply afterEdit = http.get(u"/api/v1/updates?since_seq=%1"_s.arg(lastSeq), bob.token);
    COMPARE_STATUS(afterEdit, 200);
    const QJsonArray editEvents = afterEdit.object().value(u"events"_s).toArray();
    QCOMPARE(editEvents.size(), 1);
    QCOMPARE(editEvents.first().toObject().value(u"type"_s).toString(), u"message_edited"_s);

    WsClient socket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(socket.greeted());
    const QString live = http.sendText(alice.token, chatId, u"live"_s);
    QTRY_COMPARE_WITH_TIMEOUT(socket.lastData(u"message"_s).value(u"id").toString(), live, 10000);
}

// On PostgreSQL a batch of sends hands the messages it stored, with the
// members of this instance's interest each one is for, straight to the feed:
// sockets here get them without the feed reading them back, exactly as the
// log gives them, and never ahead of a seq drawn before them that is still to
// commit.
void TestWs::ownSendsGoLiveWithoutReadingBack()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    if (!server.isPostgres())
        QSKIP("the send batch hands its rows over on PostgreSQL; this run uses SQLite");
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto carol = http.newUser(u"Carol"_s);
    const QString group = http.newGroup(alice, u"Crew"_s, { bob.id, carol.id });
    const QString personal = http.personalChat(alice.token, bob.id);
    WsClient bobSocket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient carolSocket(server.webSocketUrl(u"/ws/user"_s, carol.token));
    QVERIFY(bobSocket.greeted() && carolSocket.greeted());

    const int sends = 20;
    QElapsedTimer elapsed;
    elapsed.start();
    const qint64 pollsBefore = http.gauge("messenger_feed_polls_total");
    QString previous;
    for (int i = 0; i < sends; ++i) {
        QJsonObject body { { u"chat_id"_s, group }, { u"text"_s, u"live %1 @Bob"_s.arg(i) } };
        if (i % 2)
            body.insert(u"mentions"_s, QJsonArray { bob.id });
        if (i % 3 == 2)
            body.insert(u"reply_to_id"_s, previous);
        const Reply sent = http.post(u"/api/v1/chats/messages"_s, body, alice.token);
        COMPARE_STATUS(sent, 200);
        previous = sent.object().value(u"id"_s).toString();
        QTRY_COMPARE_WITH_TIMEOUT(bobSocket.ofType(u"message"_s).size(), i + 1, 10000);
    }
    const qint64 polls = http.gauge("messenger_feed_polls_total") - pollsBefore;
    // The safety net polls once a second; reading each send back polled once per send.
    QVERIFY2(polls <= elapsed.elapsed() / 1000 + 2,
        qPrintable(
            u"%1 polls for %2 sends in %3 ms"_s.arg(polls).arg(sends).arg(elapsed.elapsed())));
    QTRY_COMPARE_WITH_TIMEOUT(carolSocket.ofType(u"message"_s).size(), sends, 10000);

    // Each frame is the log's own entry for its seq, field for field.
    QHash<qint64, QJsonObject> logged;
    const Reply updates = http.get(u"/api/v1/updates?since_seq=0&limit=200"_s, bob.token);
    COMPARE_STATUS(updates, 200);
    for (const QJsonValue &event : updates.object().value(u"events"_s).toArray())
        logged.insert(event.toObject().value(u"seq"_s).toInteger(), event.toObject());
    for (const QJsonObject &frame : bobSocket.ofType(u"message"_s))
        QCOMPARE(frame, logged.value(frame.value(u"seq"_s).toInteger()));

    // A seq drawn before a send and committed after it: the send is answered,
    // and delivered only after it, in seq order.
    QSqlDatabase holder = addPostgresConnection(server.databaseUrl(), u"holder"_s);
    QVERIFY2(holder.open(), qPrintable(holder.lastError().text()));
    {
        QSqlQuery query(holder);
        QVERIFY(query.exec(u"BEGIN"_s));
        QVERIFY2(query.exec(u"WITH bumped AS (UPDATE chats SET last_chat_seq = last_chat_seq + 1, "
                            "last_seq = nextval('global_seq') WHERE id = '%1' "
                            "RETURNING last_chat_seq, last_seq) "
                            "INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, text, "
                            "created_at) SELECT gen_random_uuid(), last_seq, '%1', last_chat_seq, "
                            "'%2', 'held', %3 FROM bumped RETURNING seq"_s.arg(personal, alice.id)
                                .arg(QDateTime::currentMSecsSinceEpoch() * 1000)),
            qPrintable(query.lastError().text()));
        QVERIFY(query.next());
        const qint64 heldSeq = query.value(0).toLongLong();
        const Reply after = http.post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, group }, { u"text"_s, u"after the hole"_s } }, alice.token);
        COMPARE_STATUS(after, 200);
        QVERIFY(after.object().value(u"seq"_s).toInteger() > heldSeq);
        QVERIFY(query.exec(u"COMMIT"_s));
    }
    holder.close();
    QTRY_COMPARE_WITH_TIMEOUT(bobSocket.ofType(u"message"_s).size(), sends + 2, 10000);
    const auto frames = bobSocket.ofType(u"message"_s);
    QCOMPARE(frames[sends].value(u"data"_s).toObject().value(u"text"_s).toString(), u"held"_s);
    QCOMPARE(frames[sends + 1].value(u"data"_s).toObject().value(u"text"_s).toString(),
        u"after the hole"_s);
    QTRY_COMPARE_WITH_TIMEOUT(carolSocket.ofType(u"message"_s).size(), sends + 1, 10000);
}

// A send reads its chat's members when its statement starts. A member added
// with a seq before the send's, but committed after the send began (it waits
// for the chat's row meanwhile), is missing from what the send read; once
// the feed has read past the addition, the send goes through the log, which
// names the new member too.
void TestWs::aSendThatReadOutdatedMembersGoesThroughTheLog()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    if (!server.isPostgres())
        QSKIP("the send batch hands its rows over on PostgreSQL; this run uses SQLite");
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto dave = http.newUser(u"Dave"_s);
    const QString group = http.newGroup(alice, u"Crew"_s, { bob.id });
    WsClient aliceSocket(server.webSocketUrl(u"/ws/user"_s, alice.token));
    WsClient bobSocket(server.webSocketUrl(u"/ws/user"_s, bob.token));
    WsClient daveSocket(server.webSocketUrl(u"/ws/user"_s, dave.token));
    QVERIFY(aliceSocket.greeted() && bobSocket.greeted() && daveSocket.greeted());

    QSqlDatabase joiner = addPostgresConnection(server.databaseUrl(), u"joiner"_s);
    QSqlDatabase holder = addPostgresConnection(server.databaseUrl(), u"holder"_s);
    QSqlDatabase watcher = addPostgresConnection(server.databaseUrl(), u"watcher"_s);
    QVERIFY2(
        joiner.open() && holder.open() && watcher.open(), qPrintable(holder.lastError().text()));
    {
        // Dave joins, as addMembers records it: his seq is drawn now...
        QVERIFY(joiner.transaction());
        QSqlQuery join(joiner);
        QVERIFY2(join.exec(u"WITH joined AS (INSERT INTO chat_members (chat_id, user_id, role, "
                           "joined_at, last_read_seq) VALUES ('%1', '%2', 'member', %3, 0) "
                           "RETURNING chat_id) INSERT INTO events (seq, chat_id, type, payload, "
                           "created_at) SELECT nextval('global_seq'), chat_id, 'members_added', "
                           "'{}', %3 FROM joined"_s.arg(group, dave.id)
                               .arg(QDateTime::currentMSecsSinceEpoch() * 1000)),
            qPrintable(join.lastError().text()));
        // ...the send starts without him, and waits for the chat's row...
        QVERIFY(holder.transaction());
        QSqlQuery hold(holder);
        QVERIFY2(hold.exec(u"SELECT id FROM chats WHERE id = '%1' FOR NO KEY UPDATE"_s.arg(group)),
            qPrintable(hold.lastError().text()));
        aliceSocket.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, group },
            { u"text"_s, u"while Dave joins"_s } });
        QTRY_COMPARE_WITH_TIMEOUT(sessionsWaitingOnLocks(watcher), 1, 30000);
        // ...and Dave's membership is committed; the feed reads it (a second
        // socket of his is let in after a poll) before the send is done.
        QVERIFY(joiner.commit());
        WsClient daveAgain(server.webSocketUrl(u"/ws/user"_s, dave.token));
        QVERIFY(daveAgain.greeted());
        QTRY_VERIFY_WITH_TIMEOUT(!daveSocket.ofType(u"members_added"_s).isEmpty(), 4000);
        QVERIFY(holder.commit());
    }
    joiner.close();
    holder.close();
    watcher.close();
    QTRY_COMPARE_WITH_TIMEOUT(daveSocket.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(daveSocket.lastData(u"message"_s).value(u"text"_s).toString(), u"while Dave joins"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bobSocket.ofType(u"message"_s).size(), 1, 10000);
}

void TestWs::twoInstancesChatLive()
{
    if (!m_server.isPostgres())
        QSKIP(
            "several instances need PostgreSQL; this run uses SQLite (the postgres run covers it)");
    TestServer second;
    QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
    HttpClient secondHttp(second);
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QUrl secondUrl = second.webSocketUrl(u"/ws/user"_s, bob.token);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    Client b(secondUrl);
    Client c(wsUrl(u"/ws/user?token="_s + carol.token));
    QVERIFY(a.waitFrames(1) && b.waitFrames(1) && c.waitFrames(1));
    // A chat created on the first instance shows up on the second.
    const QString chatId = personalChat(alice, bob);
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"chat"_s).size(), 1, 10000);
    QCOMPARE(b.ofType(u"chat"_s).first().value(u"data").toObject().value(u"id").toString(), chatId);
    a.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u"from one"_s },
        { u"client_id"_s, u"9a4b5c6d-0000-4000-8000-000000000001"_s } });
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 1, 10000);
    b.sendJson({ { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId }, { u"text"_s, u"from two"_s },
        { u"client_id"_s, u"9a4b5c6d-0000-4000-8000-000000000002"_s } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"message"_s).size(), 2, 10000);
    QCOMPARE(a.ofType(u"message"_s).last().value(u"data").toObject().value(u"text").toString(),
        u"from two"_s);
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 2, 10000);
    // Typing is not stored, yet it crosses instances too.
    b.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"typing"_s).size(), 1, 10000);
    QCOMPARE(a.ofType(u"typing"_s).first().value(u"data").toObject().value(u"user_id").toString(),
        bob.id);
    QCOMPARE(secondHttp.get(u"/api/v1/chats/%1/history"_s.arg(chatId), bob.token)
                 .object()
                 .value(u"total")
                 .toInt(),
        2);
    // Carol's instance wrote anything it had for her before Alice got the typing notice.
    QCOMPARE(newChatBarrier(c, carol), 1);
}

// One sample of an instance's /metrics.
static qint64 metricOf(TestServer &server, const QString &name)
{
    const Reply metrics = HttpClient(server).get(u"/metrics"_s);
    const QRegularExpression line(u"^%1 (\\d+)$"_s.arg(name), QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = line.match(QString::fromUtf8(metrics.body));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

void TestWs::idleInstanceReadsNoneOfABusyChat()
{
    if (!m_server.isPostgres())
        QSKIP(
            "several instances need PostgreSQL; this run uses SQLite (the postgres run covers it)");
    TestServer second;
    QVERIFY2(second.startSharing(m_server), qPrintable(second.error()));
    const QString rowsRead = u"messenger_feed_rows_read_total"_s;
    // Alice and Bob's chat is busy, Alice online here; Carol and Dave's is
    // quiet, Carol online on the second instance, which has no member of the busy one.
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const auto dave = m_http->newUser(u"Dave"_s);
    const QString busy = personalChat(alice, bob);
    const QString quiet = personalChat(dave, carol);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    Client c(second.webSocketUrl(u"/ws/user"_s, carol.token));
    QVERIFY(a.greeted() && c.greeted());
    const auto sendQuiet = [&](const QString &text) {
        const qsizetype before = c.ofType(u"message"_s).size();
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, quiet }, { u"text"_s, text } }, dave.token),
            200);
        QTRY_COMPARE_WITH_TIMEOUT(c.ofType(u"message"_s).size(), before + 1, 10000);
    };
    // Whatever the second instance still had to read of the setup is read by now.
    sendQuiet(u"before"_s);
    const qint64 idleBefore = metricOf(second, rowsRead);
    const qint64 busyBefore = metricOf(m_server, rowsRead);
    const qint64 handedBefore = metricOf(m_server, u"messenger_feed_rows_handed_total"_s);
    QVERIFY(idleBefore >= 1 && busyBefore >= 1);

    const int count = 30;
    qint64 lastBusySeq = 0;
    for (int i = 0; i < count; ++i) {
        const Reply sent = m_http->post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, busy }, { u"text"_s, u"busy %1"_s.arg(i) } }, alice.token);
        COMPARE_STATUS(sent, 200);
        lastBusySeq = sent.object().value(u"seq").toInteger();
    }
    QVERIFY(lastBusySeq > 0);
    // A later message the second instance must deliver: when it has, it has
    // been through the busy chat's seqs too.
    sendQuiet(u"after"_s);
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"message"_s).size(), count, 10000);
    const qint64 idleRead = metricOf(second, rowsRead) - idleBefore;
    QVERIFY2(idleRead == 1, qPrintable(u"the idle instance read %1 rows"_s.arg(idleRead)));
    // The busy instance had every one: read from the log, or handed over by the sends.
    const QString rowsHanded = u"messenger_feed_rows_handed_total"_s;
    QVERIFY(
        metricOf(m_server, rowsRead) + metricOf(m_server, rowsHanded) - busyBefore - handedBefore
        >= count);

    // Bob comes online there: from his greeting on he gets every message of
    // the busy chat, none of those before it.
    Client b(second.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(b.greeted());
    QVERIFY2(
        b.frames.first().value(u"seq"_s).toInteger() >= lastBusySeq, qPrintable(b.raw.first()));
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, busy }, { u"text"_s, u"for Bob"_s } }, alice.token),
        200);
    QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 1, 10000);
    QCOMPARE(b.lastData(u"message"_s).value(u"text").toString(), u"for Bob"_s);
    // Carol saw nothing of it.
    sendQuiet(u"last"_s);
    QCOMPARE(c.ofType(u"message"_s).size(), 3);
}

void TestWs::slowReaderIsCutOff()
{
    TestServer server;
    QVERIFY2(server.start({ u"--ws-max-outbound-kib"_s, u"1024"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(alice.token, bob.id);

    // Bob's first socket completes the handshake, then stops reading.
    QTcpSocket slow;
    slow.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    QVERIFY(rawHandshake(slow, server, bob.token));
    slow.setReadBufferSize(1);
    Client fast(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(fast.waitFrames(1));

    const int count = 4000;
    const QString text(4000, u'x');
    for (int i = 0; i < count; ++i)
        COMPARE_STATUS(http.post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, text } }, alice.token),
            200);
    // The reading client gets everything; the server stayed healthy.
    QTRY_COMPARE_WITH_TIMEOUT(fast.ofType(u"message"_s).size(), count, 30000);
    COMPARE_STATUS(http.get(u"/health"_s), 200);
    // The stalled one was dropped: read what it got until the server's close.
    slow.setReadBufferSize(0);
    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (slow.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 20000) {
        slow.waitForReadyRead(200);
        received += slow.readAll();
    }
    received += slow.readAll();
    QVERIFY2(
        slow.state() != QAbstractSocket::ConnectedState, "the slow reader was not disconnected");
    QVERIFY(received.size() < qsizetype(count) * text.size());
}

void TestWs::silentClientIsDroppedByKeepalive()
{
    TestServer server;
    QVERIFY2(server.start({ u"--ws-ping-interval"_s, u"1"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto bob = http.newUser(u"Bob"_s);
    // This client completes the handshake, then never answers a ping.
    QTcpSocket silent;
    QVERIFY(rawHandshake(silent, server, bob.token));
    // QWebSocket answers pings by itself, so this one must stay.
    Client lively(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(lively.waitFrames(1));

    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (silent.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 20000) {
        silent.waitForReadyRead(100);
        received += silent.readAll();
    }
    received += silent.readAll();
    QVERIFY2(silent.state() != QAbstractSocket::ConnectedState, "the silent client was kept");
    // Unmasked server frames: 0x89 opens a ping, 0x88 the close frame, whose code is 1001.
    QVERIFY2(received.contains(char(0x89)), "the server never pinged");
    const qsizetype close = received.lastIndexOf(char(0x88));
    QVERIFY2(close >= 0 && close + 3 < received.size(), "no close frame");
    QCOMPARE((quint8(received.at(close + 2)) << 8) | quint8(received.at(close + 3)), 1001);
    QCOMPARE(lively.socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(lively.closeCode, -1);
}

void TestWs::connectionsPerUserAreCapped()
{
    TestServer server;
    QVERIFY2(
        server.start({ u"--ws-max-connections-per-user"_s, u"2"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto urlFor = [&server](const HttpClient::Account &account) {
        return server.webSocketUrl(u"/ws/user"_s, account.token);
    };
    auto first = std::make_unique<Client>(urlFor(bob));
    QVERIFY(first->waitFrames(1));
    Client second(urlFor(bob));
    QVERIFY(second.waitFrames(1));
    QCOMPARE(second.frames.first().value(u"status").toString(), u"connected"_s);

    Client third(urlFor(bob));
    QVERIFY(third.waitFrames(1));
    QVERIFY(third.frames.first().value(u"error").toString().contains(u"Too many"_s));
    QTRY_COMPARE_WITH_TIMEOUT(third.closeCode, 1008, 5000);
    // The cap is per user: others connect as usual.
    Client other(urlFor(alice));
    QVERIFY(other.waitFrames(1));
    QCOMPARE(other.frames.first().value(u"status").toString(), u"connected"_s);

    // Closing one frees its place (the server may take a moment to notice).
    first.reset();
    bool admitted = false;
    for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
        Client next(urlFor(bob));
        QVERIFY(next.waitFrames(1));
        admitted = next.frames.first().value(u"status").toString() == u"connected"_s;
        if (!admitted)
            QTest::qWait(100);
    }
    QVERIFY2(admitted, "a closed connection still counted against the cap");
}

// Pings are frames like any other: a client pinging without pause is closed by
// WS_FRAME_RATE, with a close code and a reason, after about a burst of pongs.
void TestWs::pingFloodCountsAsFrames()
{
    TestServer server;
    QVERIFY2(server.start({ u"--ws-frame-rate"_s, u"30/60"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    QTcpSocket flooder;
    QVERIFY(rawHandshake(flooder, server, alice.token));
    QByteArray received = flooder.readAll();
    // One write, so the server reads the whole flood before it closes: an
    // unread remainder would make its close a reset that drops the close frame.
    QByteArray flood;
    const int pings = 200;
    for (int i = 0; i < pings; ++i)
        flood += maskedPing("ping " + QByteArray::number(i));
    flooder.write(flood);
    QVERIFY(flooder.waitForBytesWritten(5000));
    received = readUntilClosed(flooder, received);
    QVERIFY2(flooder.state() != QAbstractSocket::ConnectedState, "the ping flood was not cut off");
    const ServerFrames frames = parseServerFrames(received);
    qInfo() << "pongs before the close:" << frames.pongs << "of" << pings;
    QVERIFY2(frames.pongs < pings, qPrintable(QString::number(frames.pongs)));
    QCOMPARE(frames.closeCode, 1008);
    QCOMPARE(frames.closeReason, QByteArray("too many frames"));
    // Others are served as usual.
    Client other(server.webSocketUrl(u"/ws/user"_s, alice.token));
    QVERIFY(other.waitFrames(1));
    QCOMPARE(other.frames.first().value(u"status").toString(), u"connected"_s);
}

// With the frame limit off, the pongs a client does not read still count
// towards WS_MAX_OUTBOUND_KIB: the socket is closed, memory stays bounded.
void TestWs::pongsCountTowardsOutbound()
{
    TestServer server;
    QVERIFY2(server.start({ u"--ws-frame-rate"_s, u"off"_s, u"--ws-max-outbound-kib"_s, u"16"_s }),
        qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const QByteArray ping = maskedPing(QByteArray(125, 'p'));

    // 200 pings in one write: their 26 KB of pongs are queued while the server
    // reads them, before any can leave, so the limit closes the socket with
    // its code and reason (and, the whole write read, nothing is left unread).
    {
        QTcpSocket burst;
        QVERIFY(rawHandshake(burst, server, alice.token));
        QByteArray received = burst.readAll();
        const int pings = 200;
        burst.write(ping.repeated(pings));
        QVERIFY(burst.waitForBytesWritten(5000));
        received = readUntilClosed(burst, received);
        QVERIFY2(burst.state() != QAbstractSocket::ConnectedState,
            "a client with its pongs over the limit was kept");
        const ServerFrames frames = parseServerFrames(received);
        qInfo() << "pongs before the close:" << frames.pongs << "of" << pings;
        QVERIFY2(frames.pongs < pings, qPrintable(QString::number(frames.pongs)));
        QCOMPARE(frames.closeCode, 1008);
        QCOMPARE(frames.closeReason, QByteArray("too much unread data"));
    }

    // A client that floods and never reads: closed all the same, and the
    // server's memory stays flat.
    QTcpSocket flooder;
    flooder.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    QVERIFY(rawHandshake(flooder, server, alice.token));
    QByteArray received = flooder.readAll();
    flooder.setReadBufferSize(1); // stop reading: the pongs pile up at the server
    const int pings = 80000; // 10 MB of pongs, far beyond the kernel's buffers
    QByteArray flood;
    flood.reserve(ping.size() * pings);
    for (int i = 0; i < pings; ++i)
        flood += ping;
    flooder.write(flood);
    QElapsedTimer timer;
    timer.start();
    while (flooder.bytesToWrite() > 0 && flooder.state() == QAbstractSocket::ConnectedState
        && timer.elapsed() < 20000)
        flooder.waitForBytesWritten(100);
    received = readUntilClosed(flooder, received);
    QVERIFY2(flooder.state() != QAbstractSocket::ConnectedState,
        "a client that does not read its pongs was kept");
    const ServerFrames frames = parseServerFrames(received);
    QVERIFY2(frames.pongs < pings, qPrintable(QString::number(frames.pongs)));
    // (Here the close frame waits behind what the client never read, and the
    // reset of a socket closed with unread input overtakes it.)
    qInfo() << "pongs read before the close:" << frames.pongs << "of" << pings << "close"
            << frames.closeCode << frames.closeReason << "server resident"
            << residentKiB(server.processId()) << "KiB";
    COMPARE_STATUS(http.get(u"/health"_s), 200);
    if (!qEnvironmentVariableIsSet("ASAN_OPTIONS")) {
        const qint64 rss = residentKiB(server.processId());
        QVERIFY2(rss > 0 && rss < 200 * 1024, qPrintable(u"%1 KiB resident"_s.arg(rss)));
    }
}

// The caps hold for sockets that open at once: each reserves its place before
// the asynchronous checks, and gives it back however it ends.
void TestWs::simultaneousOpensRespectCaps()
{
    const int perUser = 3;
    const int perAddress = 5;
    TestServer server;
    QVERIFY2(server.start({ u"--ws-max-connections-per-user"_s, QString::number(perUser),
                 u"--ws-max-connections-per-address"_s, QString::number(perAddress) }),
        qPrintable(server.error()));
    HttpClient http(server);
    QList<HttpClient::Account> users;
    QJsonArray memberIds;
    for (int i = 0; i < 4; ++i) {
        users.append(http.newUser(u"User %1"_s.arg(i)));
        if (i > 0)
            memberIds.append(users.last().id);
    }
    const Reply group = http.post(u"/api/v1/chats/group"_s,
        { { u"name"_s, u"Crowd"_s }, { u"member_ids"_s, memberIds } }, users.first().token);
    COMPARE_STATUS(group, 200);
    const QString chatPath = u"/ws/"_s + group.object().value(u"id").toString();
    // Chat sockets always wait for the membership check on a worker.
    const auto openAll = [&](const QList<HttpClient::Account> &who, int each) {
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < each; ++i) {
            for (const auto &user : who)
                clients.push_back(
                    std::make_unique<Client>(server.webSocketUrl(chatPath, user.token)));
        }
        return clients;
    };
    const auto greeted = [](const std::vector<std::unique_ptr<Client>> &clients) {
        int count = 0;
        for (const auto &client : clients) {
            if (!client->waitFrames(1))
                return -1;
            if (client->frames.first().value(u"status").toString() == u"connected"_s)
                ++count;
            else if (!client->frames.first().value(u"error").toString().contains(u"Too many"_s))
                return -2;
        }
        return count;
    };

    // One user, 40 sockets at once: the per-user cap.
    auto burst = openAll({ users.first() }, 40);
    const int burstGreeted = greeted(burst);
    // Three more users, 10 sockets each at once: the per-address cap.
    auto crowd = openAll(users.mid(1), 10);
    const int crowdGreeted = greeted(crowd);
    qInfo() << "greeted:" << burstGreeted << "of 40 from one user," << crowdGreeted
            << "of 30 more from the same address";
    QCOMPARE(burstGreeted, perUser);
    QCOMPARE(crowdGreeted, perAddress - perUser);

    // Every place comes back: the refused, the closed, and sockets whose
    // client left while their check ran.
    burst.clear();
    crowd.clear();
    std::vector<std::unique_ptr<QWebSocket>> leaving;
    for (int i = 0; i < 20; ++i) {
        leaving.push_back(std::make_unique<QWebSocket>());
        QWebSocket *socket = leaving.back().get();
        QObject::connect(socket, &QWebSocket::connected, socket, &QWebSocket::abort);
        socket->open(server.webSocketUrl(chatPath, users.at(i % 4).token));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(leaving.begin(), leaving.end(),
                                 [](const auto &socket) {
                                     return socket->state() == QAbstractSocket::UnconnectedState;
                                 }),
        10000);
    // (The server notices each close a moment later.)
    QTRY_COMPARE_WITH_TIMEOUT(greeted(openAll({ users.first() }, 40)), perUser, 10000);
}

void TestWs::survivesDatabaseConnectionLoss()
{
    if (!m_server.isPostgres())
        QSKIP("the LISTEN connection exists only on PostgreSQL; the postgres run covers it");
    TestServer first;
    QVERIFY2(first.start(), qPrintable(first.error()));
    TestServer second;
    QVERIFY2(second.startSharing(first), qPrintable(second.error()));
    HttpClient firstHttp(first);
    HttpClient secondHttp(second);
    const auto alice = firstHttp.newUser(u"Alice"_s);
    const auto bob = firstHttp.newUser(u"Bob"_s);
    const QString chatId = firstHttp.personalChat(alice.token, bob.id);
    const auto wsUrlOf = [](const TestServer &server, const QString &token) {
        return server.webSocketUrl(u"/ws/user"_s, token);
    };
    Client a(wsUrlOf(first, alice.token));
    Client b(wsUrlOf(second, bob.token));
    QVERIFY(a.waitFrames(1) && b.waitFrames(1));

    // Every connection both instances hold (pools and LISTEN) dies at once.
    QVERIFY2(first.dropDatabaseConnections(), qPrintable(first.error()));

    // Both recover by themselves: a request that meets a dead pooled
    // connection is retried on a fresh one, so clients do not even see a 503.
    const int count = 20;
    for (int i = 0; i < count; ++i) {
        COMPARE_STATUS(
            firstHttp.post(u"/api/v1/chats/messages"_s,
                { { u"chat_id"_s, chatId }, { u"text"_s, u"a%1"_s.arg(i) } }, alice.token),
            200);
        COMPARE_STATUS(secondHttp.post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, u"b%1"_s.arg(i) } }, bob.token),
            200);
    }
    // Each side sees every message exactly once, in order, across the blip.
    const auto texts = [](const Client &client) {
        QStringList result;
        for (const QJsonObject &frame : client.ofType(u"message"_s))
            result.append(frame.value(u"data").toObject().value(u"text").toString());
        return result;
    };
    QStringList expected;
    for (int i = 0; i < count; ++i)
        expected << u"a%1"_s.arg(i) << u"b%1"_s.arg(i);
    QTRY_COMPARE_WITH_TIMEOUT(texts(a), expected, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(texts(b), expected, 15000);
    // Typing travels only through LISTEN/NOTIFY, so this proves both re-subscribed.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            b.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
            return !a.ofType(u"typing"_s).isEmpty();
        }(),
        15000);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            a.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
            return !b.ofType(u"typing"_s).isEmpty();
        }(),
        15000);
    COMPARE_STATUS(firstHttp.get(u"/health"_s), 200);
    COMPARE_STATUS(secondHttp.get(u"/health"_s), 200);
}

void TestWs::refusedSendsEchoClientIdAndCode_data()
{
    QTest::addColumn<QJsonObject>("command");
    QTest::addColumn<QString>("code");
    const QString chatId = u"00000000-0000-4000-8000-000000000001"_s;
    QTest::newRow("too-long text") << QJsonObject { { u"type"_s, u"send"_s },
        { u"chat_id"_s, chatId }, { u"text"_s, QString(4097, u'x') } }
                                   << u"validation_error"_s;
    QTest::newRow("blank text") << QJsonObject { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
        { u"text"_s, u"  \n "_s } }
                                << u"validation_error"_s;
    QTest::newRow("chat id not a UUID") << QJsonObject { { u"type"_s, u"send"_s },
        { u"chat_id"_s, u"nope"_s }, { u"text"_s, u"hi"_s } }
                                        << u"validation_error"_s;
    QTest::newRow("unknown type") << QJsonObject { { u"type"_s, u"shout"_s },
        { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s } }
                                  << u"validation_error"_s;
    QTest::newRow("unknown chat") << QJsonObject { { u"type"_s, u"send"_s },
        { u"chat_id"_s, chatId }, { u"text"_s, u"hi"_s } }
                                  << u"chat_not_found"_s;
}

void TestWs::refusedSendsEchoClientIdAndCode()
{
    QFETCH(QJsonObject, command);
    QFETCH(QString, code);
    const auto alice = m_http->newUser(u"Alice"_s);
    Client a(wsUrl(u"/ws/user?token="_s + alice.token));
    QVERIFY(a.greeted());
    const QString clientId = u"5d0c7a52-1111-4222-8333-444455556666"_s;
    command.insert(u"client_id"_s, clientId);
    a.sendJson(command);
    QTRY_COMPARE_WITH_TIMEOUT(a.ofType(u"error"_s).size(), 1, 10000);
    const QJsonObject error = a.ofType(u"error"_s).first();
    QCOMPARE(error.value(u"client_id").toString(), clientId);
    QCOMPARE(error.value(u"code").toString(), code);
    QVERIFY(!error.value(u"detail").toString().isEmpty());
    QVERIFY(a.answersPing()); // the socket stays open
}

void TestWs::readAndTypingErrorsEchoClientId()
{
    const auto alice = m_http->newUser(u"Alice"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const auto carol = m_http->newUser(u"Carol"_s);
    const QString chatId = personalChat(alice, bob);
    const QString messageId
        = m_http
              ->post(u"/api/v1/chats/messages"_s,
                  { { u"chat_id"_s, chatId }, { u"text"_s, u"not for Carol"_s } }, alice.token)
              .object()
              .value(u"id")
              .toString();
    QVERIFY(!messageId.isEmpty());
    Client c(wsUrl(u"/ws/user?token="_s + carol.token));
    QVERIFY(c.greeted());
    const QString readId = u"5d0c7a52-0000-4000-8000-00000000000a"_s;
    const QString typingId = u"5d0c7a52-0000-4000-8000-00000000000b"_s;
    c.sendJson({ { u"type"_s, u"read"_s }, { u"chat_id"_s, chatId }, { u"message_id"_s, messageId },
        { u"client_id"_s, readId } });
    c.sendJson(
        { { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId }, { u"client_id"_s, typingId } });
    QTRY_COMPARE_WITH_TIMEOUT(c.ofType(u"error"_s).size(), 2, 10000);
    QHash<QString, QJsonObject> byClientId;
    for (const QJsonObject &error : c.ofType(u"error"_s))
        byClientId.insert(error.value(u"client_id").toString(), error);
    QCOMPARE(byClientId.value(readId).value(u"code").toString(), u"not_a_member"_s);
    QCOMPARE(byClientId.value(typingId).value(u"code").toString(), u"not_a_member"_s);
    // Without a client_id an error has none, and a member's read needs no answer.
    c.sendJson({ { u"type"_s, u"typing"_s }, { u"chat_id"_s, chatId } });
    QTRY_COMPARE_WITH_TIMEOUT(c.ofType(u"error"_s).size(), 3, 10000);
    QVERIFY(!c.ofType(u"error"_s).last().contains(u"client_id"));
}

void TestWs::greetingNamesWhereTheStreamStarts()
{
    // A chat committed just before the socket connects: whether its event
    // comes live is decided by the greeting's seq, every time.
    for (int round = 0; round < 5; ++round) {
        const auto alice = m_http->newUser(u"Alice"_s);
        const auto bob = m_http->newUser(u"Bob"_s);
        const QString chatId = personalChat(alice, bob);
        Client b(wsUrl(u"/ws/user?token="_s + bob.token));
        QVERIFY(b.greeted());
        QVERIFY(b.frames.first().value(u"seq").isDouble());
        const qint64 greetingSeq = b.frames.first().value(u"seq").toInteger();
        const qint64 chatSeq = m_http->get(u"/api/v1/updates?since_seq=0"_s, bob.token)
                                   .object()
                                   .value(u"events")
                                   .toArray()
                                   .first()
                                   .toObject()
                                   .value(u"seq")
                                   .toInteger();
        QVERIFY(chatSeq > 0);
        // A message sent now arrives after anything older would have.
        COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                           { { u"chat_id"_s, chatId }, { u"text"_s, u"barrier"_s } }, alice.token),
            200);
        QTRY_COMPARE_WITH_TIMEOUT(b.ofType(u"message"_s).size(), 1, 10000);
        QCOMPARE(b.ofType(u"chat"_s).size(), chatSeq > greetingSeq ? 1 : 0);
        for (qsizetype i = 1; i < b.frames.size(); ++i)
            QVERIFY(b.frames.at(i).value(u"seq").toInteger() > greetingSeq);
    }
}

QTEST_MAIN(TestWs)
#include "tst_ws.moc"
