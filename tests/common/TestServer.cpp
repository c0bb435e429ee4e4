#include "TestServer.h"

#include "shared/Json.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <sys/resource.h>

using namespace Qt::StringLiterals;

QSqlDatabase addPostgresConnection(const QString &url, const QString &connectionName)
{
    const QUrl parsed(url);
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, connectionName);
    db.setHostName(parsed.host());
    db.setPort(parsed.port(5432));
    db.setUserName(parsed.userName());
    db.setPassword(parsed.password());
    db.setDatabaseName(parsed.path().mid(1));
    return db;
}

int sessionsWaitingOnLocks(const QSqlDatabase &db)
{
    QSqlQuery count(db);
    count.exec(u"SELECT COUNT(*) FROM pg_stat_activity "
               "WHERE datname = current_database() AND wait_event_type = 'Lock'"_s);
    return count.next() ? count.value(0).toInt() : -1;
}

namespace {

// Runs one statement on the database at `adminUrl` (the admin database for
// CREATE/DROP DATABASE).
bool adminExec(const QString &adminUrl, const QString &statement, QString *error)
{
    const QString name = u"test-admin-"_s + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = false;
    {
        QSqlDatabase db = addPostgresConnection(adminUrl, name);
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(statement);
            if (!ok)
                *error = query.lastError().text();
        } else {
            *error = db.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace

TestServer::TestServer()
{
    // A server that dies during a test says so at once, with its log: a
    // test that then crashes on the missing answers never reaches stop().
    QObject::connect(&m_process, &QProcess::finished, &m_process,
        [this](int exitCode, QProcess::ExitStatus status) {
            if (m_exitExpected || (status == QProcess::NormalExit && exitCode == 0))
                return;
            m_output += m_process.readAll();
            qWarning().noquote() << "messenger-server ended (exit code" << exitCode
                                 << (status == QProcess::CrashExit ? "crashed" : "")
                                 << "); its last output:\n"
                                 << QString::fromUtf8(m_output.right(8000));
        });
}

TestServer::~TestServer()
{
    stop();
    if (!m_pgDatabase.isEmpty()) {
        QString ignored;
        adminExec(
            m_adminUrl, u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(m_pgDatabase), &ignored);
    }
}

bool TestServer::dropDatabaseConnections()
{
    const QString database = QUrl(m_databaseUrl).path().mid(1);
    return adminExec(m_adminUrl,
        u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%1'"_s.arg(
            database),
        &m_error);
}

bool TestServer::execInDatabase(const QString &statement)
{
    return adminExec(m_databaseUrl, statement, &m_error);
}

bool TestServer::addMessagesInBulk(const QString &chatId, const QString &senderId, int count,
    const QString &textOfG, Statistics statistics)
{
    return execInDatabase(
               u"WITH added AS (INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, "
               "text, created_at) SELECT gen_random_uuid(), nextval('global_seq'), c.id, "
               "c.last_chat_seq + g, CAST('%1' AS uuid), %2, c.created_at + g FROM chats c, "
               "generate_series(1, %3) AS g WHERE c.id = CAST('%4' AS uuid) "
               "RETURNING seq, chat_seq) UPDATE chats SET last_chat_seq = (SELECT "
               "MAX(chat_seq) FROM added), last_seq = (SELECT MAX(seq) FROM added) "
               "WHERE id = CAST('%4' AS uuid)"_s.arg(
                   senderId, textOfG, QString::number(count), chatId))
        && (statistics == Statistics::Stale || execInDatabase(u"ANALYZE messages"_s));
}

bool TestServer::start(const QStringList &extraArgs)
{
    const auto env = QProcessEnvironment::systemEnvironment();
    if (m_databaseUrl.isEmpty()) {
        if (env.value(u"MESSENGER_TEST_BACKEND"_s) == u"postgres"_s) {
            m_adminUrl = env.value(u"MESSENGER_TEST_POSTGRES_URL"_s);
            if (m_adminUrl.isEmpty()) {
                m_error
                    = u"PostgreSQL tests need MESSENGER_TEST_POSTGRES_URL; run scripts/test.sh"_s;
                return false;
            }
            m_pgDatabase
                = u"messenger_test_%1"_s.arg(QRandomGenerator::global()->generate64(), 0, 16);
            if (!adminExec(m_adminUrl, u"CREATE DATABASE "_s + m_pgDatabase, &m_error))
                return false;
            QUrl url(m_adminUrl);
            url.setPath(u"/"_s + m_pgDatabase);
            m_databaseUrl = url.toString();
        } else {
            m_databaseUrl = u"sqlite://"_s + m_dir.filePath(u"messenger.db"_s);
        }
    }
    QProcessEnvironment serverEnv = env;
    serverEnv.insert(u"DATABASE_URL"_s, m_databaseUrl);
    serverEnv.insert(u"SECRET_KEY"_s, QString::fromLatin1(secretKey()));
    // Suites register and send far faster than any person; the limits' own
    // test turns them on with command-line options, which win over these.
    for (const QString &limit : { u"LOGIN_RATE"_s, u"LOGIN_ACCOUNT_RATE"_s, u"REGISTER_RATE"_s,
             u"MESSAGE_RATE"_s, u"USER_SEARCH_RATE"_s, u"CHAT_CHANGE_RATE"_s, u"REACTION_RATE"_s })
        serverEnv.insert(limit, u"off"_s);
    m_process.setProcessEnvironment(serverEnv);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    // No core files from the servers tests crash on purpose (or not): the
    // fatal-signal log line is what a failing test shows.
    m_process.setChildProcessModifier([] {
        const rlimit noCores { 0, 0 };
        ::setrlimit(RLIMIT_CORE, &noCores);
    });
    m_output.clear();
    m_exitExpected = false;
    // Another build's server (MESSENGER_TEST_SERVER_BIN), e.g. to watch a
    // regression test fail on the code before its fix.
    m_process.start(env.value(u"MESSENGER_TEST_SERVER_BIN"_s, QStringLiteral(MESSENGER_SERVER_BIN)),
        QStringList { u"--host"_s, u"127.0.0.1"_s, u"--port"_s, QString::number(m_port),
            u"--data-dir"_s, m_dir.path() }
            + extraArgs);
    static const QRegularExpression listening(u"Listening on (https?)://127\\.0\\.0\\.1:(\\d+)"_s);
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 20000) {
        if (!m_process.waitForReadyRead(200) && m_process.state() == QProcess::NotRunning)
            break;
        m_output += m_process.readAll();
        const auto match = listening.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_scheme = match.captured(1);
            m_port = quint16(match.captured(2).toUInt());
            return true;
        }
    }
    m_error = u"server did not start: "_s + QString::fromUtf8(m_output);
    return false;
}

bool TestServer::startSharing(const TestServer &primary)
{
    m_databaseUrl = primary.m_databaseUrl;
    return start();
}

void TestServer::stop()
{
    // Ended by itself: finished() has reported it already.
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_exitExpected = true;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
    m_output += m_process.readAll();
    // The server's log helps when a test fails; MESSENGER_TEST_SERVER_LOG=1 prints it.
    if (qEnvironmentVariableIsSet("MESSENGER_TEST_SERVER_LOG"))
        qInfo().noquote() << QString::fromUtf8(m_output);
}

bool TestServer::waitForExit(int milliseconds)
{
    m_exitExpected = true;
    const bool exited = m_process.waitForFinished(milliseconds);
    m_output += m_process.readAll();
    return exited;
}

void TestServer::kill()
{
    m_exitExpected = true;
    m_process.kill();
    m_process.waitForFinished(5000);
    m_output += m_process.readAll();
}

TestServer::AdminRun TestServer::admin(const QStringList &arguments, const QByteArray &input) const
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DATABASE_URL"_s, m_databaseUrl);
    process.setProcessEnvironment(env);
    process.start(env.value(u"MESSENGER_TEST_SERVER_BIN"_s, QStringLiteral(MESSENGER_SERVER_BIN)),
        QStringList { u"admin"_s, u"--data-dir"_s, m_dir.path() } + arguments);
    process.write(input);
    process.closeWriteChannel();
    AdminRun run;
    if (!process.waitForFinished(30000))
        process.kill();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QUrl TestServer::url(const QString &pathAndQuery) const
{
    return QUrl(u"%1://127.0.0.1:%2%3"_s.arg(m_scheme).arg(m_port).arg(pathAndQuery));
}

QUrl TestServer::webSocketUrl(const QString &pathAndQuery, const QString &token) const
{
    QUrl address = url(pathAndQuery);
    address.setScheme(m_scheme == u"https"_s ? u"wss"_s : u"ws"_s);
    if (!token.isEmpty())
        address.setQuery(u"token="_s + token);
    return address;
}

Reply HttpClient::request(const QByteArray &method, const QString &path, const QByteArray &body,
    const QString &token, const QByteArray &contentType)
{
    QNetworkRequest request(url(path));
    if (!body.isEmpty())
        request.setRawHeader("Content-Type", contentType);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    for (auto it = m_headers.cbegin(); it != m_headers.cend(); ++it)
        request.setRawHeader(it.key(), it.value());
    // A HEAD as such: as a custom verb QNetworkAccessManager would wait for
    // the Content-Length bytes a HEAD answer announces and never sends.
    QNetworkReply *reply = method == "HEAD" ? m_network.head(request)
                                            : m_network.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(30000);
    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.json = Messenger::parseJson(result.body);
    for (const auto &[name, value] : reply->rawHeaderPairs())
        result.headers.insert(name.toLower(), value);
    reply->deleteLater();
    return result;
}

Reply HttpClient::tus(const QByteArray &method, const QString &path, const QString &token,
    const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &body)
{
    const auto saved = m_headers;
    m_headers.insert("Tus-Resumable", "1.0.0");
    for (const auto &[name, value] : headers)
        m_headers.insert(name, value);
    const Reply reply = request(method, path, body, token, "application/offset+octet-stream");
    m_headers = saved;
    return reply;
}

Reply HttpClient::createUpload(const QString &token, qint64 length, const QString &name)
{
    QList<QPair<QByteArray, QByteArray>> headers { { "Upload-Length",
        QByteArray::number(length) } };
    if (!name.isEmpty())
        headers.append({ "Upload-Metadata", "filename " + name.toUtf8().toBase64() });
    return tus("POST", u"/api/v1/uploads"_s, token, headers);
}

QString HttpClient::upload(
    const QString &token, const QString &name, const QByteArray &content, qint64 chunk)
{
    const Reply created = createUpload(token, content.size(), name);
    if (created.status != 201) {
        qWarning().noquote() << "upload creation failed:" << created.status << created.body;
        return {};
    }
    const QString location = QString::fromLatin1(created.header("location"));
    for (qint64 offset = 0; offset < content.size(); offset += chunk) {
        const Reply patched = tus("PATCH", location, token,
            { { "Upload-Offset", QByteArray::number(offset) } }, content.mid(offset, chunk));
        if (patched.status != 204) {
            qWarning().noquote() << "upload PATCH failed:" << patched.status << patched.body;
            return {};
        }
    }
    return created.object().value(u"id").toString();
}

qint64 HttpClient::gauge(const QByteArray &name)
{
    const Reply metrics = get(u"/metrics"_s);
    for (const QByteArray &line : metrics.body.split('\n')) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).toLongLong();
    }
    return -1;
}

Reply HttpClient::post(const QString &path, const QJsonObject &body, const QString &token)
{
    return request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), token);
}

QString HttpClient::personalChat(const QString &token, const QString &otherUserId)
{
    return post(
        u"/api/v1/chats/personal"_s, { { u"member_ids"_s, QJsonArray { otherUserId } } }, token)
        .object()
        .value(u"id")
        .toString();
}

Reply HttpClient::sendMessage(
    const QString &token, const QString &chatId, const QString &text, const QJsonObject &fields)
{
    QJsonObject body = fields;
    body.insert(u"chat_id"_s, chatId);
    body.insert(u"text"_s, text);
    return post(u"/api/v1/chats/messages"_s, body, token);
}

QString HttpClient::sendText(
    const QString &token, const QString &chatId, const QString &text, const QJsonObject &fields)
{
    const Reply reply = sendMessage(token, chatId, text, fields);
    [&] { COMPARE_STATUS(reply, 200); }();
    return reply.object().value(u"id").toString();
}

QString HttpClient::newGroup(
    const Account &owner, const QString &name, const QStringList &memberIds)
{
    const Reply reply = post(u"/api/v1/chats/group"_s,
        { { u"name"_s, name }, { u"type"_s, u"group"_s },
            { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } },
        owner.token);
    [&] { COMPARE_STATUS(reply, 200); }();
    return reply.object().value(u"id").toString();
}

QList<QJsonObject> HttpClient::updatesOfType(const QString &token, const QString &type)
{
    QList<QJsonObject> found;
    const Reply page = get(u"/api/v1/updates?since_seq=0&limit=1000"_s, token);
    for (const QJsonValue &event : page.object().value(u"events").toArray()) {
        if (event.toObject().value(u"type").toString() == type)
            found.append(event.toObject().value(u"data").toObject());
    }
    return found;
}

HttpClient::Account HttpClient::newUser(const QString &name)
{
    Account account;
    account.name = name;
    account.email = u"%1.%2@example.com"_s.arg(
        QUuid::createUuid().toString(QUuid::Id128).left(12), u"user"_s);
    account.password = u"password-%1"_s.arg(name);
    const Reply registered = post(u"/api/v1/auth/register"_s,
        { { u"email"_s, account.email }, { u"name"_s, name },
            { u"password"_s, account.password } });
    account.id = registered.object().value(u"id").toString();
    const Reply login = post(u"/api/v1/auth/token"_s,
        { { u"email"_s, account.email }, { u"password"_s, account.password } });
    account.token = login.object().value(u"access_token").toString();
    account.refreshToken = login.object().value(u"refresh_token").toString();
    return account;
}

qint64 residentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

namespace {
QString startPostgresScript()
{
    return QStringLiteral(MESSENGER_SOURCE_DIR "/scripts/start-postgres.sh");
}
} // namespace

OwnCluster::OwnCluster(const QString &mode)
{
    QProcess starter;
    starter.start(u"bash"_s,
        mode.isEmpty() ? QStringList { startPostgresScript() }
                       : QStringList { startPostgresScript(), mode });
    if (!starter.waitForFinished(60000) || starter.exitCode() != 0)
        return;
    for (const QString &line : QString::fromUtf8(starter.readAllStandardOutput()).split(u'\n')) {
        if (line.startsWith(u"export MESSENGER_TEST_POSTGRES_URL="_s))
            m_url = line.section(u'=', 1);
        else if (line.startsWith(u"export MESSENGER_PG_DIR="_s))
            m_dir = line.section(u'=', 1);
    }
    if (m_dir.isEmpty())
        m_url.clear();
}

OwnCluster::~OwnCluster()
{
    if (!m_dir.isEmpty())
        control(u"stop"_s);
}

int OwnCluster::control(const QString &command) const
{
    return QProcess::execute(u"bash"_s, { startPostgresScript(), command, m_dir });
}
