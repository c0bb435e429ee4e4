#pragma once

#include <QSqlError>

#include <exception>

namespace Messenger::Server {

enum class Backend { Sqlite, Postgres };

// Thrown by the db layer when a statement fails; caught once, where work
// scheduled on the pool completes (Database::run), and turned into a 503 when
// the connection is gone or a 500 otherwise. Services never see half-done SQL.
class DbError : public std::exception
{
public:
    DbError(QSqlError error, Backend backend)
        : m_error(std::move(error))
        , m_backend(backend)
    { }
    const char *what() const noexcept override { return "database error"; }
    const QSqlError &error() const { return m_error; }
    // Whether the connection is gone (a retry on a new one may succeed). An
    // SQLite connection is a file handle in this process: it cannot drop, so
    // only failing to open one counts (its driver reports statement failures
    // such as "LIKE or GLOB pattern too complex" as ConnectionError too).
    bool isConnectionError() const;
    // SQLite's "database is locked" after the busy timeout: the connection is
    // fine, the database is just too busy right now.
    bool isBusy() const;
    // What may be logged: the SQLSTATE (or SQLite code) and the first line of
    // the database's message. The rest of it can quote bound values (on
    // PostgreSQL "CONTEXT: unnamed portal parameter $6 = '...'", "DETAIL: Key
    // (email)=(...)"), that is message texts, e-mails or token hashes.
    QString logText() const;

    // A failure to open a connection, whatever the driver called it.
    static DbError connectionFailed(const QSqlError &error, Backend backend);

private:
    QSqlError m_error;
    Backend m_backend;
    bool m_openFailed = false;
};

} // namespace Messenger::Server
