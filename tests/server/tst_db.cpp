#include "db/Database.h"

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

QTEST_GUILESS_MAIN(TestDb)
#include "tst_db.moc"
