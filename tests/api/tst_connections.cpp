#include "TestServer.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUuid>

#include <sys/resource.h>

using namespace Qt::StringLiterals;

// Attacks on the HTTP connections themselves, by clients that need no account:
// pipelining without reading, trickling requests, holding sockets, framing a
// request two ways. Each one reproduces a defect found from outside.
class TestConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pipelinedRequestsNeverRead();
    void unreadAnswersHaveAnOverallBound();
    void tricklingConnections();
    void ambiguousFraming_data();
    void ambiguousFraming();
};

namespace {

std::unique_ptr<QTcpSocket> connectFrom(const QHostAddress &local, quint16 port)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->bind(local);
    socket->connectToHost(QHostAddress::LocalHost, port);
    return socket;
}

// Splits HTTP/1.1 answers off the front of `buffer`: their status lines and
// body sizes, as long as whole answers are there.
QList<std::pair<QByteArray, qsizetype>> takeAnswers(QByteArray &buffer)
{
    QList<std::pair<QByteArray, qsizetype>> answers;
    static const QRegularExpression length(u"(?i)\r\ncontent-length: *(\\d+)"_s);
    for (;;) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            break;
        const QByteArray head = buffer.left(headEnd);
        const auto match = length.match(QString::fromLatin1(head));
        const qsizetype bodySize = match.hasMatch() ? match.captured(1).toLongLong() : 0;
        if (buffer.size() < headEnd + 4 + bodySize)
            break;
        answers.append({ head.left(head.indexOf("\r\n")), bodySize });
        buffer.remove(0, headEnd + 4 + bodySize);
    }
    return answers;
}

} // namespace

void TestConnections::initTestCase()
{
    // A thousand sockets of our own, like the attacker's.
    rlimit limit {};
    QVERIFY(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    limit.rlim_cur = limit.rlim_max;
    QVERIFY(::setrlimit(RLIMIT_NOFILE, &limit) == 0);
}

// Three connections each pipeline 300 requests for the 1.7 MB Swagger bundle
// and never read: the server used to queue every answer (1.5 GB). Now it
// stops reading a connection while its answers wait, and the client that
// finally reads gets all 300, complete and in order.
void TestConnections::pipelinedRequestsNeverRead()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    COMPARE_STATUS(http.get(u"/docs/swagger-ui-bundle.js"_s), 200); // read once, cached
    const qint64 before = residentKiB(server.processId());
    const quint16 port = quint16(server.url(u"/"_s).port());

    const QByteArray bundle = "GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n";
    const QByteArray document = "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
    QByteArray pipeline;
    for (int i = 0; i < 300; ++i)
        pipeline += i % 10 == 9 ? document : bundle;
    std::vector<std::unique_ptr<QTcpSocket>> attackers;
    for (int i = 0; i < 3; ++i) {
        attackers.push_back(connectFrom(QHostAddress::LocalHost, port));
        QVERIFY(attackers.back()->waitForConnected(5000));
        // A small window, and nothing read: the server's answers pile up.
        attackers.back()->setReadBufferSize(4096);
        attackers.back()->write(pipeline);
        QVERIFY(attackers.back()->waitForBytesWritten(5000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(http.gauge("messenger_http_connections_stalled"), 3, 30000);
    const qint64 after = residentKiB(server.processId());
    if (!qEnvironmentVariableIsSet("ASAN_OPTIONS")) {
        QVERIFY2(after - before < 50 * 1024,
            qPrintable(u"resident %1 KiB before, %2 KiB after"_s.arg(before).arg(after)));
    }
    qInfo("resident memory with 3 connections x 300 unread answers: %lld KiB -> %lld KiB", before,
        after);
    COMPARE_STATUS(http.get(u"/health"_s), 200);

    // The first attacker reads after all: every answer, whole, in order.
    QTcpSocket &reader = *attackers.front();
    reader.setReadBufferSize(0);
    const qint64 bundleSize = http.get(u"/docs/swagger-ui-bundle.js"_s).body.size();
    const qint64 documentSize = http.get(u"/openapi.json"_s).body.size();
    QByteArray buffer;
    QList<std::pair<QByteArray, qsizetype>> answers;
    while (answers.size() < 300 && reader.waitForReadyRead(10000)) {
        buffer += reader.readAll();
        answers += takeAnswers(buffer);
    }
    QCOMPARE(answers.size(), 300);
    for (int i = 0; i < 300; ++i) {
        QCOMPARE(answers[i].first, "HTTP/1.1 200 OK"_ba);
        QCOMPARE(answers[i].second, i % 10 == 9 ? documentSize : bundleSize);
    }
}

// Many connections, each with a few answers unread (as 100 clients behind
// nginx were, each holding an answer in its upstream connection): past the
// overall bound of 64 MiB unsent, the server closes the stalled connections
// with the most unsent until it is under it again.
void TestConnections::unreadAnswersHaveAnOverallBound()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    COMPARE_STATUS(http.get(u"/docs/swagger-ui-bundle.js"_s), 200);
    const qint64 before = residentKiB(server.processId());
    const quint16 port = quint16(server.url(u"/"_s).port());
    QByteArray pipeline;
    for (int i = 0; i < 20; ++i)
        pipeline += "GET /docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n";
    constexpr int count = 60;
    std::vector<std::unique_ptr<QTcpSocket>> readers;
    for (int i = 0; i < count; ++i) {
        readers.push_back(connectFrom(QHostAddress::LocalHost, port));
        QTcpSocket *socket = readers.back().get();
        QVERIFY(socket->waitForConnected(5000));
        socket->setReadBufferSize(4096);
        socket->write(pipeline);
        QVERIFY(socket->waitForBytesWritten(5000));
    }
    // Every connection ends up either stalled or closed by the server (the
    // clients, reading nothing, do not notice), and what stays unsent is
    // within the bound. (Resident memory need not shrink when buffers are
    // freed: the server's own count is the figure.)
    const auto settled = [&http] {
        const qint64 open = http.gauge("messenger_http_connections");
        const qint64 stalled = http.gauge("messenger_http_connections_stalled");
        const qint64 unsent = http.gauge("messenger_http_unsent_bytes");
        return open < count + 1 && open - stalled == 1 // our own connection
            && unsent > 0 && unsent <= 64 * 1024 * 1024;
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 30000);
    qInfo("%d connections with unread answers: %lld closed, %lld bytes unsent, resident %lld KiB "
          "-> %lld KiB",
        count, count + 1 - http.gauge("messenger_http_connections"),
        http.gauge("messenger_http_unsent_bytes"), before, residentKiB(server.processId()));
    COMPARE_STATUS(http.get(u"/health"_s), 200);
}

// Slowloris from 127.0.0.2: 1,100 connections, each sending a header line
// every 300 ms and never finishing. They used to be held for good (each byte
// reset the idle timer) and took every descriptor; now an address holds at
// most --http-max-connections-per-address, a request must be complete within
// --http-request-timeout of its first byte, and /health answers throughout.
void TestConnections::tricklingConnections()
{
    TestServer server;
    QVERIFY2(server.start({ u"--http-request-timeout"_s, u"2"_s }), qPrintable(server.error()));
    QVERIFY2(server.output().contains("open files limit:"), server.output().constData());
    HttpClient http(server);
    const quint16 port = quint16(server.url(u"/"_s).port());
    const QHostAddress attacker(u"127.0.0.2"_s);

    constexpr int count = 1100;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    int refused = 0;
    int closed = 0;
    for (int i = 0; i < count; ++i) {
        sockets.push_back(connectFrom(attacker, port));
        QTcpSocket *socket = sockets.back().get();
        connect(socket, &QTcpSocket::connected, socket,
            [socket] { socket->write("GET /health HTTP/1.1\r\nHost: x\r\n"); });
        connect(socket, &QTcpSocket::readyRead, socket, [socket, &refused] {
            if (socket->readAll().startsWith("HTTP/1.1 429"))
                ++refused;
        });
        connect(socket, &QTcpSocket::disconnected, socket, [&closed] { ++closed; });
    }
    QTimer trickle;
    trickle.setInterval(300);
    connect(&trickle, &QTimer::timeout, &trickle, [&sockets] {
        for (auto &socket : sockets) {
            if (socket->state() == QAbstractSocket::ConnectedState)
                socket->write("X-Trickle: 1\r\n");
        }
    });
    trickle.start();
    // While they trickle, everyone else is served.
    for (int probe = 0; probe < 3; ++probe)
        COMPARE_STATUS(http.get(u"/health"_s), 200);
    QTRY_VERIFY_WITH_TIMEOUT(closed == count, 30000);
    qInfo("%d trickling connections: %d refused at once (429), %d closed at the deadline", count,
        refused, count - refused);
    QVERIFY2(refused >= count - 256, qPrintable(QString::number(refused)));
    QVERIFY2(refused < count, "none was held at all");
    COMPARE_STATUS(http.get(u"/health"_s), 200);
}

void TestConnections::ambiguousFraming_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QByteArray>("body");
    // Each hides a second request (a registration) that one reading of the
    // framing sees and the other does not.
    const QByteArray post = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\n"
                            "Content-Type: application/json\r\n";
    QTest::newRow("Content-Length, then Transfer-Encoding")
        << (post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") << "0\r\n\r\n"_ba;
    QTest::newRow("Transfer-Encoding, then Content-Length")
        << (post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") << "0\r\n\r\n"_ba;
    QTest::newRow("two Content-Lengths")
        << (post + "Content-Length: 2\r\nContent-Length: 300\r\n") << "{}"_ba;
    QTest::newRow("Transfer-Encoding other than chunked")
        << (post + "Transfer-Encoding: gzip, chunked\r\n") << "0\r\n\r\n"_ba;
}

// Reached directly, a request framed two ways executed the request hidden
// after it. Now it is refused with 400 and the connection closed.
void TestConnections::ambiguousFraming()
{
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, body);
    static TestServer server;
    if (server.processId() == 0)
        QVERIFY2(server.start({ u"--register-rate"_s, u"off"_s }), qPrintable(server.error()));
    const QString email
        = u"smuggled-%1@example.com"_s.arg(QUuid::createUuid().toString(QUuid::Id128));
    const QByteArray registration
        = R"({"email":")" + email.toUtf8() + R"(","name":"Smuggled","password":"password1"})";
    const QByteArray hidden = "POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\n"
                              "Content-Type: application/json\r\nContent-Length: "
        + QByteArray::number(registration.size()) + "\r\n\r\n" + registration;

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(server.url(u"/"_s).port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write(head + "\r\n" + body + hidden);
    QVERIFY(socket.waitForBytesWritten(5000));
    QVERIFY(
        socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(10000));
    QByteArray received = socket.readAll();
    const auto answers = takeAnswers(received);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.first().first, "HTTP/1.1 400 Bad Request"_ba);

    // The hidden registration never ran: the address is still free.
    HttpClient http(server);
    COMPARE_STATUS(http.post(u"/api/v1/auth/register"_s,
                       { { u"email"_s, email }, { u"name"_s, u"Someone"_s },
                           { u"password"_s, u"password1"_s } }),
        200);
}

QTEST_GUILESS_MAIN(TestConnections)
#include "tst_connections.moc"
