#include "TestServer.h"
#include "shared/Operations.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>
#include <QWebSocket>

#include <csignal>

using namespace Qt::StringLiterals;
using Messenger::LogRecord;

// What the server writes for operators: every line JSON in JSON mode, the
// fields of request and WebSocket lines, X-Request-Id.
class TestLogging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonModeWritesOnlyJsonLines();
    void requestIdIsKeptWhenValidElseGenerated();
    void textLinesCarryTheSameFields();
    void fatalSignalInJsonModeWritesJsonFrames();
};

namespace {

// Every line of `output` as a log record; fails the test on a line that is not one.
QList<LogRecord> parseLines(const QByteArray &output, bool *allJson)
{
    QList<LogRecord> records;
    *allJson = true;
    for (const QByteArray &line : output.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error {};
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        const auto record = LogRecord::fromJson(document.object());
        if (error.error != QJsonParseError::NoError || !document.isObject() || !record) {
            qWarning().noquote() << "not a JSON log line:" << line;
            *allJson = false;
            continue;
        }
        records.append(record.value());
    }
    return records;
}

const LogRecord *find(
    const QList<LogRecord> &records, const std::function<bool(const LogRecord &)> &match)
{
    for (const LogRecord &record : records) {
        if (match(record))
            return &record;
    }
    return nullptr;
}

} // namespace

void TestLogging::jsonModeWritesOnlyJsonLines()
{
    TestServer server;
    QVERIFY2(server.start({ u"--log-format"_s, u"json"_s }), qPrintable(server.error()));
    HttpClient http(server);
    if (server.isPostgres()) {
        // The server's own connections get a NOTICE and a WARNING with every
        // message stored: libpq would print them on stderr as plain text.
        QVERIFY2(server.execInDatabase(
                     u"CREATE FUNCTION provoke_notice() RETURNS trigger LANGUAGE plpgsql AS $$ "
                     "BEGIN RAISE NOTICE 'provoked notice'; RAISE WARNING 'provoked warning'; "
                     "RETURN NEW; END $$"_s),
            qPrintable(server.error()));
        QVERIFY2(server.execInDatabase(u"CREATE TRIGGER provoke_notice BEFORE INSERT ON messages "
                                       "FOR EACH ROW EXECUTE FUNCTION provoke_notice()"_s),
            qPrintable(server.error()));
    }
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chatId = http.personalChat(ann.token, bob.id);

    QWebSocket socket;
    QSignalSpy frames(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy closed(&socket, &QWebSocket::disconnected);
    socket.open(server.webSocketUrl(u"/ws/user"_s, bob.token));
    QVERIFY(frames.wait(10000));

    http.setHeader("X-Request-Id", "send-1234");
    const Reply sent = http.sendMessage(ann.token, chatId, u"logged"_s);
    QCOMPARE(sent.status, 200);
    QCOMPARE(sent.header("x-request-id"), "send-1234");
    http.setHeader("X-Request-Id", {});
    QTRY_VERIFY_WITH_TIMEOUT(frames.size() >= 2, 10000); // the message reached Bob
    socket.close();
    QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 10000);

    COMPARE_STATUS(http.get(u"/no/such/%1"_s.arg(chatId)), 404);
    COMPARE_STATUS(http.request("POST", u"/api/v1/chats/messages"_s, "{not json", ann.token), 400);
    COMPARE_STATUS(http.get(u"/api/v1/chats/%1"_s.arg(chatId), ann.token), 200);
    server.stop(); // SIGTERM: the shutdown's lines too

    bool allJson = false;
    const QList<LogRecord> records = parseLines(server.output(), &allJson);
    QVERIFY2(allJson, server.output().right(3000).constData());

    QVERIFY(find(records, [](const LogRecord &r) {
        return r.message.startsWith(u"Listening on http://127.0.0.1:"_s);
    }));
    QVERIFY(find(records, [](const LogRecord &r) { return r.message == u"shutting down"_s; }));

    const LogRecord *send = find(records, [](const LogRecord &r) {
        return r.route == u"/api/v1/chats/messages"_s && r.method == u"POST"_s && r.status == 200;
    });
    QVERIFY(send);
    QCOMPARE(send->requestId.value_or(QString()), u"send-1234"_s);
    QCOMPARE(send->userId.value_or(QString()), ann.id);
    QCOMPARE(send->client.value_or(QString()), u"127.0.0.1"_s);
    QVERIFY(send->bytes.value_or(0) > 0);
    QVERIFY(send->durationMs.value_or(0) > 0);

    const LogRecord *chat = find(records, [](const LogRecord &r) {
        return r.route == u"/api/v1/chats/{chat_id}"_s && r.method == u"GET"_s;
    });
    QVERIFY(chat);
    QCOMPARE(chat->status.value_or(-1), 200);
    // Generated when the client sent none.
    QVERIFY(!QUuid::fromString(chat->requestId.value_or(QString())).isNull());

    const LogRecord *missing
        = find(records, [](const LogRecord &r) { return r.status == 404 && r.route; });
    QVERIFY(missing);
    QCOMPARE(missing->route.value_or(QString()), u"unmatched"_s);
    QVERIFY(find(records, [](const LogRecord &r) {
        return r.status == 400 && r.route == u"/api/v1/chats/messages"_s && r.userId;
    }));

    const LogRecord *opened
        = find(records, [](const LogRecord &r) { return r.message == u"websocket opened"_s; });
    QVERIFY(opened);
    QCOMPARE(opened->userId.value_or(QString()), bob.id);
    QCOMPARE(opened->client.value_or(QString()), u"127.0.0.1"_s);
    QCOMPARE(opened->route.value_or(QString()), u"/ws/user"_s);
    const LogRecord *socketClosed
        = find(records, [](const LogRecord &r) { return r.message == u"websocket closed"_s; });
    QVERIFY(socketClosed);
    QCOMPARE(socketClosed->userId.value_or(QString()), bob.id);
    QCOMPARE(socketClosed->closeCode.value_or(-1), 1000);
    QVERIFY(socketClosed->durationMs.value_or(0) > 0);

    if (server.isPostgres()) {
        const LogRecord *notice = find(
            records, [](const LogRecord &r) { return r.message.contains(u"provoked notice"_s); });
        QVERIFY2(notice, server.output().right(3000).constData());
        QCOMPARE(notice->level, u"info"_s);
        const LogRecord *warning = find(
            records, [](const LogRecord &r) { return r.message.contains(u"provoked warning"_s); });
        QVERIFY(warning);
        QCOMPARE(warning->level, u"warning"_s);
    }
}

void TestLogging::requestIdIsKeptWhenValidElseGenerated()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const QByteArray longest(128, 'r');
    http.setHeader("X-Request-Id", longest);
    QCOMPARE(http.get(u"/health"_s).header("x-request-id"), longest);
    QCOMPARE(http.get(u"/nowhere"_s).header("x-request-id"), longest); // a 404 too
    QCOMPARE(http.get(u"/metrics"_s).header("x-request-id"), longest);
    for (const QByteArray &refused : { QByteArray(129, 'r'), QByteArray("caf\xc3\xa9") }) {
        http.setHeader("X-Request-Id", refused);
        const QByteArray answered = http.get(u"/health"_s).header("x-request-id");
        QVERIFY2(!QUuid::fromString(QString::fromLatin1(answered)).isNull(), answered.constData());
    }
    http.setHeader("X-Request-Id", {});
    const QByteArray first = http.get(u"/health"_s).header("x-request-id");
    const QByteArray second = http.get(u"/health"_s).header("x-request-id");
    QVERIFY(!QUuid::fromString(QString::fromLatin1(first)).isNull());
    QVERIFY(first != second);
}

void TestLogging::textLinesCarryTheSameFields()
{
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    http.setHeader("X-Request-Id", "text-42");
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, ann.token), 200);
    server.stop();
    static const QRegularExpression line(
        uR"(\n\S+ INFO messenger\.server\.http: GET /api/v1/users/me 200 [0-9.]+ms route=/api/v1/users/me bytes=[1-9][0-9]* client=127\.0\.0\.1 user_id=%1 request_id=text-42\n)"_s
            .arg(ann.id));
    QVERIFY2(line.match(QString::fromUtf8(server.output())).hasMatch(),
        server.output().right(3000).constData());
}

// The crash report's stack was backtrace_symbols_fd's plain lines.
void TestLogging::fatalSignalInJsonModeWritesJsonFrames()
{
    if (qEnvironmentVariableIsSet("ASAN_OPTIONS"))
        QSKIP("AddressSanitizer keeps its own fatal-signal report");
    TestServer server;
    QVERIFY2(server.start({ u"--log-format"_s, u"json"_s }), qPrintable(server.error()));
    QVERIFY(::kill(pid_t(server.processId()), SIGSEGV) == 0);
    QVERIFY(server.waitForExit(10000));
    bool allJson = false;
    const QList<LogRecord> records = parseLines(server.output(), &allJson);
    QVERIFY2(allJson, server.output().right(3000).constData());
    QVERIFY(find(records, [](const LogRecord &r) {
        return r.level == u"fatal"_s && r.message.startsWith(u"fatal signal 11 (SIGSEGV)"_s);
    }));
    QVERIFY(find(records, [](const LogRecord &r) {
        return r.message.startsWith(u"frame 0: "_s) && r.message.contains(u"[0x"_s);
    }));
}

QTEST_MAIN(TestLogging)
#include "tst_logging.moc"
