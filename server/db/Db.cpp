#include "Db.h"

#include "DbError.h"

#include <QLoggingCategory>
#include <QSqlDriver>

#include <libpq-fe.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDb, "messenger.server.db")

namespace Messenger::Server {

namespace {

// libpq's notice processor: `message` is "SEVERITY:  text\n" (with DETAIL
// and HINT lines when the server sent them).
void logNotice(void *, const char *message)
{
    const QString text = QString::fromUtf8(message).trimmed();
    const QString severity = text.section(u':', 0, 0);
    const bool warning
        = severity == u"WARNING"_s || severity == u"ERROR"_s || severity == u"FATAL"_s;
    if (warning)
        qCWarning(lcDb).noquote() << "PostgreSQL:" << text;
    else
        qCInfo(lcDb).noquote() << "PostgreSQL:" << text;
}

} // namespace

void logPostgresNotices(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    // Qt's driver registers the handle's type as PGconn* or, by the struct's
    // own name, pg_conn*.
    if (!handle.isValid()
        || (qstrcmp(handle.typeName(), "PGconn*") != 0
            && qstrcmp(handle.typeName(), "pg_conn*") != 0))
        return;
    if (PGconn *connection = *static_cast<PGconn *const *>(handle.constData()))
        PQsetNoticeProcessor(connection, &logNotice, nullptr);
}

bool DbError::isConnectionError() const
{
    if (m_openFailed)
        return true;
    if (m_backend == Backend::Sqlite)
        return false;
    if (m_error.type() == QSqlError::ConnectionError)
        return true;
    // PostgreSQL reports a dropped server as a statement error with SQLSTATE
    // class 08 (connection exception) or 57P0x (admin shutdown), or none at all.
    const QString code = m_error.nativeErrorCode();
    return code.startsWith(u"08"_s) || code.startsWith(u"57P"_s)
        || m_error.databaseText().contains(u"server closed the connection"_s)
        || m_error.databaseText().contains(u"no connection to the server"_s);
}

bool DbError::isBusy() const
{
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6), extended codes included.
    if (m_backend != Backend::Sqlite)
        return false;
    bool ok = false;
    const int code = m_error.nativeErrorCode().toInt(&ok) & 0xff;
    return ok && (code == 5 || code == 6);
}

QString DbError::logText() const
{
    constexpr qsizetype maxLength = 200;
    const QString databaseText = m_error.databaseText().trimmed();
    QString firstLine = databaseText.section(u'\n', 0, 0).trimmed();
    if (firstLine.size() > maxLength)
        firstLine = firstLine.left(maxLength) + u"..."_s;
    return u"[%1] %2 %3"_s.arg(m_error.nativeErrorCode(), m_error.driverText(), firstLine);
}

DbError DbError::connectionFailed(const QSqlError &error, Backend backend)
{
    DbError failed(error, backend);
    failed.m_openFailed = true;
    return failed;
}

Db::Db(QSqlDatabase connection, Backend backend)
    : m_connection(std::move(connection))
    , m_backend(backend)
{ }

Rows Db::exec(const QString &sql, const QVariantList &values)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery query(m_connection);
        query.setForwardOnly(true);
        if (!query.prepare(sql)) {
            const DbError error(query.lastError(), m_backend);
            qCWarning(lcDb).noquote() << "prepare failed:" << error.logText() << sql.left(120);
            throw error;
        }
        it = m_statements.emplace(sql, std::move(query)).first;
    }
    QSqlQuery &query = it->second;
    query.finish();
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec()) {
        const DbError error(query.lastError(), m_backend);
        // The statement, not its values: they are message texts and e-mails.
        qCWarning(lcDb).noquote() << "statement failed:" << error.logText() << sql.left(120);
        // A statement that failed may have left the prepared handle unusable.
        m_statements.erase(it);
        throw error;
    }
    ++m_statementsSucceeded;
    return Rows(query);
}

void Db::execDirect(const QString &sql)
{
    QSqlQuery query(m_connection);
    if (!query.exec(sql)) {
        const DbError error(query.lastError(), m_backend);
        qCWarning(lcDb).noquote() << "statement failed:" << error.logText() << sql.left(120);
        throw error;
    }
    ++m_statementsSucceeded;
}

qint64 Db::nextSeq()
{
    // On PostgreSQL the transaction must own an xid before it draws a seq:
    // EventFeed relies on every in-flight seq belonging to a transaction that
    // a snapshot lists as running (nextval alone does not assign one).
    Rows rows = isPostgres()
        ? exec(u"WITH tx AS MATERIALIZED (SELECT pg_current_xact_id() AS id) "
               "SELECT nextval('global_seq') FROM tx"_s)
        : exec(
            u"UPDATE counters SET value = value + 1 WHERE name = 'global_seq' RETURNING value"_s);
    rows.next();
    return rows.integer(0);
}

QString Db::idSetSql() const
{
    return isPostgres()
        ? u"(SELECT CAST(value AS uuid) FROM json_array_elements_text(CAST(? AS json)) AS ids(value))"_s
        : u"(SELECT value FROM json_each(?))"_s;
}

void Db::resetStatements()
{
    m_statements.clear();
}

Transaction::Transaction(Db &db)
    : m_db(db)
{
    m_db.execDirect(db.isPostgres() ? u"BEGIN"_s : u"BEGIN IMMEDIATE"_s);
}

Transaction::Transaction(Db &db, const QString &beginStatement)
    : m_db(db)
{
    m_db.execDirect(beginStatement);
}

Transaction::~Transaction()
{
    if (!m_open)
        return;
    // Finish open cursors first: SQLite refuses to roll back under an active read.
    m_db.resetStatements();
    QSqlQuery rollback(m_db.connection());
    if (!rollback.exec(u"ROLLBACK"_s))
        qCWarning(lcDb).noquote() << "rollback failed:"
                                  << DbError(rollback.lastError(), m_db.backend()).logText();
}

void Transaction::commit()
{
    m_db.execDirect(u"COMMIT"_s);
    m_open = false;
}

} // namespace Messenger::Server
