#include "Chat.h"

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

QJsonObject Chat::toJson() const
{
    QJsonArray memberArray;
    for (const User &member : members)
        memberArray.append(member.toJson());
    return { { u"id"_s, id }, { u"name"_s, optionalToJson(name) },
        { u"type"_s, chatTypeName(type) }, { u"members"_s, memberArray },
        { u"created_by"_s, optionalToJson(createdBy) },
        { u"created_at"_s, formatTimestamp(createdAt) } };
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
    const QJsonArray members = reader.array(u"members");
    for (qsizetype i = 0; i < members.size(); ++i) {
        QStringList memberLocation = reader.location(u"members");
        memberLocation.append(QString::number(i));
        auto member = User::fromJson(members.at(i).toObject(), memberLocation);
        if (!member) {
            reader.addErrors(member.errors());
            continue;
        }
        chat.members.append(std::move(member).value());
    }
    chat.createdBy = reader.optionalUuid(u"created_by");
    chat.createdAt = reader.optionalTimestamp(u"created_at").value_or(0);
    return reader.result(std::move(chat));
}

QJsonObject ChatSummary::toJson() const
{
    QJsonObject json = chat.toJson();
    json.insert(u"last_message"_s, lastMessage ? QJsonValue(lastMessage->toJson()) : QJsonValue());
    json.insert(u"unread_count"_s, unreadCount);
    json.insert(u"last_read_seq"_s, lastReadSeq);
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
    if (chat)
        summary.chat = std::move(chat).value();
    else
        reader.addErrors(chat.errors());
    return reader.result(std::move(summary));
}

} // namespace Messenger
