#pragma once

#include "Json.h"

// What operators and their tools read: the health answer and the server's
// JSON log lines.
namespace Messenger {

// GET /health: {"status": "ok", "database": "ok"} (200), or, when the
// database does not answer, {"status": "unavailable", "database":
// "unreachable", "detail", "code"} (503).
struct HealthStatus
{
    bool healthy = true;
    QString detail; // why not, when not healthy
    QString code;

    QJsonObject toJson() const;
    static Parsed<HealthStatus> fromJson(const QJsonObject &json, const QStringList &location = {});
};

// One line of the server's log with LOG_FORMAT=json:
// {"time", "level", "category", "message"}, and on the line of an HTTP
// request or of a WebSocket opening or closing, the fields below that apply
// (absent ones are left out).
struct LogRecord
{
    QString time; // ISO 8601 UTC, as every timestamp
    QString level; // debug, info, warning, critical or fatal
    QString category;
    QString message;

    std::optional<QString> method; // GET, POST, ...
    // The route as the OpenAPI document names it ("/api/v1/chats/{chat_id}"),
    // "unmatched" when none matched: the same label as in /metrics.
    std::optional<QString> route;
    std::optional<int> status;
    std::optional<double> durationMs;
    std::optional<qint64> bytes; // the answer's body
    std::optional<QString> client; // the client's address
    std::optional<QString> userId; // when authenticated
    std::optional<QString> requestId; // X-Request-Id
    std::optional<int> closeCode; // a WebSocket's

    QJsonObject toJson() const;
    static Parsed<LogRecord> fromJson(const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger
