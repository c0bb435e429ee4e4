#include "Db.h"

#include "DbError.h"

#include <QLoggingCategory>
#include <QSqlDriver>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDb, "messenger.server.db")

namespace Messenger::Server {

bool DbError::isConnectionError() const
{
    if (m_error.type() == QSqlError::ConnectionError)
        return true;
    // PostgreSQL reports a dropped server as a statement error with SQLSTATE
    // class 08 (connection exception) or 57P0x (admin shutdown), or none at all.
    const QString code = m_error.nativeErrorCode();
    return code.startsWith(u"08"_s) || code.startsWith(u"57P"_s)
        || m_error.databaseText().contains(u"server closed the connection"_s)
        || m_error.databaseText().contains(u"no connection to the server"_s);
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
            qCWarning(lcDb) << "prepare failed:" << query.lastError().text() << sql;
            throw DbError(query.lastError());
        }
        it = m_statements.insert(sql, std::move(query));
    }
    QSqlQuery &query = it.value();
    query.finish();
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(int(i), values.at(i));
    if (!query.exec()) {
        const QSqlError error = query.lastError();
        qCWarning(lcDb) << "statement failed:" << error.text();
        // A statement that failed may have left the prepared handle unusable.
        m_statements.erase(it);
        throw DbError(error);
    }
    ++m_statementsSucceeded;
    return Rows(query);
}

void Db::execDirect(const QString &sql)
{
    QSqlQuery query(m_connection);
    if (!query.exec(sql)) {
        qCWarning(lcDb) << "statement failed:" << query.lastError().text();
        throw DbError(query.lastError());
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
        qCWarning(lcDb) << "rollback failed:" << rollback.lastError().text();
}

void Transaction::commit()
{
    m_db.execDirect(u"COMMIT"_s);
    m_open = false;
}

} // namespace Messenger::Server
