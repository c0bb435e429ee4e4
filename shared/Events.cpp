#include "Events.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject Event::toJson() const
{
    QJsonObject json { { u"type"_s, type }, { dataKey.toString(), data } };
    if (seq)
        json.insert(u"seq"_s, *seq);
    return json;
}

Parsed<Event> Event::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Event event;
    event.seq = reader.optionalInteger(u"seq");
    event.type = reader.string(u"type", 1);
    event.data = reader.object(dataKey);
    return reader.result(std::move(event));
}

QJsonObject MessageEvent::toJson() const
{
    QJsonObject json = message.toJson();
    json.insert(u"sender_name"_s, message.sender.name);
    return json;
}

Parsed<MessageEvent> MessageEvent::fromJson(const QJsonObject &json, const QStringList &location)
{
    Parsed<Message> message = Message::fromJson(json, location);
    if (!message)
        return message.errors();
    return MessageEvent { std::move(message).value() };
}

QJsonObject MessageDeleted::toJson() const
{
    return { { u"id"_s, id }, { u"chat_id"_s, chatId }, { u"seq"_s, seq },
        { u"chat_seq"_s, chatSeq } };
}

Parsed<MessageDeleted> MessageDeleted::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MessageDeleted deleted;
    deleted.id = reader.uuid(u"id");
    deleted.chatId = reader.uuid(u"chat_id");
    deleted.seq = reader.integer(u"seq");
    deleted.chatSeq = reader.integer(u"chat_seq");
    return reader.result(std::move(deleted));
}

QJsonObject MessageReactions::toJson() const
{
    return { { u"message_id"_s, messageId }, { u"chat_id"_s, chatId }, { u"user_id"_s, userId },
        { u"emoji"_s, emoji }, { u"added"_s, added },
        { u"reactions"_s, Reaction::listToJson(reactions, false) } };
}

Parsed<MessageReactions> MessageReactions::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MessageReactions changed;
    changed.messageId = reader.uuid(u"message_id");
    changed.chatId = reader.uuid(u"chat_id");
    changed.userId = reader.uuid(u"user_id");
    changed.emoji = reader.string(u"emoji", 1);
    changed.added = reader.boolean(u"added");
    changed.reactions = Reaction::listFromJson(reader, u"reactions");
    return reader.result(std::move(changed));
}

QJsonObject ReadReceipt::toJson() const
{
    return { { u"chat_id"_s, chatId }, { u"user_id"_s, userId }, { u"message_id"_s, messageId },
        { u"seq"_s, seq } };
}

Parsed<ReadReceipt> ReadReceipt::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ReadReceipt receipt;
    receipt.chatId = reader.uuid(u"chat_id");
    receipt.userId = reader.uuid(u"user_id");
    receipt.messageId = reader.uuid(u"message_id");
    receipt.seq = reader.integer(u"seq");
    return reader.result(std::move(receipt));
}

QJsonObject MemberLeft::toJson() const
{
    return { { u"chat_id"_s, chatId }, { u"user_id"_s, userId } };
}

Parsed<MemberLeft> MemberLeft::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MemberLeft left;
    left.chatId = reader.uuid(u"chat_id");
    left.userId = reader.uuid(u"user_id");
    return reader.result(std::move(left));
}

QJsonObject SessionRevoked::toJson() const
{
    return { { u"session_id"_s, sessionId } };
}

Parsed<SessionRevoked> SessionRevoked::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    SessionRevoked revoked;
    revoked.sessionId = reader.uuid(u"session_id");
    return reader.result(std::move(revoked));
}

QJsonObject Typing::toJson() const
{
    return { { u"chat_id"_s, chatId }, { u"user_id"_s, userId }, { u"name"_s, name } };
}

Parsed<Typing> Typing::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Typing typing;
    typing.chatId = reader.uuid(u"chat_id");
    typing.userId = reader.uuid(u"user_id");
    typing.name = reader.string(u"name");
    return reader.result(std::move(typing));
}

QJsonObject UpdatesPage::toJson() const
{
    QJsonArray array;
    for (const Event &event : events)
        array.append(event.toJson());
    return { { u"events"_s, array }, { u"has_more"_s, hasMore }, { u"last_seq"_s, lastSeq } };
}

Parsed<UpdatesPage> UpdatesPage::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    UpdatesPage page;
    const QJsonArray array = reader.array(u"events");
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList eventLocation = reader.location(u"events");
        eventLocation.append(QString::number(i));
        Parsed<Event> event = Event::fromJson(array.at(i).toObject(), eventLocation);
        if (event)
            page.events.append(std::move(event).value());
        else
            reader.addErrors(event.errors());
    }
    page.hasMore = reader.boolean(u"has_more");
    page.lastSeq = reader.integer(u"last_seq");
    return reader.result(std::move(page));
}

} // namespace Messenger
