#include "TestServer.h"

#include <QJsonArray>
#include <QNetworkReply>
#include <QTest>
#include <QTimer>
#include <QUuid>

using namespace Qt::StringLiterals;

// Breaking things on purpose: nothing acknowledged may be lost, nothing
// retried may be stored twice.
class TestFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWhileSending();
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

    // Every acknowledged message is in the history exactly once, each
    // sender's in the order it sent them, and retries stored nothing twice.
    QHash<QString, int> seen; // text → times
    QHash<QString, QString> idByText;
    QStringList order;
    std::optional<qint64> before;
    for (;;) {
        const QString query = before ? u"?limit=200&before_seq=%1"_s.arg(*before) : u"?limit=200"_s;
        const Reply page = http.get(u"/api/v1/chats/%1/history%2"_s.arg(chatId, query), bob.token);
        COMPARE_STATUS(page, 200);
        const QJsonArray messages = page.object().value(u"messages").toArray();
        for (const QJsonValue &value : messages) {
            const QJsonObject message = value.toObject();
            const QString text = message.value(u"text").toString();
            ++seen[text];
            idByText.insert(text, message.value(u"id").toString());
            order.prepend(text);
            before = message.value(u"seq").toInteger();
        }
        if (!page.object().value(u"has_more").toBool() || messages.isEmpty())
            break;
    }
    int retries = 0;
    for (const auto &client : clients) {
        retries += client->retries();
        QCOMPARE(client->acknowledged().size(), perSender);
        const QStringList texts = client->texts();
        qsizetype previous = -1;
        for (const QString &text : texts) {
            QVERIFY2(seen.value(text) == 1,
                qPrintable(u"%1 stored %2 times"_s.arg(text).arg(seen.value(text))));
            const qsizetype position = order.indexOf(text);
            QVERIFY2(position > previous, qPrintable(text + u" out of order"_s));
            previous = position;
        }
    }
    QCOMPARE(seen.size(), senders * perSender);
    qInfo("%d sends, %d kills, %d retries; acknowledged %lld, lost 0, duplicated 0",
        senders * perSender, kills, retries, acknowledgedCount());
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
