#include "TestServer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>

using namespace Qt::StringLiterals;

// Operations: metrics, logs, TLS, CORS, --check-config.
class TestOps : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void metricsAreScrapedAndParsed();
    void metricsParseWithAPrometheusParser();
    void dashboardQueriesOnlyServedMetrics();
    void jsonLogsHideSecretsAndReopenOnSighup();
    void tlsServesHttpsAndWss();
    void corsIsOffByDefaultAndAnswersPreflight();
    void checkConfigReportsAndExits();
    void sigtermDrainsAndClosesSocketsWith1001();
    void fatalSignalLeavesALastLogLine();
    void logReaderGoingAwayLeavesTheServerRunning();
    void serverWaitsForADatabaseThatStartsLater();
    void databaseStartTimeoutEndsInExitCode3();

private:
    TestServer m_server;
    std::unique_ptr<HttpClient> m_http;
};

void TestOps::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.error()));
    m_http = std::make_unique<HttpClient>(m_server);
}

void TestOps::metricsAreScrapedAndParsed()
{
    const auto ann = m_http->newUser(u"Ann"_s);
    const auto bob = m_http->newUser(u"Bob"_s);
    const QString chatId = m_http->personalChat(ann.token, bob.id);
    const QUrl wsUrl = m_server.webSocketUrl(u"/ws/user"_s, bob.token);
    QWebSocket socket;
    QSignalSpy greeted(&socket, &QWebSocket::textMessageReceived);
    socket.open(wsUrl);
    QVERIFY(greeted.wait(10000));
    COMPARE_STATUS(m_http->post(u"/api/v1/chats/messages"_s,
                       { { u"chat_id"_s, chatId }, { u"text"_s, u"counted"_s } }, ann.token),
        200);
    const auto messageArrived = [&greeted] {
        for (const QList<QVariant> &frame : greeted) {
            if (frame.first().toString().contains(u"\"type\":\"message\""_s))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(messageArrived(), 10000); // the message reached Bob's socket
    COMPARE_STATUS(m_http->get(u"/api/v1/chats/%1"_s.arg(chatId), ann.token), 200);
    // Paths nothing serves count under one label, whatever they are.
    const QString inventedPath = u"/invented/%1"_s.arg(chatId);
    COMPARE_STATUS(m_http->get(inventedPath), 404);
    COMPARE_STATUS(m_http->get(u"/also/invented"_s), 404);
    // A refused WebSocket is counted by its reason.
    QWebSocket refused;
    QSignalSpy refusedClosed(&refused, &QWebSocket::disconnected);
    refused.open(m_server.webSocketUrl(u"/ws/user"_s, u"not-a-token"_s));
    QVERIFY(refusedClosed.wait(10000));

    const Reply scrape = m_http->get(u"/metrics"_s);
    QCOMPARE(scrape.status, 200);
    QVERIFY(scrape.header("content-type").startsWith("text/plain"));
    // Every line is a comment or `name{labels} value`, and we keep the samples.
    static const QRegularExpression sample(
        uR"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|NaN)$)"_s);
    QHash<QString, double> samples;
    QSet<QString> typed;
    for (const QByteArray &raw : scrape.body.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty())
            continue;
        if (line.startsWith(u"# HELP "_s))
            continue;
        if (line.startsWith(u"# TYPE "_s)) {
            typed.insert(line.section(u' ', 2, 2));
            continue;
        }
        const auto match = sample.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(u"not a sample line: "_s + line));
        samples.insert(line.section(u' ', 0, -2), line.section(u' ', -1).toDouble());
        // Route labels are templates: no raw ids.
        QVERIFY2(!line.contains(chatId), qPrintable(line));
    }
    for (const char *name :
        { "messenger_http_requests_total", "messenger_http_request_duration_seconds",
            "messenger_websocket_connections", "messenger_messages_stored_total",
            "messenger_messages_delivered_total", "messenger_db_connections_in_use",
            "messenger_db_query_duration_seconds", "messenger_password_hashes_in_flight",
            "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
            "process_max_fds", "process_start_time_seconds", "messenger_build_info",
            "messenger_websocket_opened_total", "messenger_websocket_closed_total",
            "messenger_websocket_refused_total", "messenger_rate_limited_total",
            "messenger_db_errors_total", "messenger_event_feed_lag_seconds",
            "messenger_cluster_link_connected" })
        QVERIFY2(typed.contains(QString::fromLatin1(name)), name);
    QVERIFY(!scrape.body.contains("invented"));
    QCOMPARE(
        samples.value(
            u"messenger_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"_s),
        2);
    QVERIFY(samples.value(u"messenger_websocket_refused_total{reason=\"invalid_token\"}"_s) >= 1);
    QVERIFY(samples.value(u"messenger_websocket_opened_total"_s) >= 1);
    // The message's way from its commit to Bob's socket.
    QVERIFY(samples.value(u"messenger_event_feed_lag_seconds_count"_s) >= 1);
    QVERIFY(samples.value(u"process_cpu_seconds_total"_s) > 0);
    QVERIFY(samples.value(u"process_open_fds"_s) > 3);
    QVERIFY(samples.value(u"process_max_fds"_s) >= samples.value(u"process_open_fds"_s));
    const double started = samples.value(u"process_start_time_seconds"_s);
    QVERIFY2(qAbs(started - QDateTime::currentSecsSinceEpoch()) < 600,
        qPrintable(QString::number(started)));
    const QString backend = m_server.isPostgres() ? u"postgres"_s : u"sqlite"_s;
    bool buildInfo = false;
    for (auto it = samples.cbegin(); it != samples.cend(); ++it) {
        if (it.key().startsWith(u"messenger_build_info{version=\""_s)
            && it.key().contains(u",qt=\"6."_s)
            && it.key().endsWith(u",backend=\"%1\"}"_s.arg(backend)))
            buildInfo = it.value() == 1;
    }
    QVERIFY(buildInfo);
    QCOMPARE(
        samples.value(u"messenger_cluster_link_connected"_s, -1), m_server.isPostgres() ? 1 : 0);
    QVERIFY(
        samples.value(
            u"messenger_http_requests_total{method=\"POST\",route=\"/api/v1/chats/messages\",status=\"200\"}"_s)
        >= 1);
    QVERIFY(
        samples.value(
            u"messenger_http_requests_total{method=\"GET\",route=\"/api/v1/chats/{chat_id}\",status=\"200\"}"_s)
        >= 1);
    QVERIFY(samples.value(u"messenger_websocket_connections"_s) >= 1);
    QVERIFY(samples.value(u"messenger_messages_stored_total"_s) >= 1);
    QVERIFY(samples.value(u"messenger_messages_delivered_total"_s) >= 1);
    QVERIFY(samples.value(u"process_resident_memory_bytes"_s) > 1e6);
    QVERIFY(samples.value(u"messenger_db_query_duration_seconds_count"_s) >= 1);
    // Histogram buckets are cumulative and end with +Inf == _count.
    const QString route = u"route=\"/api/v1/chats/messages\""_s;
    double previous = 0;
    for (const char *le : { "0.0005", "0.001", "0.01", "0.1", "1", "5", "+Inf" }) {
        const double bucket
            = samples.value(u"messenger_http_request_duration_seconds_bucket{%1,le=\"%2\"}"_s.arg(
                                route, QString::fromLatin1(le)),
                -1);
        QVERIFY2(bucket >= previous, le);
        previous = bucket;
    }
    QCOMPARE(
        previous, samples.value(u"messenger_http_request_duration_seconds_count{%1}"_s.arg(route)));
}

namespace {

// The families of a scrape as a real Prometheus parser
// (parse-prometheus-text-format, tests/package.json) reads them: name → type.
QHash<QString, QString> parsedFamilies(const QByteArray &scrape, QString *error)
{
    if (QStandardPaths::findExecutable(u"node"_s).isEmpty()
        || !QFile::exists(QStringLiteral(
            MESSENGER_SOURCE_DIR "/tests/node_modules/parse-prometheus-text-format"))) {
        *error = u"node and tests/node_modules are needed: run npm ci --prefix tests"_s;
        return {};
    }
    QTemporaryDir dir;
    QFile file(dir.filePath(u"metrics.txt"_s));
    if (!file.open(QIODevice::WriteOnly) || file.write(scrape) != scrape.size())
        return {};
    file.close();
    QProcess node;
    node.start(QStandardPaths::findExecutable(u"node"_s),
        { QStringLiteral(MESSENGER_SOURCE_DIR "/tests/tools/prometheus-parse.mjs"),
            file.fileName() });
    if (!node.waitForFinished(30000) || node.exitCode() != 0) {
        *error = QString::fromUtf8(node.readAllStandardError());
        return {};
    }
    QHash<QString, QString> families;
    for (const QJsonValue &family : QJsonDocument::fromJson(node.readAllStandardOutput()).array())
        families.insert(family[u"name"].toString(), family[u"type"].toString());
    return families;
}

} // namespace

void TestOps::metricsParseWithAPrometheusParser()
{
    // After metricsAreScrapedAndParsed: every kind of series has samples.
    const Reply scrape = m_http->get(u"/metrics"_s);
    QCOMPARE(scrape.status, 200);
    QString error;
    const QHash<QString, QString> families = parsedFamilies(scrape.body, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(families.value(u"messenger_http_request_duration_seconds"_s), u"HISTOGRAM"_s);
    QCOMPARE(families.value(u"messenger_event_feed_lag_seconds"_s), u"HISTOGRAM"_s);
    QCOMPARE(families.value(u"process_cpu_seconds_total"_s), u"COUNTER"_s);
    QCOMPARE(families.value(u"messenger_build_info"_s), u"GAUGE"_s);
    QCOMPARE(families.value(u"messenger_websocket_refused_total"_s), u"COUNTER"_s);
    // Broken text does not parse: the check can fail.
    QVERIFY(parsedFamilies("# TYPE x counter\nx{a=\"1\" 2\n", &error).isEmpty());
}

void TestOps::dashboardQueriesOnlyServedMetrics()
{
    QFile file(QStringLiteral(MESSENGER_SOURCE_DIR "/docker/grafana-dashboard.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError parseError {};
    const QJsonDocument dashboard = QJsonDocument::fromJson(file.readAll(), &parseError);
    QVERIFY2(dashboard.isObject(), qPrintable(parseError.errorString()));
    QStringList expressions;
    std::function<void(const QJsonValue &)> collect = [&](const QJsonValue &value) {
        if (value.isArray()) {
            for (const QJsonValue &item : value.toArray())
                collect(item);
        } else if (value.isObject()) {
            const QJsonObject object = value.toObject();
            if (object.value(u"expr").isString())
                expressions.append(object.value(u"expr").toString());
            if (object.value(u"query").isString())
                expressions.append(object.value(u"query").toString());
            for (const QJsonValue &child : object)
                collect(child);
        }
    };
    collect(dashboard.object());
    QVERIFY(expressions.size() >= 10);

    QString error;
    const QHash<QString, QString> families
        = parsedFamilies(m_http->get(u"/metrics"_s).body, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // A metric name in PromQL: an identifier not called as a function, outside
    // label matchers, ranges, strings and by/without/on lists.
    static const QRegularExpression noise(
        uR"(\{[^}]*\}|\[[^\]]*\]|"[^"]*"|\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))"_s);
    static const QRegularExpression identifier(uR"(\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\())"_s);
    QSet<QString> queried;
    for (QString expression : std::as_const(expressions)) {
        expression.replace(noise, u" "_s);
        auto names = identifier.globalMatch(expression);
        while (names.hasNext()) {
            const QString name = names.next().captured(1);
            if (name.contains(u'_') && !name.startsWith(u"__"_s))
                queried.insert(name);
        }
    }
    QVERIFY2(queried.size() >= 15, qPrintable(QStringList(queried.values()).join(u", "_s)));
    static const QRegularExpression histogramSuffix(u"_(bucket|sum|count)$"_s);
    for (const QString &name : std::as_const(queried)) {
        QString family = name;
        if (!families.contains(family))
            family.remove(histogramSuffix);
        QVERIFY2(families.contains(family), qPrintable(name + u" is not in /metrics"_s));
    }
}

void TestOps::jsonLogsHideSecretsAndReopenOnSighup()
{
    QTemporaryDir logs;
    const QString logFile = logs.filePath(u"server.log"_s);
    TestServer server;
    QVERIFY2(server.start({ u"--log-format"_s, u"json"_s, u"--log-file"_s, logFile }),
        qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const QUrl wsUrl = server.webSocketUrl(u"/ws/user"_s, ann.token);
    QWebSocket socket;
    QSignalSpy greeted(&socket, &QWebSocket::textMessageReceived);
    socket.open(wsUrl);
    QVERIFY(greeted.wait(10000));
    COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, u"garbage.token.value"_s), 401);

    // logrotate moves the file away, then sends SIGHUP.
    QVERIFY(QFile::rename(logFile, logFile + u".1"_s));
    QVERIFY(::kill(pid_t(server.processId()), SIGHUP) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        (http.get(u"/health"_s), QFile::exists(logFile) && QFileInfo(logFile).size() > 0), 10000);
    server.stop();

    QByteArray everything;
    for (const QString &path : QStringList { logFile + u".1"_s, logFile }) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        everything += content;
        for (const QByteArray &line : content.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error {};
            const QJsonObject entry = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            for (const char *key : { "time", "level", "category", "message" })
                QVERIFY2(entry.contains(QLatin1String(key)), line.constData());
        }
    }
    QVERIFY(everything.contains("/api/v1/users/me"));
    QVERIFY(!everything.contains(ann.token.toUtf8()));
    QVERIFY(!everything.contains(ann.refreshToken.toUtf8()));
    QVERIFY(!everything.contains(ann.password.toUtf8()));
    QVERIFY(!everything.contains("garbage.token.value"));
}

void TestOps::tlsServesHttpsAndWss()
{
    QTemporaryDir dir;
    const QString certificate = dir.filePath(u"cert.pem"_s);
    const QString key = dir.filePath(u"key.pem"_s);
    QProcess openssl;
    openssl.start(u"openssl"_s,
        { u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-days"_s, u"1"_s,
            u"-subj"_s, u"/CN=127.0.0.1"_s, u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s,
            u"-keyout"_s, key, u"-out"_s, certificate });
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);

    TestServer server;
    QVERIFY2(server.start({ u"--tls-cert"_s, certificate, u"--tls-key"_s, key }),
        qPrintable(server.error()));
    QCOMPARE(server.url(u"/"_s).scheme(), u"https"_s);
    // The client trusts exactly this certificate: a real verification, no ignored errors.
    QSslConfiguration trust = QSslConfiguration::defaultConfiguration();
    trust.setCaCertificates(QSslCertificate::fromPath(certificate));
    QSslConfiguration::setDefaultConfiguration(trust);
    HttpClient http(server);
    const Reply health = http.get(u"/health"_s);
    QCOMPARE(health.status, 200);
    const auto ann = http.newUser(u"Ann"_s);
    QVERIFY(!ann.token.isEmpty());

    QUrl wsUrl = server.url(u"/ws/user?token="_s + ann.token);
    wsUrl.setScheme(u"wss"_s);
    QWebSocket socket;
    socket.setSslConfiguration(trust);
    QSignalSpy greeted(&socket, &QWebSocket::textMessageReceived);
    socket.open(wsUrl);
    QVERIFY(greeted.wait(10000));
    QVERIFY(greeted.first().first().toString().contains(u"connected"_s));

    // Plain HTTP to the TLS port gets nothing useful.
    QTcpSocket plain;
    plain.connectToHost(QHostAddress::LocalHost, server.url(u"/"_s).port());
    QVERIFY(plain.waitForConnected(5000));
    plain.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    plain.waitForReadyRead(2000);
    QVERIFY(!plain.readAll().contains("\"status\""));
}

void TestOps::corsIsOffByDefaultAndAnswersPreflight()
{
    // Off by default: no CORS headers at all.
    const Reply closed = m_http->request("OPTIONS", u"/api/v1/chats"_s, {}, {}, {});
    QCOMPARE(closed.status, 404);
    QVERIFY(closed.header("access-control-allow-origin").isEmpty());

    TestServer server;
    QVERIFY2(server.start({ u"--cors-origins"_s, u"https://app.example.com"_s }),
        qPrintable(server.error()));
    QNetworkAccessManager network;
    const auto send = [&](const QByteArray &method, const QString &path, const QByteArray &origin) {
        QNetworkRequest request(server.url(path));
        request.setRawHeader("Origin", origin);
        request.setRawHeader("Access-Control-Request-Method", "POST");
        QNetworkReply *reply = network.sendCustomRequest(request, method);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(10000);
        reply->deleteLater();
        return reply;
    };
    QNetworkReply *preflight
        = send("OPTIONS", u"/api/v1/chats/messages"_s, "https://app.example.com");
    QCOMPARE(preflight->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 204);
    QCOMPARE(preflight->rawHeader("Access-Control-Allow-Origin"), "https://app.example.com");
    QVERIFY(preflight->rawHeader("Access-Control-Allow-Methods").contains("POST"));
    QVERIFY(preflight->rawHeader("Access-Control-Allow-Headers").contains("Authorization"));
    QNetworkReply *allowed = send("GET", u"/health"_s, "https://app.example.com");
    QCOMPARE(allowed->rawHeader("Access-Control-Allow-Origin"), "https://app.example.com");
    QNetworkReply *other = send("GET", u"/health"_s, "https://evil.example.com");
    QCOMPARE(other->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(other->rawHeader("Access-Control-Allow-Origin").isEmpty());
    QNetworkReply *otherPreflight = send("OPTIONS", u"/api/v1/chats"_s, "https://evil.example.com");
    QCOMPARE(otherPreflight->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
}

void TestOps::checkConfigReportsAndExits()
{
    const auto run = [](const QStringList &arguments, const QString &databaseUrl) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DATABASE_URL"_s, databaseUrl);
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral(MESSENGER_SERVER_BIN), arguments);
        process.waitForFinished(30000);
        return std::make_pair(process.exitCode(), QString::fromUtf8(process.readAll()));
    };
    QTemporaryDir dir;
    const auto fine = run({ u"--check-config"_s, u"--data-dir"_s, dir.path(), u"--port"_s, u"0"_s },
        m_server.databaseUrl());
    QVERIFY2(fine.first == 0, qPrintable(fine.second));
    QVERIFY(fine.second.contains(u"configuration OK"_s));
    // Where files go: the database on PostgreSQL, a folder on SQLite.
    QVERIFY2(
        fine.second.contains(m_server.isPostgres() ? u"files:    in the database"_s
                                                   : u"files:    "_s + dir.path() + u"/files"_s),
        qPrintable(fine.second));
    const auto filesInSqlite = run(
        { u"--check-config"_s, u"--data-dir"_s, dir.path(), u"--file-storage"_s, u"postgres"_s },
        u"sqlite://"_s + dir.filePath(u"m.db"_s));
    QCOMPARE(filesInSqlite.first, 2); // configuration invalid
    QVERIFY2(filesInSqlite.second.contains(u"FILE_STORAGE=postgres needs a PostgreSQL"_s),
        qPrintable(filesInSqlite.second));

    QTcpServer probe; // a port nobody listens on
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    const auto unreachable = run({ u"--check-config"_s },
        u"postgres://nobody:pw-must-not-show@127.0.0.1:%1/messenger"_s.arg(closedPort));
    QCOMPARE(unreachable.first, 3); // database unreachable
    QVERIFY2(unreachable.second.contains(u"unreachable"_s), qPrintable(unreachable.second));
    QVERIFY(!unreachable.second.contains(u"pw-must-not-show"_s)); // passwords are not printed

    const auto badValue = run({ u"--check-config"_s, u"--log-format"_s, u"xml"_s }, {});
    QCOMPARE(badValue.first, 2);
    QVERIFY(badValue.second.contains(u"LOG_FORMAT"_s));
}

void TestOps::sigtermDrainsAndClosesSocketsWith1001()
{
    TestServer server;
    QVERIFY2(server.start({ u"--shutdown-grace"_s, u"5"_s }), qPrintable(server.error()));
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const QUrl wsUrl = server.webSocketUrl(u"/ws/user"_s, ann.token);
    QWebSocket socket;
    QSignalSpy greeted(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy closed(&socket, &QWebSocket::disconnected);
    socket.open(wsUrl);
    QVERIFY(greeted.wait(10000));
    QVERIFY(::kill(pid_t(server.processId()), SIGTERM) == 0);
    QVERIFY(closed.wait(10000));
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    // It stopped accepting: a new connection is refused.
    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, server.url(u"/"_s).port());
    QVERIFY(!late.waitForConnected(2000) || !late.waitForReadyRead(500));
}

// The server died under load with no log line at all: now a fatal signal
// writes one (which signal, the stack) before the default action.
void TestOps::fatalSignalLeavesALastLogLine()
{
    if (qEnvironmentVariableIsSet("ASAN_OPTIONS"))
        QSKIP("AddressSanitizer keeps its own fatal-signal report");
    TestServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    QVERIFY(server.output().contains("core file size limit:"));
    QVERIFY(::kill(pid_t(server.processId()), SIGSEGV) == 0);
    QVERIFY(server.waitForExit(10000));
    const QByteArray output = server.output();
    QVERIFY2(
        output.contains("FATAL messenger.server: fatal signal 11 (SIGSEGV), backtrace follows\n"),
        output.right(2000).constData());
    // backtrace_symbols_fd's frames: the binary or a library, and an address.
    static const QRegularExpression frame(
        u"\\n\\S*(messenger-server|\\.so[.0-9]*)\\([^)]*\\)\\[0x[0-9a-f]+\\]"_s);
    QVERIFY2(frame.match(QString::fromUtf8(output)).hasMatch(), output.right(2000).constData());
}

// `messenger-server | head` and a log shipper that restarts: once the pipe's
// reader was gone, the next log line killed the server with SIGPIPE, silently.
void TestOps::logReaderGoingAwayLeavesTheServerRunning()
{
    QTcpServer probe; // a free port
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    QTemporaryDir dir;
    QProcess server;
    QProcess reader; // reads one byte of the log, then exits
    server.setStandardOutputProcess(&reader);
    server.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"SECRET_KEY"_s, QString::fromLatin1(TestServer::secretKey()));
    env.insert(u"DATABASE_URL"_s, u"sqlite://"_s + dir.filePath(u"messenger.db"_s));
    server.setProcessEnvironment(env);
    reader.start(u"head"_s, { u"-c"_s, u"1"_s });
    server.start(QStringLiteral(MESSENGER_SERVER_BIN),
        { u"--host"_s, u"127.0.0.1"_s, u"--port"_s, QString::number(port) });
    QVERIFY(reader.waitForFinished(20000));
    HttpClient http(QUrl(u"http://127.0.0.1:%1"_s.arg(port)));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/health"_s).status, 200, 20000);
    // Every request writes a log line into the pipe nobody reads.
    for (int i = 0; i < 20; ++i)
        COMPARE_STATUS(http.get(u"/api/v1/users/me"_s, u"not-a-token"_s), 401);
    COMPARE_STATUS(http.get(u"/health"_s), 200);
    QCOMPARE(server.state(), QProcess::Running);
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
}

namespace {

// A messenger-server on a free port, its log (merged) gathered as it comes.
struct ServerProcess
{
    QProcess process;
    QByteArray output;
    quint16 port = 0;
    QTemporaryDir data;

    void start(const QString &databaseUrl, const QString &startTimeoutSeconds)
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost);
        port = probe.serverPort();
        probe.close();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"SECRET_KEY"_s, QString::fromLatin1(TestServer::secretKey()));
        env.insert(u"DATABASE_URL"_s, databaseUrl);
        env.insert(u"DATABASE_START_TIMEOUT"_s, startTimeoutSeconds);
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(&process, &QProcess::readyRead, [this] { output += process.readAll(); });
        process.start(QStringLiteral(MESSENGER_SERVER_BIN),
            { u"--host"_s, u"127.0.0.1"_s, u"--port"_s, QString::number(port), u"--data-dir"_s,
                data.path() });
    }
};

} // namespace

// podman-compose 1.0.3 ignores `condition: service_healthy`: the instances
// start beside a PostgreSQL that does not answer yet, and the server used to
// exit with code 3 at once. It retries (DATABASE_START_TIMEOUT) and comes up.
void TestOps::serverWaitsForADatabaseThatStartsLater()
{
    if (qEnvironmentVariable("MESSENGER_TEST_BACKEND") != u"postgres"_s)
        QSKIP("a cluster started after the server: tst_ops_postgres runs it");
    // A cluster of its own, stopped before the server starts.
    OwnCluster cluster;
    const QString url = cluster.url();
    QVERIFY(!url.isEmpty());
    QCOMPARE(cluster.control(u"pause"_s), 0);

    ServerProcess server;
    server.start(url, u"60"_s);
    // It tried, failed and is still there, waiting.
    QTRY_VERIFY2_WITH_TIMEOUT(server.output.contains("database unreachable (attempt 2)"),
        server.output.constData(), 20000);
    QCOMPARE(server.process.state(), QProcess::Running);

    QCOMPARE(cluster.control(u"resume"_s), 0);
    HttpClient http(QUrl(u"http://127.0.0.1:%1"_s.arg(server.port)));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/health"_s).status, 200, 30000);
    QVERIFY2(server.output.contains("database answered at attempt"), server.output.constData());
    server.process.terminate();
    QVERIFY(server.process.waitForFinished(20000));
    QCOMPARE(server.process.exitCode(), 0);
}

// The wait is bounded: once DATABASE_START_TIMEOUT has passed, exit code 3 as
// before; and SIGTERM while it waits stops the server at once, with 0.
void TestOps::databaseStartTimeoutEndsInExitCode3()
{
    QTcpServer probe; // a port nobody listens on
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const QString nobody = u"postgres://nobody@127.0.0.1:%1/messenger"_s.arg(probe.serverPort());
    probe.close();

    ServerProcess bounded;
    QElapsedTimer elapsed;
    elapsed.start();
    bounded.start(nobody, u"2"_s);
    QVERIFY(bounded.process.waitForFinished(30000));
    QCOMPARE(bounded.process.exitCode(), 3);
    QVERIFY2(elapsed.elapsed() >= 2000, qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY2(
        bounded.output.contains("database unreachable (attempt 2)"), bounded.output.constData());
    QVERIFY2(
        bounded.output.contains("cannot start: database unreachable"), bounded.output.constData());

    ServerProcess stopped;
    stopped.start(nobody, u"600"_s);
    QTRY_VERIFY2_WITH_TIMEOUT(stopped.output.contains("database unreachable (attempt 1)"),
        stopped.output.constData(), 20000);
    stopped.process.terminate();
    QVERIFY(stopped.process.waitForFinished(10000));
    QCOMPARE(stopped.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(stopped.process.exitCode(), 0);
}

QTEST_MAIN(TestOps)
#include "tst_ops.moc"
