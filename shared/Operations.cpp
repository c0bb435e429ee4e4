#include "Operations.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject HealthStatus::toJson() const
{
    if (healthy)
        return { { u"status"_s, u"ok"_s }, { u"database"_s, u"ok"_s } };
    return { { u"status"_s, u"unavailable"_s }, { u"database"_s, u"unreachable"_s },
        { u"detail"_s, detail }, { u"code"_s, code } };
}

Parsed<HealthStatus> HealthStatus::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    HealthStatus status;
    status.healthy = reader.string(u"status") == u"ok"_s;
    reader.string(u"database");
    if (!status.healthy) {
        status.detail = reader.string(u"detail");
        status.code = reader.string(u"code");
    }
    return reader.result(std::move(status));
}

QJsonObject LogRecord::toJson() const
{
    QJsonObject json { { u"time"_s, time }, { u"level"_s, level }, { u"category"_s, category },
        { u"message"_s, message } };
    const auto insert = [&json](const QString &key, const auto &value) {
        if (value)
            json.insert(key, *value);
    };
    insert(u"method"_s, method);
    insert(u"route"_s, route);
    insert(u"status"_s, status);
    if (durationMs)
        json.insert(u"duration_ms"_s, std::round(*durationMs * 1000) / 1000); // to the microsecond
    insert(u"bytes"_s, bytes);
    insert(u"client"_s, client);
    insert(u"user_id"_s, userId);
    insert(u"request_id"_s, requestId);
    insert(u"close_code"_s, closeCode);
    return json;
}

Parsed<LogRecord> LogRecord::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    LogRecord record;
    record.time = reader.string(u"time");
    record.level = reader.string(u"level");
    record.category = reader.string(u"category");
    record.message = reader.string(u"message");
    record.method = reader.optionalString(u"method");
    record.route = reader.optionalString(u"route");
    if (const auto status = reader.optionalInteger(u"status"))
        record.status = int(*status);
    if (json.contains(u"duration_ms"_s)) {
        if (json.value(u"duration_ms"_s).isDouble())
            record.durationMs = json.value(u"duration_ms"_s).toDouble();
        else
            reader.addError(u"duration_ms", u"Input should be a valid number"_s, u"float_type"_s);
    }
    record.bytes = reader.optionalInteger(u"bytes");
    record.client = reader.optionalString(u"client");
    record.userId = reader.optionalString(u"user_id");
    record.requestId = reader.optionalString(u"request_id");
    if (const auto code = reader.optionalInteger(u"close_code"))
        record.closeCode = int(*code);
    return reader.result(std::move(record));
}

} // namespace Messenger
