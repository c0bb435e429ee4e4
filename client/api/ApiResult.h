#pragma once

#include "shared/Json.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace Messenger::Client {

// The one error type of the client: a network failure, an HTTP error answer
// (with the server's `detail`), an answer we could not understand, or a local
// file a transfer could not read or write (`detail` says which and why).
struct ApiError
{
    enum class Kind { Network, Http, Protocol, LocalFile };
    Kind kind = Kind::Network;
    int status = 0; // the HTTP status for Kind::Http
    QString detail; // the server's detail, or the network error text
    QString code; // the server's machine-readable code, when it sent one
    QList<FieldError> fieldErrors = {}; // a 422's `detail` list: which fields, and why

    // The error an HTTP answer of `status` is, from its JSON body (ErrorBody).
    static ApiError fromHttp(int status, const QJsonDocument &body);

    // What to show a person.
    QString message() const
    {
        switch (kind) {
        case Kind::Network:
            return QCoreApplication::translate("Messenger::Client::ApiError",
                "Cannot reach the server. Check the address and your connection.");
        case Kind::Protocol:
            return QCoreApplication::translate("Messenger::Client::ApiError",
                "The server sent an answer this app does not understand.");
        case Kind::Http:
            if (status == 429)
                return QCoreApplication::translate(
                    "Messenger::Client::ApiError", "Too many attempts. Please wait a moment.");
            if (status >= 500)
                return QCoreApplication::translate(
                    "Messenger::Client::ApiError", "The server is unavailable. Try again later.");
            break;
        case Kind::LocalFile:
            break;
        }
        return detail;
    }
};

// An answer with no body worth keeping (204, or one we ignore).
struct Empty
{
};

// Either the typed answer of a call, or why there is none.
template <typename T> class ApiResult
{
public:
    ApiResult(T value)
        : m_value(std::move(value))
    { }
    ApiResult(ApiError error)
        : m_error(std::move(error))
    { }
    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return *m_value; }
    const ApiError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    ApiError m_error;
};

} // namespace Messenger::Client
