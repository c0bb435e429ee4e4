#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QUrl>

// A QPSQL connection named `connectionName` (not yet opened) to the database
// a postgres:// URL names; the caller removes it (QSqlDatabase::removeDatabase).
QSqlDatabase addPostgresConnection(const QString &url, const QString &connectionName);
// How many sessions of `db`'s database wait for a lock right now (-1: the
// query failed): a test holding a row sees the server's statements queue on it.
int sessionsWaitingOnLocks(const QSqlDatabase &db);

// A real messenger-server process on a free loopback port, on SQLite or on a
// fresh PostgreSQL database (MESSENGER_TEST_BACKEND=postgres, with
// MESSENGER_TEST_POSTGRES_URL naming a superuser connection).
class TestServer
{
public:
    TestServer();
    ~TestServer();

    // Starts the process; false (with the reason in error()) on failure. A
    // restart after stop() keeps the port and the database.
    bool start(const QStringList &extraArgs = {});
    // Starts a second instance on the same database as `primary` (PostgreSQL).
    bool startSharing(const TestServer &primary);
    bool isPostgres() const { return m_databaseUrl.startsWith(QStringLiteral("postgres")); }
    void stop();
    // SIGKILL: no shutdown, no draining, as a crash or the OOM killer would.
    void kill();
    // Waits for the process to end by itself and collects its last output.
    bool waitForExit(int milliseconds);
    // Cuts every PostgreSQL connection to this server's database, as a database
    // restart or a network blip would; the server has to reconnect by itself.
    bool dropDatabaseConnections();
    // Runs one statement on this server's own PostgreSQL database, for test
    // data too large to make through the API (error() says why it failed).
    bool execInDatabase(const QString &statement);
    // Appends `count` messages from `senderId` to a chat straight in the
    // PostgreSQL database, as the server would number them; the text of the
    // g-th (1, 2, ...) is the SQL expression `textOfG`. Then ANALYZE, unless
    // the test is about what the server does before it (Statistics::Stale).
    enum class Statistics { Analyze, Stale };
    bool addMessagesInBulk(const QString &chatId, const QString &senderId, int count,
        const QString &textOfG, Statistics statistics = Statistics::Analyze);
    // `messenger-server admin <arguments>` on this server's database (the
    // server may be running), `input` on its stdin; what it printed and its
    // exit code.
    struct AdminRun
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    AdminRun admin(const QStringList &arguments, const QByteArray &input = {}) const;
    QString error() const { return m_error; }
    QUrl url(const QString &pathAndQuery) const;
    // The same address as ws:// (wss:// with TLS), with ?token= when given.
    QUrl webSocketUrl(const QString &pathAndQuery, const QString &token = {}) const;
    QString databaseUrl() const { return m_databaseUrl; }
    static QByteArray secretKey()
    {
        return QByteArrayLiteral("test-secret-key-0123456789-abcdefghijklmnop");
    }
    QByteArray output() const { return m_output; }
    qint64 processId() const { return m_process.processId(); }
    QString dataDir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_databaseUrl;
    QString m_adminUrl;
    QString m_pgDatabase;
    QString m_error;
    QByteArray m_output;
    bool m_exitExpected = false; // stop(), kill() or waitForExit(): no report
    quint16 m_port = 0;
    QString m_scheme = QStringLiteral("http");
};

// A PostgreSQL cluster of a test's own (scripts/start-postgres.sh, `mode`
// such as "durable"), for tests that stop or pause it: the shared cluster
// serves the suites running beside them. Stopped when it goes.
class OwnCluster
{
public:
    explicit OwnCluster(const QString &mode = {});
    ~OwnCluster();
    OwnCluster(const OwnCluster &) = delete;
    OwnCluster &operator=(const OwnCluster &) = delete;

    // Empty when the cluster did not start.
    QString url() const { return m_url; }
    // start-postgres.sh's `command` (pause, resume, stop) on it; its exit code.
    int control(const QString &command) const;

private:
    QString m_url;
    QString m_dir;
};

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonDocument json;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QHash<QByteArray, QByteArray> headers;
    QJsonObject object() const { return json.object(); }
};

// Waits for each reply with QSignalSpy; tests only.
class HttpClient
{
public:
    explicit HttpClient(TestServer &server)
        : m_server(&server)
    { }
    // A client of whatever listens at `base` (a proxy in front of servers).
    explicit HttpClient(const QUrl &base)
        : m_base(base)
    { }
    Reply request(const QByteArray &method, const QString &path, const QByteArray &body = {},
        const QString &token = {}, const QByteArray &contentType = "application/json");
    Reply get(const QString &path, const QString &token = {})
    {
        return request("GET", path, {}, token);
    }
    Reply post(const QString &path, const QJsonObject &body, const QString &token = {});
    // A gauge's value in the server's /metrics, or -1 when it is not there.
    qint64 gauge(const QByteArray &name);
    // A header sent with every later request (e.g. X-Forwarded-For); empty removes it.
    void setHeader(const QByteArray &name, const QByteArray &value)
    {
        if (value.isEmpty())
            m_headers.remove(name);
        else
            m_headers.insert(name, value);
    }

    struct Account
    {
        QString id;
        QString email;
        QString name;
        QString password;
        QString token;
        QString refreshToken;
    };
    // Registers and logs in a new user with a unique email.
    Account newUser(const QString &name);
    // The personal chat of the token's user with `otherUserId` (its id, or empty).
    QString personalChat(const QString &token, const QString &otherUserId);
    // POST /chats/messages with a text and any further `fields` (reply_to_id,
    // mentions); sendText() gives the new message's id and fails the test
    // unless the server took the message.
    Reply sendMessage(const QString &token, const QString &chatId, const QString &text,
        const QJsonObject &fields = {});
    QString sendText(const QString &token, const QString &chatId, const QString &text,
        const QJsonObject &fields = {});
    // A group of `owner` and the users `memberIds`; its id, and the test fails
    // unless the server made it.
    QString newGroup(const Account &owner, const QString &name, const QStringList &memberIds);
    // A tus request (Tus-Resumable: 1.0.0) with further `headers`.
    Reply tus(const QByteArray &method, const QString &path, const QString &token,
        const QList<QPair<QByteArray, QByteArray>> &headers = {}, const QByteArray &body = {});
    // Creates a tus upload of `length` bytes named `name`; the reply to the POST.
    Reply createUpload(const QString &token, qint64 length, const QString &name = {});
    // Uploads `content` as `name` in PATCHes of `chunk` bytes; the upload's (the
    // file's) id, and the test fails unless every request succeeded.
    QString upload(const QString &token, const QString &name, const QByteArray &content,
        qint64 chunk = 1024 * 1024);
    // The `data` of the token's user's events of one type, oldest first, from /updates.
    QList<QJsonObject> updatesOfType(const QString &token, const QString &type);

private:
    QUrl url(const QString &path) const
    {
        return m_server ? m_server->url(path) : QUrl(m_base.toString() + path);
    }

    TestServer *m_server = nullptr;
    QUrl m_base;
    QNetworkAccessManager m_network;
    QHash<QByteArray, QByteArray> m_headers;
};

// The resident memory of process `pid` in KiB (VmRSS), or -1.
qint64 residentKiB(qint64 pid);

// Checks a reply's status (evaluating the expression once) and shows the body when it differs.
#define COMPARE_STATUS(expression, expected)                                                       \
    do {                                                                                           \
        const Reply compared_ = (expression);                                                      \
        QVERIFY2(compared_.status == (expected),                                                   \
            qPrintable(QStringLiteral("status %1, body %2")                                        \
                           .arg(compared_.status)                                                  \
                           .arg(QString::fromUtf8(compared_.body))));                              \
    } while (false)
