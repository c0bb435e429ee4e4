#include "TestServer.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QWebSocket>
#include <algorithm>

#include <algorithm>

#include <unistd.h>

using namespace Qt::StringLiterals;

// The production topology without containers: PostgreSQL, two server
// instances and nginx configured by the very files docker-compose.yml mounts
// (docker/nginx/*.conf; only addresses and the listen port are rewritten).
class TestTopology : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoInstancesBehindNginxChatLive();
    void cleanupTestCase();

private:
    static QString sourceFile(const QString &relative)
    {
        return QStringLiteral(MESSENGER_SOURCE_DIR) + u'/' + relative;
    }
    static QByteArray read(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    static bool write(const QString &path, const QByteArray &content)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
    }
    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost);
        return probe.serverPort();
    }
    // messenger_websocket_connections of one instance (scraped directly:
    // nginx keeps /metrics private).
    static int openSockets(TestServer &server)
    {
        const Reply metrics = HttpClient(server).get(u"/metrics"_s);
        static const QRegularExpression line(
            u"^messenger_websocket_connections (\\d+)$"_s, QRegularExpression::MultilineOption);
        return line.match(QString::fromUtf8(metrics.body)).captured(1).toInt();
    }

    QTemporaryDir m_nginxDir;
    QProcess m_nginx;
};

void TestTopology::twoInstancesBehindNginxChatLive()
{
    TestServer first;
    QVERIFY2(first.start(), qPrintable(first.error()));
    QVERIFY2(first.isPostgres(), "this test needs MESSENGER_TEST_BACKEND=postgres");
    TestServer second;
    QVERIFY2(second.startSharing(first), qPrintable(second.error()));

    // The compose file's nginx configuration, pointed at our two instances.
    const quint16 port = freePort();
    QByteArray upstream = read(sourceFile(u"docker/nginx/upstream.conf"_s));
    QVERIFY(upstream.contains("messenger1:8000") && upstream.contains("messenger2:8000"));
    const auto address = [](const TestServer &server) {
        return QByteArray("127.0.0.1:" + QByteArray::number(server.url(u"/"_s).port()));
    };
    upstream.replace("messenger1:8000", address(first));
    upstream.replace("messenger2:8000", address(second));
    QByteArray site = read(sourceFile(u"docker/nginx/messenger.conf"_s));
    QVERIFY(site.contains("listen 8000;"));
    site.replace("listen 8000;", QByteArray("listen 127.0.0.1:" + QByteArray::number(port) + ';'));
    const QString dir = m_nginxDir.path();
    QVERIFY(write(dir + u"/upstream.conf"_s, upstream));
    QVERIFY(write(dir + u"/messenger.conf"_s, site));
    const QByteArray d = dir.toUtf8();
    QByteArray main = (::geteuid() == 0 ? "user root;\n"_ba : QByteArray())
        + "daemon off;\n"
          "worker_processes 1;\npid "
        + d + "/nginx.pid;\nerror_log " + d
        + "/error.log info;\n"
          "events { worker_connections 256; }\n"
          "http {\n  access_log "
        + d
        + "/access.log;\n"
          "  client_body_temp_path "
        + d + "/body;\n  proxy_temp_path " + d
        + "/proxy;\n"
          "  fastcgi_temp_path "
        + d + "/fastcgi;\n  uwsgi_temp_path " + d
        + "/uwsgi;\n"
          "  scgi_temp_path "
        + d
        + "/scgi;\n"
          "  include "
        + d + "/upstream.conf;\n  include " + d + "/messenger.conf;\n}\n";
    QVERIFY(write(dir + u"/nginx.conf"_s, main));
    m_nginx.setProcessChannelMode(QProcess::MergedChannels);
    m_nginx.start(u"/usr/sbin/nginx"_s, { u"-p"_s, dir, u"-c"_s, dir + u"/nginx.conf"_s });
    QVERIFY2(
        m_nginx.waitForStarted(10000), "nginx is not installed (scripts/install-deps.sh test)");

    const QUrl proxy(u"http://127.0.0.1:%1"_s.arg(port));
    HttpClient http(proxy);
    QTRY_VERIFY2_WITH_TIMEOUT(http.get(u"/health"_s).status == 200,
        qPrintable(QString::fromUtf8(m_nginx.readAll() + read(dir + u"/error.log"_s))), 10000);
    COMPARE_STATUS(http.get(u"/metrics"_s), 404); // private

    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const auto carol = http.newUser(u"Carol"_s);
    QVERIFY(!ann.token.isEmpty() && !bob.token.isEmpty());
    const QString chatId = http.personalChat(ann.token, bob.id);
    QVERIFY(!chatId.isEmpty());

    struct Client
    {
        QWebSocket socket;
        QList<QJsonObject> frames;
        // The greeting names the seq the live stream starts after; a chat
        // created just before connecting may come live or not, by that seq.
        bool greeted() const
        {
            return !frames.isEmpty()
                && frames.first().value(u"status").toString() == u"connected"_s;
        }
        bool onlyAfterGreeting() const
        {
            const qint64 start = frames.first().value(u"seq").toInteger();
            return std::all_of(frames.cbegin() + 1, frames.cend(),
                [start](const QJsonObject &f) { // events; an ack has its seq in data
                    return !f.contains(u"seq") || f.value(u"seq").toInteger() > start;
                });
        }
        int messages() const
        {
            return int(std::count_if(frames.cbegin(), frames.cend(),
                [](const QJsonObject &f) { return f.value(u"type").toString() == u"message"_s; }));
        }
    };
    const auto connect = [&](Client &client, const QString &token) {
        QObject::connect(
            &client.socket, &QWebSocket::textMessageReceived, [&client](const QString &text) {
                client.frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
            });
        client.socket.open(QUrl(u"ws://127.0.0.1:%1/ws/user?token=%2"_s.arg(port).arg(token)));
    };
    // least_conn sends the second long-lived socket to the other instance.
    Client a;
    connect(a, ann.token);
    QTRY_VERIFY_WITH_TIMEOUT(a.greeted(), 10000);
    Client b;
    connect(b, bob.token);
    QTRY_VERIFY_WITH_TIMEOUT(b.greeted(), 10000);
    QCOMPARE(openSockets(first), 1);
    QCOMPARE(openSockets(second), 1);
    Client c;
    connect(c, carol.token);
    QTRY_VERIFY_WITH_TIMEOUT(c.greeted(), 10000);

    // Live both ways across the instances, through the proxy.
    a.socket.sendTextMessage(QString::fromUtf8(
        QJsonDocument(QJsonObject { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
                          { u"text"_s, u"hello from Ann"_s },
                          { u"client_id"_s, u"7f1d3c2a-0000-4000-8000-000000000001"_s } })
            .toJson(QJsonDocument::Compact)));
    QTRY_COMPARE_WITH_TIMEOUT(b.messages(), 1, 10000);
    b.socket.sendTextMessage(QString::fromUtf8(
        QJsonDocument(QJsonObject { { u"type"_s, u"send"_s }, { u"chat_id"_s, chatId },
                          { u"text"_s, u"hello from Bob"_s },
                          { u"client_id"_s, u"7f1d3c2a-0000-4000-8000-000000000002"_s } })
            .toJson(QJsonDocument::Compact)));
    QTRY_COMPARE_WITH_TIMEOUT(a.messages(), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(b.messages(), 2, 10000);
    QVERIFY(a.onlyAfterGreeting());
    QVERIFY(b.onlyAfterGreeting());
    // Carol, not a member, saw nothing but her greeting: her instance's event
    // feed delivers in commit order, so a chat of hers committed now (the
    // barrier) comes after anything it had wrongly sent her.
    const QString carolsChat = http.personalChat(http.newUser(u"Dan"_s).token, carol.id);
    QTRY_COMPARE_WITH_TIMEOUT(c.frames.size(), 2, 10000);
    QCOMPARE(c.frames.at(1).value(u"type").toString(), u"chat"_s);
    QCOMPARE(c.frames.at(1).value(u"data").toObject().value(u"id").toString(), carolsChat);
}

void TestTopology::cleanupTestCase()
{
    if (m_nginx.state() != QProcess::NotRunning) {
        m_nginx.terminate();
        if (!m_nginx.waitForFinished(5000))
            m_nginx.kill();
    }
}

QTEST_MAIN(TestTopology)
#include "tst_topology.moc"
