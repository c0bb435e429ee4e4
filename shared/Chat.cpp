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

} // namespace

QJsonObject PinnedMessage::toJson() const
{
    return JsonWriter::toObject(*this);
}

void PinnedMessage::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("id"_L1, id)
        .field("seq"_L1, seq)
        .field("sender_id"_L1, senderId)
        .field("sender_name"_L1, senderName)
        .field("text"_L1, text)
        .endObject();
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
    return JsonWriter::toObject(*this);
}

void ChatSettings::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("muted_until"_L1, mutedUntil)
        .field("pinned_position"_L1, pinnedPosition)
        .field("archived"_L1, archived)
        .field("marked_unread"_L1, markedUnread)
        .endObject();
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
    return JsonWriter::toObject(*this);
}

void Chat::write(JsonWriter &writer) const
{
    writer.beginObject();
    writeFields(writer);
    writer.endObject();
}

void Chat::writeFields(JsonWriter &writer) const
{
    writer.field("id"_L1, id)
        .field("name"_L1, name)
        .field("type"_L1, chatTypeName(type))
        .field("members"_L1, members)
        .field("created_by"_L1, createdBy)
        .key("created_at"_L1)
        .timestamp(createdAt)
        .field("pinned_message"_L1, pinnedMessage)
        .field("avatar_url"_L1, avatarUrl);
    if (settings)
        writer.field("settings"_L1, *settings);
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
    return JsonWriter::toObject(*this);
}

void ChatSummary::write(JsonWriter &writer) const
{
    writer.beginObject();
    chat.writeFields(writer);
    writer.field("last_message"_L1, lastMessage)
        .field("unread_count"_L1, unreadCount)
        .field("last_read_seq"_L1, lastReadSeq)
        .field("unread_mentions"_L1, unreadMentions)
        .endObject();
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
