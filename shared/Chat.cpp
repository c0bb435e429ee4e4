#include "Chat.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Messenger {

QString chatTypeName(ChatType type)
{
    return type == ChatType::Group ? u"group"_s : u"personal"_s;
}

std::optional<ChatType> chatTypeFromName(QStringView name)
{
    if (name == u"personal")
        return ChatType::Personal;
    if (name == u"group")
        return ChatType::Group;
    return std::nullopt;
}

namespace {

QJsonArray usersToJson(const QList<User> &users)
{
    QJsonArray array;
    for (const User &user : users)
        array.append(user.toJson());
    return array;
}

QList<User> readUsers(JsonReader &reader, QStringView key)
{
    QList<User> users;
    const QJsonArray array = reader.array(key);
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList location = reader.location(key);
        location.append(QString::number(i));
        auto user = User::fromJson(array.at(i).toObject(), location);
        if (!user) {
            reader.addErrors(user.errors());
            continue;
        }
        users.append(std::move(user).value());
    }
    return users;
}

const QString pinnedMessageKey = u"pinned_message"_s;
const QString settingsKey = u"settings"_s;
const QString avatarUrlKey = u"avatar_url"_s;

QJsonValue optionalIntegerToJson(const std::optional<qint64> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

} // namespace

QJsonObject PinnedMessage::toJson() const
{
    return { { u"id"_s, id }, { u"seq"_s, seq }, { u"sender_id"_s, senderId },
        { u"sender_name"_s, senderName }, { u"text"_s, text } };
}

Parsed<PinnedMessage> PinnedMessage::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    PinnedMessage pinned;
    pinned.id = reader.uuid(u"id");
    pinned.seq = reader.integer(u"seq");
    pinned.senderId = reader.uuid(u"sender_id");
    pinned.senderName = reader.string(u"sender_name");
    pinned.text = reader.string(u"text");
    return reader.result(std::move(pinned));
}

QJsonValue PinnedMessage::optionalToJson(const std::optional<PinnedMessage> &pinned)
{
    return pinned ? QJsonValue(pinned->toJson()) : QJsonValue();
}

std::optional<PinnedMessage> PinnedMessage::read(JsonReader &reader, const QJsonObject &json)
{
    const QJsonValue value = json.value(pinnedMessageKey);
    if (value.isObject())
        return reader.nested<PinnedMessage>(pinnedMessageKey);
    if (!value.isNull() && !value.isUndefined())
        reader.object(pinnedMessageKey); // records the type error
    return std::nullopt;
}

bool ChatSettings::isMutedNow() const
{
    return isMuted(QDateTime::currentSecsSinceEpoch());
}

QJsonObject ChatSettings::toJson() const
{
    return { { u"muted_until"_s, optionalIntegerToJson(mutedUntil) },
        { u"pinned_position"_s, optionalIntegerToJson(pinnedPosition) },
        { u"archived"_s, archived }, { u"marked_unread"_s, markedUnread } };
}

Parsed<ChatSettings> ChatSettings::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ChatSettings settings;
    settings.mutedUntil = reader.optionalInteger(u"muted_until");
    settings.pinnedPosition = reader.optionalInteger(u"pinned_position");
    settings.archived = reader.boolean(u"archived");
    settings.markedUnread = reader.boolean(u"marked_unread");
    return reader.result(std::move(settings));
}

QJsonObject Chat::toJson() const
{
    const QJsonArray memberArray = usersToJson(members);
    QJsonObject json { { u"id"_s, id }, { u"name"_s, optionalToJson(name) },
        { u"type"_s, chatTypeName(type) }, { u"members"_s, memberArray },
        { u"created_by"_s, optionalToJson(createdBy) },
        { u"created_at"_s, formatTimestamp(createdAt) },
        { pinnedMessageKey, PinnedMessage::optionalToJson(pinnedMessage) },
        { avatarUrlKey, optionalToJson(avatarUrl) } };
    if (settings)
        json.insert(settingsKey, settings->toJson());
    return json;
}

Parsed<Chat> Chat::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Chat chat;
    chat.id = reader.uuid(u"id");
    chat.name = reader.optionalString(u"name");
    const auto type = chatTypeFromName(reader.string(u"type"));
    if (!type && !reader.hasErrors())
        reader.addError(u"type", u"Input should be 'personal' or 'group'"_s, u"literal_error"_s);
    chat.type = type.value_or(ChatType::Personal);
    chat.members = readUsers(reader, u"members");
    chat.createdBy = reader.optionalUuid(u"created_by");
    chat.createdAt = reader.optionalTimestamp(u"created_at").value_or(0);
    chat.pinnedMessage = PinnedMessage::read(reader, json);
    chat.avatarUrl = reader.optionalString(avatarUrlKey); // absent: an older server
    // Absent from events every member gets alike (and from older servers).
    if (json.contains(settingsKey))
        chat.settings = reader.nested<ChatSettings>(settingsKey);
    return reader.result(std::move(chat));
}

QJsonObject ChatSummary::toJson() const
{
    QJsonObject json = chat.toJson();
    json.insert(u"last_message"_s, lastMessage ? QJsonValue(lastMessage->toJson()) : QJsonValue());
    json.insert(u"unread_count"_s, unreadCount);
    json.insert(u"last_read_seq"_s, lastReadSeq);
    json.insert(u"unread_mentions"_s, unreadMentions);
    return json;
}

Parsed<ChatSummary> ChatSummary::fromJson(const QJsonObject &json, const QStringList &location)
{
    Parsed<Chat> chat = Chat::fromJson(json, location);
    JsonReader reader(json, location);
    ChatSummary summary;
    if (json.value(u"last_message").isObject())
        summary.lastMessage = reader.nested<LastMessage>(u"last_message");
    summary.unreadCount = reader.integer(u"unread_count");
    summary.lastReadSeq = reader.optionalInteger(u"last_read_seq").value_or(0);
    summary.unreadMentions = reader.optionalInteger(u"unread_mentions").value_or(0);
    if (chat)
        summary.chat = std::move(chat).value();
    else
        reader.addErrors(chat.errors());
    return reader.result(std::move(summary));
}

QJsonObject MembersAdded::toJson() const
{
    return { { u"chat_id"_s, chatId }, { u"members"_s, usersToJson(members) } };
}

Parsed<MembersAdded> MembersAdded::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MembersAdded added;
    added.chatId = reader.uuid(u"chat_id");
    added.members = readUsers(reader, u"members");
    return reader.result(std::move(added));
}

QJsonObject ChatRenamed::toJson() const
{
    return { { u"chat_id"_s, chatId }, { u"name"_s, name } };
}

Parsed<ChatRenamed> ChatRenamed::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ChatRenamed renamed;
    renamed.chatId = reader.uuid(u"chat_id");
    renamed.name = reader.string(u"name");
    return reader.result(std::move(renamed));
}

QJsonObject ChatUpdated::toJson() const
{
    return { { u"chat_id"_s, chatId }, { avatarUrlKey, optionalToJson(avatarUrl) } };
}

Parsed<ChatUpdated> ChatUpdated::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ChatUpdated updated;
    updated.chatId = reader.uuid(u"chat_id");
    updated.avatarUrl = reader.optionalString(avatarUrlKey);
    return reader.result(std::move(updated));
}

QJsonObject ChatPinned::toJson() const
{
    return { { u"chat_id"_s, chatId },
        { pinnedMessageKey, PinnedMessage::optionalToJson(pinnedMessage) },
        { u"user_id"_s, userId } };
}

Parsed<ChatPinned> ChatPinned::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ChatPinned pinned;
    pinned.chatId = reader.uuid(u"chat_id");
    pinned.pinnedMessage = PinnedMessage::read(reader, json);
    pinned.userId = reader.uuid(u"user_id");
    return reader.result(std::move(pinned));
}

QJsonObject ChatSettingsChanged::toJson() const
{
    return { { u"chat_id"_s, chatId }, { settingsKey, settings.toJson() } };
}

Parsed<ChatSettingsChanged> ChatSettingsChanged::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ChatSettingsChanged changed;
    changed.chatId = reader.uuid(u"chat_id");
    changed.settings = reader.nested<ChatSettings>(settingsKey).value_or(ChatSettings {});
    return reader.result(std::move(changed));
}

} // namespace Messenger
