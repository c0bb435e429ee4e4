#pragma once

#include "DbError.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <unordered_map>
#include <utility>

namespace Messenger::Server {

// Makes an open PostgreSQL connection's notices and warnings (RAISE NOTICE,
// "relation already exists, skipping") log lines of messenger.server.db, info
// or warning, instead of libpq printing them on stderr past the log's format.
// Does nothing for another driver.
void logPostgresNotices(const QSqlDatabase &db);

// The result of one statement. Finishes the statement when it goes out of
// scope, so no cursor (and, on SQLite, no read snapshot) outlives its use.
class Rows
{
public:
    explicit Rows(QSqlQuery &query)
        : m_query(&query)
    { }
    Rows(Rows &&other) noexcept
        : m_query(std::exchange(other.m_query, nullptr))
    { }
    Rows(const Rows &) = delete;
    Rows &operator=(const Rows &) = delete;
    ~Rows()
    {
        if (m_query)
            m_query->finish();
    }

    bool next() { return m_query->next(); }
    QVariant value(int column) const { return m_query->value(column); }
    QString string(int column) const { return m_query->value(column).toString(); }
    qint64 integer(int column) const { return m_query->value(column).toLongLong(); }
    bool isNull(int column) const { return m_query->isNull(column); }
    int rowsAffected() const { return m_query->numRowsAffected(); }

private:
    QSqlQuery *m_query;
};

// One worker thread's database connection, handed to services. Statements are
// prepared once per connection and reused (QSqlQuery keeps the prepared
// statement), so a hot query costs one round-trip. Every failure throws DbError.
class Db
{
public:
    Db(QSqlDatabase connection, Backend backend);
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    Backend backend() const { return m_backend; }
    bool isPostgres() const { return m_backend == Backend::Postgres; }
    QSqlDatabase &connection() { return m_connection; }

    // Executes the prepared statement for `sql` with `values` bound to its `?`s.
    Rows exec(const QString &sql, const QVariantList &values = {});
    // Runs a statement that is not worth caching (DDL, transaction control).
    void execDirect(const QString &sql);

    // The next value of the server-wide sequence shared by messages and events.
    qint64 nextSeq();

    // A subquery yielding the ids of a JSON array bound to its one `?`
    // (see ChatAccess::idArray): one parameter however many ids, one plan.
    QString idSetSql() const;

    // Drops cached statements, e.g. after the connection was reopened.
    void resetStatements();
    // How many statements have succeeded on this connection: when a unit of
    // work fails on a dead connection before any succeeded, nothing of it can
    // have been committed, so it is safe to run again on a fresh one.
    quint64 statementsSucceeded() const { return m_statementsSucceeded; }

private:
    QSqlDatabase m_connection;
    Backend m_backend;
    quint64 m_statementsSucceeded = 0;
    // Node-based: a Rows refers to its statement here, and that reference
    // must survive new statements being added (QHash moves its values when
    // it grows: a Rows still open across a new statement crashed).
    std::unordered_map<QString, QSqlQuery> m_statements;
};

// Rolls back unless committed. SQLite write transactions start IMMEDIATE so
// two writers never deadlock upgrading their locks.
class Transaction
{
public:
    explicit Transaction(Db &db);
    // With a custom BEGIN, e.g. for an isolation level.
    Transaction(Db &db, const QString &beginStatement);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

private:
    Db &m_db;
    bool m_open = true;
};

} // namespace Messenger::Server
