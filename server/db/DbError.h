#pragma once

#include <QSqlError>

#include <exception>

namespace Messenger::Server {

// Thrown by the db layer when a statement fails; caught once, where work
// scheduled on the pool completes (Database::run), and turned into a 503 when
// the connection is gone or a 500 otherwise. Services never see half-done SQL.
class DbError : public std::exception
{
public:
    explicit DbError(QSqlError error)
        : m_error(std::move(error))
    { }
    const char *what() const noexcept override { return "database error"; }
    const QSqlError &error() const { return m_error; }
    bool isConnectionError() const;

private:
    QSqlError m_error;
};

} // namespace Messenger::Server
