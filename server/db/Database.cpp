#include "Database.h"

#include "Migrations.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QThread>
#include <QUuid>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace Messenger::Server {

Database::Database(DatabaseSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_pool(std::make_unique<QThreadPool>())
{
    m_pool->setMaxThreadCount(m_settings.effectivePoolSize());
    Metrics::global().databasePoolSize = m_settings.effectivePoolSize();
    Metrics::global().setBackend(m_settings.backend == Backend::Postgres ? "postgres" : "sqlite");
    // Workers keep their connection for the life of the server.
    m_pool->setExpiryTimeout(-1);
}

Database::~Database()
{
    m_pool->waitForDone();
    m_pool.reset();
}

QSqlDatabase Database::openConnection()
{
    const QString name = u"messenger-%1-%2"_s.arg(quintptr(this), 0, 16)
                             .arg(quintptr(QThread::currentThreadId()), 0, 16);
    QSqlDatabase db = m_settings.connection(name, u"messenger-server"_s);
    if (!db.open())
        throw DbError::connectionFailed(db.lastError(), m_settings.backend);
    logPostgresNotices(db);
    QSqlQuery setup(db);
    const QStringList statements = m_settings.backend == Backend::Postgres
        ? QStringList { u"SET TIME ZONE 'UTC'"_s }
        : QStringList { u"PRAGMA journal_mode=WAL"_s, u"PRAGMA synchronous=NORMAL"_s,
              u"PRAGMA foreign_keys=ON"_s };
    for (const QString &statement : statements) {
        if (!setup.exec(statement)) {
            const QSqlError error = setup.lastError();
            db.close();
            throw DbError::connectionFailed(error, m_settings.backend);
        }
    }
    return db;
}

Db &Database::threadDb()
{
    if (!m_connections.hasLocalData() || !m_connections.localData()) {
        m_connections.setLocalData(new Db(openConnection(), m_settings.backend));
    } else if (!m_connections.localData()->connection().isOpen()) {
        Db *db = m_connections.localData();
        db->resetStatements();
        db->connection() = openConnection();
    }
    return *m_connections.localData();
}

ApiError Database::handleError(const DbError &error)
{
    if (error.isConnectionError()) {
        Metrics::global().databaseErrors.add("connection");
        qCWarning(lcDb).noquote() << "database unavailable:" << error.logText();
        discardThreadConnection();
        return ApiError::unavailable(u"Database unavailable, try again later"_s);
    }
    if (error.isBusy()) {
        Metrics::global().databaseErrors.add("busy");
        qCWarning(lcDb).noquote() << "database busy:" << error.logText();
        return ApiError::unavailable(u"Database busy, try again later"_s);
    }
    Metrics::global().databaseErrors.add("query");
    qCCritical(lcDb).noquote() << "database error:" << error.logText();
    return ApiError::internal();
}

void Database::discardThreadConnection()
{
    if (m_connections.hasLocalData() && m_connections.localData()) {
        // Reopen on next use; the old handle and its statements are dead.
        Db *db = m_connections.localData();
        db->resetStatements();
        db->connection().close();
    }
}

QFuture<Result<Empty>> Database::ping()
{
    return run([](Db &db) -> Result<Empty> {
        db.exec(u"SELECT 1"_s);
        return Empty {};
    });
}

bool Database::open(QString *error)
{
    const QString failure = QtConcurrent::run(m_pool.get(), [this]() -> QString {
        try {
            threadDb();
            return {};
        } catch (const DbError &dbError) {
            // libpq's connection messages name host, port and the reason, never the password.
            const QString text = dbError.error().databaseText().simplified();
            return text.isEmpty() ? dbError.error().text().simplified() : text;
        }
    }).result();
    if (!failure.isEmpty())
        *error = failure;
    return failure.isEmpty();
}

bool Database::migrate(QString *error)
{
    const Result<Empty> result = runAndWait([](Db &db) -> Result<Empty> {
        QString migrationError;
        if (!Migrations::apply(db, &migrationError))
            return ApiError { 500, u"migration_failed"_s, migrationError, {} };
        return Empty {};
    });
    if (!result)
        *error = result.error().detail;
    return result.ok();
}

} // namespace Messenger::Server
