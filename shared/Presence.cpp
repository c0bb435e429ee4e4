#include "Presence.h"

#include "Limits.h"
#include "Queries.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Messenger {

void PresenceEntry::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("last_seen_at"_L1, lastSeenAt)
        .field("online"_L1, online)
        .field("user_id"_L1, userId)
        .endObject();
}

QJsonObject PresenceEntry::toJson() const
{
    return JsonWriter::toObject(*this);
}

Parsed<PresenceEntry> PresenceEntry::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    PresenceEntry entry;
    entry.userId = reader.uuid(u"user_id");
    entry.online = reader.boolean(u"online");
    entry.lastSeenAt = reader.optionalInteger(u"last_seen_at");
    return reader.result(std::move(entry));
}

void PresenceList::write(JsonWriter &writer) const
{
    writer.beginObject().field("users"_L1, users).endObject();
}

QJsonObject PresenceList::toJson() const
{
    return JsonWriter::toObject(*this);
}

bool isPresenceFrame(QStringView frame)
{
    return frame.endsWith(u"\"type\":\"presence\"}");
}

QByteArray presenceFrame(const QList<QByteArray> &writtenEntries, const QList<qsizetype> &which)
{
    // As Event::of(std::nullopt, WsEvents::presence, list) serialises.
    JsonWriter writer;
    writer.beginObject().key("data"_L1).beginObject().key("users"_L1).beginArray();
    for (const qsizetype index : which)
        writer.written(writtenEntries.at(index));
    writer.endArray().endObject().field("type"_L1, WsEvents::presence).endObject();
    return writer.take();
}

Parsed<PresenceList> PresenceList::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    PresenceList list;
    const QJsonArray array = reader.array(u"users");
    for (qsizetype i = 0; i < array.size(); ++i) {
        const auto entry = PresenceEntry::fromJson(
            array.at(i).toObject(), reader.location(u"users") << QString::number(i));
        if (entry)
            list.users.append(entry.value());
        else
            reader.addErrors(entry.errors());
    }
    return reader.result(std::move(list));
}

QUrlQuery PresenceQuery::toQuery() const
{
    QUrlQuery query;
    query.addQueryItem(userIdsKey.toString(), userIds.join(u','));
    return query;
}

Parsed<PresenceQuery> PresenceQuery::fromQuery(const QUrlQuery &query)
{
    QueryReader reader(query);
    PresenceQuery result;
    const QString text = reader.text(userIdsKey);
    if (text.isEmpty()) {
        reader.addError(userIdsKey, u"Field required"_s, u"missing"_s);
        return reader.result(result);
    }
    const QStringList items = text.split(u',', Qt::SkipEmptyParts);
    if (items.size() > Limits::presenceIdsMax) {
        reader.addError(userIdsKey,
            u"At most %1 user ids (got %2)"_s.arg(Limits::presenceIdsMax).arg(items.size()),
            u"too_long"_s);
        return reader.result(result);
    }
    for (const QString &item : items) {
        const auto id = canonicalUuid(item.trimmed());
        if (!id) {
            reader.addError(
                userIdsKey, u"Not a comma-separated list of UUIDs"_s, u"uuid_parsing"_s);
            return reader.result(result);
        }
        if (!result.userIds.contains(*id))
            result.userIds.append(*id);
    }
    return reader.result(result);
}

QJsonObject PrivacySettings::toJson() const
{
    return { { presenceVisibleKey.toString(), presenceVisible } };
}

Parsed<PrivacySettings> PrivacySettings::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    PrivacySettings settings;
    settings.presenceVisible = reader.string(presenceVisibleKey);
    if (!reader.hasErrors() && settings.presenceVisible != everyone
        && settings.presenceVisible != nobody)
        reader.addError(presenceVisibleKey, u"Input should be '%1' or '%2'"_s.arg(everyone, nobody),
            u"literal_error"_s);
    return reader.result(std::move(settings));
}

QJsonObject PresenceChanged::toJson() const
{
    return { { u"user_ids"_s, QJsonArray::fromStringList(userIds) } };
}

Parsed<PresenceChanged> PresenceChanged::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    PresenceChanged changed;
    changed.userIds = reader.uuidList(u"user_ids", 1, 10000);
    return reader.result(std::move(changed));
}

} // namespace Messenger
