#pragma once

#include "DbError.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <unordered_map>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace Messenger::Server {

// Makes an open PostgreSQL connection's notices and warnings (RAISE NOTICE,
// "relation already exists, skipping") log lines of messenger.server.db, info
// or warning, instead of libpq printing them on stderr past the log's format.
// Does nothing for another driver.
void logPostgresNotices(const QSqlDatabase &db);

// The result of one statement. Finishes the statement when it goes out of
// scope, so no cursor (and, on SQLite, no read snapshot) outlives its use.
// Either a QSqlQuery's or a libpq result's (Db::pipeline), read alike.
class Rows
{
public:
    explicit Rows(QSqlQuery &query)
        : m_query(&query)
    { }
    // Takes ownership of `results` (text format): one statement's, its rows
    // in one result or, in libpq's single-row mode, one result per row.
    explicit Rows(std::vector<pg_result *> results);
    Rows(Rows &&other) noexcept
        : m_query(std::exchange(other.m_query, nullptr))
        , m_results(std::exchange(other.m_results, {}))
        , m_current(other.m_current)
        , m_row(other.m_row)
    { }
    Rows(const Rows &) = delete;
    Rows &operator=(const Rows &) = delete;
    ~Rows();

    bool next();
    QVariant value(int column) const;
    QString string(int column) const;
    qint64 integer(int column) const;
    bool boolean(int column) const;
    bool isNull(int column) const;
    int rowsAffected() const;
    // How many libpq results hold the rows (0 for QtSql's): one for a
    // fetchAll, never one per row.
    qsizetype resultCount() const { return qsizetype(m_results.size()); }

private:
    QSqlQuery *m_query = nullptr;
    pg_result *result() const { return m_results[m_current]; }

    std::vector<pg_result *> m_results;
    size_t m_current = 0;
    int m_row = -1;
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
    // PostgreSQL only: executes `sql` (as exec: `?`s, none of them inside a
    // string literal) once for each list of values in `batch`, all sent at
    // once in libpq's pipeline mode (one round trip, the statement parsed
    // once per connection, no values spelt out in SQL) and run as one
    // implicit transaction, committed when every one succeeded. The rows of
    // each, in order. Throws DbError when one failed: then none was committed.
    std::vector<Rows> pipeline(const QString &sql, const QList<QVariantList> &batch);
    // exec for a read that returns many rows (a chat list's hundreds): on
    // PostgreSQL through libpq, every row in one result. QtSql reads a
    // forward-only result in libpq's single-row mode, one allocated result
    // per row, which cost more than the query itself.
    Rows fetchAll(const QString &sql, const QVariantList &values = {});
    // PostgreSQL only: the driver's libpq connection, for what QtSql does
    // badly (binary data, pipelines). Throws DbError on another backend.
    pg_conn *postgresConnection();
    // A DbError for libpq's `result` (null: none came) as exec would throw,
    // a lost connection told apart; logs the first line, never the values.
    DbError postgresError(pg_result *result, const QString &what);
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
    // Statements prepared for pipeline(), by SQL: their names on the connection.
    QHash<QString, QByteArray> m_pipelined;
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
