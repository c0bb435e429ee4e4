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
// {"time", "level", "category", "message"}.
struct LogRecord
{
    QString time; // ISO 8601 UTC, as every timestamp
    QString level; // debug, info, warning, critical or fatal
    QString category;
    QString message;

    QJsonObject toJson() const;
    static Parsed<LogRecord> fromJson(const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger
