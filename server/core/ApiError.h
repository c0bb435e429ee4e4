#pragma once

#include "observability/Metrics.h"
#include "shared/Json.h"

#include <QString>

#include <variant>

namespace Messenger::Server {

// A failure a client is told about: HTTP status, a machine-readable code and a
// human-readable detail (or FastAPI-shaped field errors for a 422). Services
// return these; the HTTP and WebSocket layers only format them.
struct ApiError
{
    int status = 500;
    QString code;
    QString detail;
    QList<FieldError> fieldErrors;
    int retryAfterSeconds = 0; // a 429's Retry-After

    // Every rate limit refuses through here, so /metrics counts it by code.
    static ApiError tooManyRequests(const QString &code, int retryAfterSeconds)
    {
        Metrics::global().rateLimited.add(code.toUtf8());
        return { 429, code,
            QStringLiteral("Too many requests, try again in %1 s").arg(retryAfterSeconds), {},
            retryAfterSeconds };
    }

    static ApiError badRequest(const QString &code, const QString &detail)
    {
        return { 400, code, detail, {} };
    }
    static ApiError unauthorized(const QString &code, const QString &detail)
    {
        return { 401, code, detail, {} };
    }
    static ApiError forbidden(const QString &code, const QString &detail)
    {
        return { 403, code, detail, {} };
    }
    static ApiError notFound(const QString &code, const QString &detail)
    {
        return { 404, code, detail, {} };
    }
    static ApiError conflict(const QString &code, const QString &detail)
    {
        return { 409, code, detail, {} };
    }
    static ApiError validation(QList<FieldError> errors)
    {
        return { 422, QStringLiteral("validation_error"), errors.value(0).msg, std::move(errors) };
    }
    static ApiError unavailable(const QString &detail)
    {
        return { 503, QStringLiteral("database_unavailable"), detail, {} };
    }
    static ApiError internal()
    {
        return { 500, QStringLiteral("internal_error"), QStringLiteral("Internal server error"),
            {} };
    }
};

// What every service call returns: its value or the ApiError that stopped it.
template <typename T> class Result
{
public:
    Result(T value)
        : m_state(std::move(value))
    { }
    Result(ApiError error)
        : m_state(std::move(error))
    { }

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const ApiError &error() const { return std::get<ApiError>(m_state); }

private:
    std::variant<T, ApiError> m_state;
};

struct Empty
{
};

} // namespace Messenger::Server
