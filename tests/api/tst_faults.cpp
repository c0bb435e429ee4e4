#include "TestServer.h"

#include <QJsonArray>
#include <QNetworkReply>
#include <QProcess>
#include <QScopeGuard>
#include <QTest>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

using namespace Qt::StringLiterals;

// Breaking things on purpose: nothing acknowledged may be lost, nothing
// retried may be stored twice.
class TestFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWhileSending();
    void databaseOutage();
};

namespace {

// A client that sends its messages in order, each with a client_id, and
// retries a send until it is acknowledged: what a well-behaved client does
// when its server dies mid-request.
class RetryingSender : public QObject
{
public:
    RetryingSender(TestServer &server, QString token, QString chatId, QString prefix, int count)
        : m_server(server)
        , m_token(std::move(token))
        , m_chatId(std::move(chatId))
    {
        for (int i = 0; i < count; ++i)
            m_queue.append({ QUuid::createUuid().toString(QUuid::WithoutBraces),
                u"%1-%2"_s.arg(prefix).arg(i, 4, 10, QChar(u'0')) });
        QTimer::singleShot(0, this, [this] { sendNext(); });
    }

    bool finished() const { return m_next >= m_queue.size(); }
    int retries() const { return m_retries; }
    // client_id → message id, for every acknowledged send.
    const QHash<QString, QString> &acknowledged() const { return m_acknowledged; }
    QStringList texts() const
    {
        QStringList texts;
        for (const auto &[clientId, text] : m_queue)
            texts.append(text);
        return texts;
    }

private:
    void sendNext()
    {
        if (finished())
            return;
        const auto &[clientId, text] = m_queue.at(m_next);
        QNetworkRequest request(m_server.url(u"/api/v1/chats/messages"_s));
        request.setRawHeader("Content-Type", "application/json");
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        request.setTransferTimeout(5000);
        QNetworkReply *reply = m_network.post(request,
            QJsonDocument(QJsonObject { { u"chat_id"_s, m_chatId }, { u"text"_s, text },
                              { u"client_id"_s, clientId } })
                .toJson(QJsonDocument::Compact));
        connect(reply, &QNetworkReply::finished, this, [this, reply, clientId] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 200) {
                const QString id
                    = QJsonDocument::fromJson(reply->readAll()).object().value(u"id").toString();
                m_acknowledged.insert(clientId, id);
                ++m_next;
                sendNext();
                return;
            }
            // Connection refused or reset while the server is down: try again.
            ++m_retries;
            m_network.clearConnectionCache();
            QTimer::singleShot(50, this, [this] { sendNext(); });
        });
    }

    TestServer &m_server;
    QString m_token;
    QString m_chatId;
    QList<QPair<QString, QString>> m_queue; // client_id, text
    qsizetype m_next = 0;
    int m_retries = 0;
    QHash<QString, QString> m_acknowledged;
    QNetworkAccessManager m_network;
};

// Every acknowledged message is in the history exactly once, each sender's
// in the order it sent them, and retries stored nothing twice. Returns the
// retries the senders made (-1 after a failure).
int verifyStoredOnce(HttpClient &http, const QString &chatId, const QString &token,
    const std::vector<std::unique_ptr<RetryingSender>> &clients)
{
    QHash<QString, int> seen; // text → times
    QStringList order;
    std::optional<qint64> before;
    for (;;) {
        const QString query = before ? u"?limit=200&before_seq=%1"_s.arg(*before) : u"?limit=200"_s;
        const Reply page = http.get(u"/api/v1/chats/%1/history%2"_s.arg(chatId, query), token);
        if (page.status != 200)
            return -1;
        const QJsonArray messages = page.object().value(u"messages").toArray();
        for (const QJsonValue &value : messages) {
            const QJsonObject message = value.toObject();
            const QString text = message.value(u"text").toString();
            ++seen[text];
            order.prepend(text);
            before = message.value(u"seq").toInteger();
        }
        if (!page.object().value(u"has_more").toBool() || messages.isEmpty())
            break;
    }
    int retries = 0;
    qsizetype sent = 0;
    for (const auto &client : clients) {
        retries += client->retries();
        const QStringList texts = client->texts();
        sent += texts.size();
        if (client->acknowledged().size() != texts.size())
            return -1;
        qsizetype previous = -1;
        for (const QString &text : texts) {
            if (seen.value(text) != 1) {
                qWarning() << text << "stored" << seen.value(text) << "times";
                return -1;
            }
            const qsizetype position = order.indexOf(text);
            if (position <= previous) {
                qWarning() << text << "out of order";
                return -1;
            }
            previous = position;
        }
    }
    return seen.size() == sent ? retries : -1;
}

} // namespace

void TestFaults::killedWhileSending()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(alice.token, bob.id);

    constexpr int senders = 4;
    constexpr int perSender = 150;
    constexpr int kills = 5;
    std::vector<std::unique_ptr<RetryingSender>> clients;
    for (int i = 0; i < senders; ++i)
        clients.push_back(std::make_unique<RetryingSender>(
            server, i % 2 ? bob.token : alice.token, chatId, u"s%1"_s.arg(i), perSender));
    const auto acknowledgedCount = [&clients] {
        qsizetype count = 0;
        for (const auto &client : clients)
            count += client->acknowledged().size();
        return count;
    };
    // Kill the server each time another slice of the sends was acknowledged,
    // while the rest are in flight, and start it again on the same database.
    for (int kill = 1; kill <= kills; ++kill) {
        const qsizetype target = qsizetype(senders) * perSender * kill / (kills + 1);
        QTRY_VERIFY_WITH_TIMEOUT(acknowledgedCount() >= target, 60000);
        server.kill();
        QTest::qWait(100); // the clients see refused connections meanwhile
        QVERIFY2(server.start(), qPrintable(server.error()));
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(clients.cbegin(), clients.cend(), [](const auto &c) { return c->finished(); }),
        120000);

    const int retries = verifyStoredOnce(http, chatId, bob.token, clients);
    QVERIFY(retries >= 0);
    QCOMPARE(acknowledgedCount(), senders * perSender);
    qInfo("%d sends, %d kills, %d retries; acknowledged %lld, lost 0, duplicated 0",
        senders * perSender, kills, retries, acknowledgedCount());
}

// PostgreSQL goes away under load and comes back: the servers answer 503 and
// `error` meanwhile, never crash, reconnect by themselves, lose nothing, and
// deliver across instances again without a restart.
void TestFaults::databaseOutage()
{
    if (qEnvironmentVariable("MESSENGER_TEST_BACKEND") != u"postgres"_s)
        QSKIP("a PostgreSQL outage: tst_faults_postgres runs it");
    // A cluster of its own: stopping the shared one would fail the suites
    // running beside this one. Durable: the outage is a crash, and the
    // shared clusters' synchronous_commit=off would lose acknowledged commits.
    OwnCluster cluster(u"durable"_s);
    const QString url = cluster.url();
    QVERIFY(!url.isEmpty());
    const QByteArray sharedUrl = qgetenv("MESSENGER_TEST_POSTGRES_URL");
    qputenv("MESSENGER_TEST_POSTGRES_URL", url.toUtf8());
    const auto cleanup = qScopeGuard([&] { qputenv("MESSENGER_TEST_POSTGRES_URL", sharedUrl); });

    TestServer primary;
    QVERIFY2(primary.start(), qPrintable(primary.error()));
    TestServer second;
    QVERIFY2(second.startSharing(primary), qPrintable(second.error()));
    HttpClient http(primary);
    const auto alice = http.newUser(u"Alice"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(alice.token, bob.id);

    // Bob listens on the other instance; Alice keeps a socket on this one.
    QStringList bobFrames;
    QWebSocket bobSocket;
    connect(&bobSocket, &QWebSocket::textMessageReceived, this,
        [&bobFrames](const QString &frame) { bobFrames.append(frame); });
    bobSocket.open(second.webSocketUrl(u"/ws/user"_s, bob.token));
    QStringList aliceFrames;
    QWebSocket aliceSocket;
    connect(&aliceSocket, &QWebSocket::textMessageReceived, this,
        [&aliceFrames](const QString &frame) { aliceFrames.append(frame); });
    aliceSocket.open(primary.webSocketUrl(u"/ws/user"_s, alice.token));
    // The greetings (the other instance may still deliver the new chat too).
    QTRY_VERIFY_WITH_TIMEOUT(!bobFrames.isEmpty(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!aliceFrames.isEmpty(), 10000);

    std::vector<std::unique_ptr<RetryingSender>> clients;
    for (int i = 0; i < 2; ++i)
        clients.push_back(
            std::make_unique<RetryingSender>(primary, alice.token, chatId, u"o%1"_s.arg(i), 100));
    QTRY_VERIFY_WITH_TIMEOUT(clients[0]->acknowledged().size() >= 20, 30000);
    QCOMPARE(cluster.control(u"pause"_s), 0);

    const Reply down = http.get(u"/api/v1/chats"_s, alice.token);
    COMPARE_STATUS(down, 503);
    QVERIFY(!down.object().value(u"detail").toString().isEmpty());
    aliceFrames.clear();
    aliceSocket.sendTextMessage(QString::fromUtf8(
        QJsonDocument(QJsonObject { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
                          { u"text"_s, u"while down"_s },
                          { u"client_id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces) } })
            .toJson(QJsonDocument::Compact)));
    QTRY_VERIFY_WITH_TIMEOUT(!aliceFrames.isEmpty(), 10000);
    QVERIFY2(aliceFrames.first().contains(u"\"error\""_s), qPrintable(aliceFrames.first()));
    QTest::qWait(1000); // the senders keep retrying into the outage
    QVERIFY(primary.processId() != 0);
    QVERIFY(second.processId() != 0);
    QCOMPARE(cluster.control(u"resume"_s), 0);

    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(clients.cbegin(), clients.cend(), [](const auto &c) { return c->finished(); }),
        60000);
    QVERIFY(verifyStoredOnce(http, chatId, bob.token, clients) >= 0);
    // Live delivery across instances works again, without a restart.
    bobFrames.clear();
    COMPARE_STATUS(
        http.post(u"/api/v1/chats/messages"_s,
            { { u"chat_id"_s, chatId }, { u"text"_s, u"after the outage"_s } }, alice.token),
        200);
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(bobFrames.cbegin(), bobFrames.cend(),
            [](const QString &frame) { return frame.contains(u"after the outage"_s); }),
        10000);
    QVERIFY(bobSocket.state() == QAbstractSocket::ConnectedState);
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
