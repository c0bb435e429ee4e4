#include "db/Database.h"
#include "db/DatabaseSettings.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Messenger::Server;

// The database layer's judgement of its own failures: which mean the
// connection is gone (503, reopen, maybe retry) and which are the
// statement's (500, the connection stays).
class TestDb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sqliteStatementErrorIsNotConnectionLoss();
    void openRowsSurviveNewStatements();
    void sqliteFailureKeepsTheWorkerConnection();
    void continuationAttachedLateRunsOnce();
    void pipelineIsOneTransaction();
};

namespace {

// SQLite refuses LIKE patterns over 50,000 bytes, and Qt's driver reports
// that as a QSqlError::ConnectionError.
const QString tooComplexPattern(50001, u'a');

} // namespace

void TestDb::sqliteStatementErrorIsNotConnectionLoss()
{
    QTemporaryDir dir;
    const QString name = u"tst_db_direct"_s;
    {
        QSqlDatabase connection = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        connection.setDatabaseName(dir.filePath(u"direct.db"_s));
        QVERIFY(connection.open());
        Db db(connection, Backend::Sqlite);
        bool thrown = false;
        try {
            db.exec(u"SELECT 'abc' LIKE ?"_s, { tooComplexPattern });
        } catch (const DbError &error) {
            thrown = true;
            QVERIFY2(!error.isConnectionError(), qPrintable(error.logText()));
            QVERIFY(!error.isBusy());
            // What may be logged names the failure, not the values bound.
            QVERIFY2(!error.logText().contains(tooComplexPattern.left(100)),
                qPrintable(error.logText()));
        }
        QVERIFY(thrown);
        // The same connection goes on serving.
        Rows rows = db.exec(u"SELECT 1"_s);
        QVERIFY(rows.next());
        QCOMPARE(rows.integer(0), 1);
    }
    QSqlDatabase::removeDatabase(name);
}

void TestDb::openRowsSurviveNewStatements()
{
    // A Rows still open while new statements are prepared (FileService
    // deleted a file and released its blobs before reading the deleted row
    // to its end): the statement cache grows under it. With a cache that
    // moves its statements as it grows, the Rows then finished freed memory
    // (a server crash under load, seen in a clean-clone run).
    QTemporaryDir dir;
    const QString name = u"tst_db_rows"_s;
    {
        QSqlDatabase connection = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        connection.setDatabaseName(dir.filePath(u"rows.db"_s));
        QVERIFY(connection.open());
        Db db(connection, Backend::Sqlite);
        Rows open = db.exec(u"SELECT 41 UNION ALL SELECT 42"_s);
        QVERIFY(open.next());
        for (int i = 0; i < 200; ++i) {
            Rows other = db.exec(u"SELECT %1"_s.arg(i));
            QVERIFY(other.next());
            QCOMPARE(other.integer(0), i);
        }
        QCOMPARE(open.integer(0), 41);
        QVERIFY(open.next());
        QCOMPARE(open.integer(0), 42);
    }
    QSqlDatabase::removeDatabase(name);
}

void TestDb::sqliteFailureKeepsTheWorkerConnection()
{
    QTemporaryDir dir;
    DatabaseSettings settings;
    settings.sqlitePath = dir.filePath(u"pool.db"_s);
    settings.poolSize = 1; // one worker: the next unit of work shares its connection
    Database database(settings);
    const Result<qint64> failed = database.runAndWait([](Db &db) -> Result<qint64> {
        Rows rows = db.exec(u"SELECT 'abc' LIKE ?"_s, { tooComplexPattern });
        return rows.integer(0);
    });
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().status, 500); // was 503 "database unavailable"
    const Result<bool> reused = database.runAndWait([](Db &db) -> Result<bool> {
        // A statement failure leaves the connection open.
        return db.connection().isOpen();
    });
    QVERIFY(reused.ok());
    QVERIFY(reused.value());
}

// The server died under sustained sends with a SIGSEGV in
// QFutureInterfaceBase::reportStarted: Qt 6.4 can run a continuation twice
// when it is attached while a worker finishes the future, as happens when the
// event-loop thread is preempted between run() and then(). Here the caller
// dawdles a random moment before attaching, 100,000 times; with the work
// started by QtConcurrent::run this crashed within seconds. Each continuation
// must run exactly once.
void TestDb::continuationAttachedLateRunsOnce()
{
    QTemporaryDir dir;
    DatabaseSettings settings;
    settings.sqlitePath = dir.filePath(u"race.db"_s);
    settings.poolSize = 4;
    Database database(settings);
    QObject context;
    constexpr int count = 100000;
    int ran = 0;
    for (int i = 0; i < count; ++i) {
        QFuture<Result<int>> future = database.run([](Db &) -> Result<int> { return 1; });
        volatile int dawdled = 0;
        for (int spin = QRandomGenerator::global()->bounded(20000); spin > 0; --spin)
            dawdled = dawdled + 1;
        future.then(&context, [&ran](const Result<int> &) { ++ran; });
        if (i % 1000 == 0)
            QCoreApplication::processEvents();
    }
    QTRY_COMPARE_WITH_TIMEOUT(ran, count, 60000);
}

// Db::pipeline (the send path's batches): every statement's rows in order,
// all or nothing committed, and a connection that lost the prepared
// statement (a new one) prepares it again after one refusal.
void TestDb::pipelineIsOneTransaction()
{
    const QString url = qEnvironmentVariable("MESSENGER_TEST_POSTGRES_URL");
    if (url.isEmpty())
        QSKIP("needs MESSENGER_TEST_POSTGRES_URL (scripts/test.sh starts a cluster)");
    QString error;
    const auto settings = DatabaseSettings::fromUrl(url, &error);
    QVERIFY2(settings, qPrintable(error));
    const QString name = u"tst_db_pipeline"_s;
    {
        QSqlDatabase connection = settings->connection(name, u"tst_db"_s);
        QVERIFY2(connection.open(), qPrintable(connection.lastError().text()));
        Db db(connection, Backend::Postgres);
        const QString table = u"pipeline_%1"_s.arg(QRandomGenerator::global()->generate());
        db.execDirect(u"CREATE TABLE %1 (id integer PRIMARY KEY, label text)"_s.arg(table));
        const QString insert
            = u"INSERT INTO %1 (id, label) VALUES (?, ?) RETURNING id * 10, label, label IS NULL"_s
                  .arg(table);
        const auto count = [&] {
            Rows rows = db.exec(u"SELECT COUNT(*) FROM %1"_s.arg(table));
            rows.next();
            return rows.integer(0);
        };

        std::vector<Rows> rows
            = db.pipeline(insert, { { 1, u"één ✓"_s }, { 2, QVariant() }, { 3, u"three"_s } });
        QCOMPARE(rows.size(), size_t(3));
        QVERIFY(rows[0].next());
        QCOMPARE(rows[0].integer(0), 10);
        QCOMPARE(rows[0].string(1), u"één ✓"_s);
        QVERIFY(!rows[0].boolean(2));
        QVERIFY(rows[1].next());
        QVERIFY(rows[1].isNull(1));
        QVERIFY(rows[1].boolean(2));
        QVERIFY(!rows[1].next());
        QCOMPARE(count(), 3);

        // The third collides: nothing of the batch stays, the connection works on.
        QVERIFY_THROWS_EXCEPTION(DbError,
            db.pipeline(insert, { { 4, u"four"_s }, { 5, u"five"_s }, { 1, u"again"_s } }));
        QCOMPARE(count(), 3);

        // QtSql left a statement's rows unread on the connection (it reads
        // row by row): the pipeline still runs. It found the connection
        // busy before and every batch fell back to one send at a time.
        {
            Rows many = db.exec(u"SELECT generate_series(1, 1000)"_s);
            QVERIFY(many.next());
        }
        QCOMPARE(db.pipeline(insert, { { 7, u"seven"_s } }).size(), size_t(1));
        QCOMPARE(count(), 4);

        // The prepared statement is gone (as on a reopened connection): one
        // refusal, then it is prepared again.
        db.execDirect(u"DEALLOCATE ALL"_s);
        db.resetStatements();
        QVERIFY_THROWS_EXCEPTION(DbError, db.pipeline(insert, { { 6, u"six"_s } }));
        QCOMPARE(db.pipeline(insert, { { 6, u"six"_s } }).size(), size_t(1));
        QCOMPARE(count(), 5);

        // fetchAll's rows read as exec's do, value() typed as QtSql types it
        // ('f' is false, not a non-empty string).
        const QString typed = u"SELECT id, label, id > 1, id = 2 FROM %1 ORDER BY id"_s.arg(table);
        Rows all = db.fetchAll(typed);
        Rows driver = db.exec(typed);
        int read = 0;
        while (all.next()) {
            QVERIFY(driver.next());
            ++read;
            for (int column = 0; column < 4; ++column) {
                QCOMPARE(all.isNull(column), driver.isNull(column));
                if (!driver.isNull(column))
                    QCOMPARE(all.value(column), driver.value(column));
            }
            QCOMPARE(all.boolean(3), driver.boolean(3));
        }
        QVERIFY(!driver.next());
        QCOMPARE(read, 5);
        QCOMPARE(all.resultCount(), 1);
        // Prepared by now, and QtSql's last statement read in single-row
        // mode: the rows still come as one result, not one result per row.
        Rows again = db.fetchAll(typed);
        QCOMPARE(again.resultCount(), 1);
        read = 0;
        while (again.next())
            ++read;
        QCOMPARE(read, 5);
        db.execDirect(u"DROP TABLE %1"_s.arg(table));
    }
    QSqlDatabase::removeDatabase(name);
}

QTEST_GUILESS_MAIN(TestDb)
#include "tst_db.moc"
