#include "Operations.h"

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
    return { { u"time"_s, time }, { u"level"_s, level }, { u"category"_s, category },
        { u"message"_s, message } };
}

Parsed<LogRecord> LogRecord::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    LogRecord record;
    record.time = reader.string(u"time");
    record.level = reader.string(u"level");
    record.category = reader.string(u"category");
    record.message = reader.string(u"message");
    return reader.result(std::move(record));
}

} // namespace Messenger
