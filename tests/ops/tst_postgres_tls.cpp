#include "TestServer.h"

#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

// DATABASE_URL's libpq parameters against real clusters: one serving TLS
// with a certificate from a throwaway CA (scripts/start-postgres.sh tls), and
// the suite's plain one (MESSENGER_TEST_POSTGRES_URL, no TLS).
class TestPostgresTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void verifyFullConnectsEveryConnectionOverTls();
    void anotherCaIsRefused();
    void requireAgainstAServerWithoutTlsIsRefused();
    void percentEncodedPasswordWorks();
    void secondStartPrintsNoNotices();
    void cleanupTestCase();

private:
    struct Run
    {
        int exitCode = -1;
        QString output;
    };
    // The server with `databaseUrl`, until it exits by itself (a refusal).
    static Run runServer(const QString &databaseUrl, const QStringList &more = {});
    // Runs statements on the TLS cluster as its superuser.
    bool admin(const QString &database, const QStringList &statements);
    QString tlsUrl(const QString &userInfo, const QString &database, const QString &query) const;
    // A fresh database on the TLS cluster.
    QString newDatabase();

    QString m_clusterDir;
    QString m_ca;
    int m_port = 0;
    QTemporaryDir m_files;
};

namespace {

bool runTool(const QString &program, const QStringList &arguments, QByteArray *output = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    const bool fine = process.waitForFinished(60000) && process.exitStatus() == QProcess::NormalExit
        && process.exitCode() == 0;
    if (output)
        *output = process.readAll();
    return fine;
}

} // namespace

TestPostgresTls::Run TestPostgresTls::runServer(const QString &databaseUrl, const QStringList &more)
{
    QTemporaryDir data;
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    // Refusals (a certificate, a password) are the point here: one attempt, no waiting.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DATABASE_START_TIMEOUT"_s, u"0"_s);
    server.setProcessEnvironment(env);
    // MESSENGER_TEST_SERVER_BIN: another build's server, as TestServer takes it.
    server.start(
        qEnvironmentVariable("MESSENGER_TEST_SERVER_BIN", QStringLiteral(MESSENGER_SERVER_BIN)),
        QStringList { u"--host"_s, u"127.0.0.1"_s, u"--port"_s, u"0"_s, u"--data-dir"_s,
            data.path(), u"--database-url"_s, databaseUrl }
            + more);
    if (!server.waitForFinished(30000)) {
        server.kill();
        server.waitForFinished(5000);
        return { -1, u"still running: "_s + QString::fromUtf8(server.readAll()) };
    }
    return { server.exitCode(), QString::fromUtf8(server.readAll()) };
}

void TestPostgresTls::initTestCase()
{
    QVERIFY(m_files.isValid());
    QByteArray exports;
    QVERIFY2(runTool(u"bash"_s,
                 { QStringLiteral(MESSENGER_SOURCE_DIR "/scripts/start-postgres.sh"), u"tls"_s },
                 &exports),
        exports.constData());
    for (const QByteArray &line : exports.split('\n')) {
        const QString text = QString::fromUtf8(line).remove(u"export "_s);
        const QString value = text.section(u'=', 1);
        if (text.startsWith(u"MESSENGER_PG_DIR="_s))
            m_clusterDir = value;
        else if (text.startsWith(u"MESSENGER_PG_CA="_s))
            m_ca = value;
        else if (text.startsWith(u"MESSENGER_TEST_POSTGRES_URL="_s))
            m_port = QUrl(value).port();
    }
    QVERIFY2(!m_clusterDir.isEmpty() && !m_ca.isEmpty() && m_port > 0, exports.constData());
}

void TestPostgresTls::cleanupTestCase()
{
    if (!m_clusterDir.isEmpty()) {
        runTool(u"bash"_s,
            { QStringLiteral(MESSENGER_SOURCE_DIR "/scripts/start-postgres.sh"), u"stop"_s,
                m_clusterDir });
    }
}

bool TestPostgresTls::admin(const QString &database, const QStringList &statements)
{
    const QString name = u"tls-admin-"_s + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(u"127.0.0.1"_s);
        db.setPort(m_port);
        db.setUserName(u"messenger_admin"_s);
        db.setDatabaseName(database);
        ok = db.open();
        if (!ok)
            qWarning().noquote() << db.lastError().text();
        QSqlQuery query(db);
        for (const QString &statement : statements) {
            if (ok && !query.exec(statement)) {
                qWarning().noquote() << statement << query.lastError().text();
                ok = false;
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QString TestPostgresTls::tlsUrl(
    const QString &userInfo, const QString &database, const QString &query) const
{
    // One arg() call: a chained one would read the password's %2F as a placeholder.
    return u"postgres://%1@localhost:%2/%3?%4"_s.arg(
        userInfo, QString::number(m_port), database, query);
}

QString TestPostgresTls::newDatabase()
{
    const QString name = u"tls_%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
    return admin(u"postgres"_s, { u"CREATE DATABASE "_s + name }) ? name : QString();
}

void TestPostgresTls::verifyFullConnectsEveryConnectionOverTls()
{
    const QString database = newDatabase();
    QVERIFY(!database.isEmpty());
    TestServer server;
    QVERIFY2(
        server.start({ u"--database-url"_s,
            tlsUrl(u"messenger_admin"_s, database, u"sslmode=verify-full&sslrootcert="_s + m_ca) }),
        qPrintable(server.error()));
    QVERIFY2(server.output().contains("sslmode=verify-full"), server.output().constData());
    HttpClient http(server);
    const auto ann = http.newUser(u"Ann"_s);
    const auto bob = http.newUser(u"Bob"_s);
    const QString chat = http.personalChat(ann.token, bob.id);
    QVERIFY(!http.sendText(ann.token, chat, u"over TLS"_s).isEmpty());
    // Files go through the workers' libpq handles (FILE_STORAGE=postgres).
    QVERIFY(!http.upload(ann.token, u"note.txt"_s, QByteArray(3000, 'x')).isEmpty());

    // Every connection the server holds, the cluster's LISTEN link included.
    const QString name = u"tls-check"_s;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(u"127.0.0.1"_s);
        db.setPort(m_port);
        db.setUserName(u"messenger_admin"_s);
        db.setDatabaseName(database);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY(query.exec(u"SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN "
                           "pg_stat_ssl s ON s.pid = a.pid WHERE a.datname = '%1' AND "
                           "a.application_name LIKE 'messenger-%'"_s.arg(database)));
        QSet<QString> roles;
        while (query.next()) {
            QVERIFY2(query.value(1).toBool(), qPrintable(query.value(0).toString()));
            roles.insert(query.value(0).toString());
        }
        QVERIFY2(roles.contains(u"messenger-server"_s), qPrintable(roles.values().join(u',')));
        QVERIFY2(
            roles.contains(u"messenger-cluster-link"_s), qPrintable(roles.values().join(u',')));
    }
    QSqlDatabase::removeDatabase(name);
}

void TestPostgresTls::anotherCaIsRefused()
{
    const QString otherCa = m_files.filePath(u"other-ca.crt"_s);
    QByteArray output;
    QVERIFY2(runTool(u"openssl"_s,
                 { u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                     u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-keyout"_s,
                     m_files.filePath(u"other-ca.key"_s), u"-out"_s, otherCa, u"-days"_s, u"2"_s,
                     u"-subj"_s, u"/CN=some other CA"_s },
                 &output),
        output.constData());
    const QString database = newDatabase();
    QVERIFY(!database.isEmpty());
    const Run run = runServer(
        tlsUrl(u"messenger_admin"_s, database, u"sslmode=verify-full&sslrootcert="_s + otherCa));
    QVERIFY2(run.exitCode == 3, qPrintable(run.output));
    QVERIFY2(run.output.contains(u"database unreachable"_s)
            && run.output.contains(u"certificate verify failed"_s),
        qPrintable(run.output));
    // --check-config says the same, with the same code.
    const Run check = runServer(
        tlsUrl(u"messenger_admin"_s, database, u"sslmode=verify-full&sslrootcert="_s + otherCa),
        { u"--check-config"_s });
    QVERIFY2(check.exitCode == 3, qPrintable(check.output));
    QVERIFY2(check.output.contains(u"certificate verify failed"_s), qPrintable(check.output));
}

void TestPostgresTls::requireAgainstAServerWithoutTlsIsRefused()
{
    const QString plain = qEnvironmentVariable("MESSENGER_TEST_POSTGRES_URL");
    QVERIFY2(!plain.isEmpty(), "needs MESSENGER_TEST_POSTGRES_URL: run scripts/test.sh");
    // The query used to be dropped: the server connected in plain text.
    const Run run = runServer(plain + u"?sslmode=require"_s);
    QVERIFY2(run.exitCode == 3, qPrintable(run.output));
    QVERIFY2(run.output.contains(u"server does not support SSL"_s), qPrintable(run.output));
}

void TestPostgresTls::percentEncodedPasswordWorks()
{
    const QString password = u"p@ss:w/rd%?#"_s;
    const QString role
        = u"messenger_pw_%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128).left(8));
    const QString database = newDatabase();
    QVERIFY(!database.isEmpty());
    // The cluster trusts everyone (initdb -A trust): this role must give its password.
    QFile hba(m_clusterDir + u"/data/pg_hba.conf"_s);
    QVERIFY(hba.open(QIODevice::ReadOnly));
    const QByteArray rules = hba.readAll();
    hba.close();
    QVERIFY(hba.open(QIODevice::WriteOnly | QIODevice::Truncate));
    hba.write("host all " + role.toUtf8() + " 127.0.0.1/32 scram-sha-256\n" + rules);
    hba.close();
    QVERIFY(admin(u"postgres"_s,
        { u"CREATE ROLE %1 LOGIN PASSWORD '%2'"_s.arg(role, password),
            u"ALTER DATABASE %1 OWNER TO %2"_s.arg(database, role),
            u"SELECT pg_reload_conf()"_s }));
    QVERIFY(admin(database, { u"ALTER SCHEMA public OWNER TO %1"_s.arg(role) }));

    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(password));
    QCOMPARE(encoded, u"p%40ss%3Aw%2Frd%25%3F%23"_s);
    const QString tls = u"sslmode=verify-full&sslrootcert="_s + m_ca;
    // A wrong password is refused: the password really is checked.
    const Run wrong = runServer(tlsUrl(role + u":wrong"_s, database, tls));
    QVERIFY2(wrong.exitCode == 3, qPrintable(wrong.output));
    QVERIFY2(wrong.output.contains(u"password authentication failed"_s), qPrintable(wrong.output));

    TestServer server;
    QVERIFY2(server.start({ u"--database-url"_s, tlsUrl(role + u':' + encoded, database, tls) }),
        qPrintable(server.error()));
    QVERIFY(!server.output().contains(encoded.toUtf8()));
    QVERIFY(!server.output().contains(password.toUtf8()));
    HttpClient http(server);
    QVERIFY(!http.newUser(u"Pat"_s).token.isEmpty());
}

void TestPostgresTls::secondStartPrintsNoNotices()
{
    const QString database = newDatabase();
    QVERIFY(!database.isEmpty());
    const QString url = tlsUrl(u"messenger_admin"_s, database, u"sslmode=require"_s);
    for (int start = 1; start <= 2; ++start) {
        TestServer server;
        QVERIFY2(server.start({ u"--database-url"_s, url }), qPrintable(server.error()));
        HttpClient http(server);
        QVERIFY(!http.newUser(u"Sam"_s).token.isEmpty());
        server.stop();
        // "NOTICE:  relation "schema_migrations" already exists, skipping"
        QVERIFY2(!server.output().contains("NOTICE"), server.output().constData());
        QVERIFY2(!server.output().contains("already exists"), server.output().constData());
    }
}

QTEST_GUILESS_MAIN(TestPostgresTls)
#include "tst_postgres_tls.moc"
