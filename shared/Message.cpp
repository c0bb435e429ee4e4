#include "Message.h"

#include "Limits.h"

#include <QTextBoundaryFinder>

using namespace Qt::StringLiterals;

namespace Messenger {

namespace {
const QString replyToKey = u"reply_to"_s;
const QString reactionsKey = u"reactions"_s;
const QString forwardedFromKey = u"forwarded_from"_s;
const QString mentionsKey = u"mentions"_s;
const QString attachmentsKey = u"attachments"_s;
} // namespace

QJsonObject ForwardedFrom::toJson() const
{
    return JsonWriter::toObject(*this);
}

void ForwardedFrom::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("sender_id"_L1, senderId)
        .field("sender_name"_L1, senderName)
        .endObject();
}

Parsed<ForwardedFrom> ForwardedFrom::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ForwardedFrom from;
    from.senderId = reader.uuid(u"sender_id");
    from.senderName = reader.string(u"sender_name");
    return reader.result(std::move(from));
}

QJsonObject Reaction::toJson(bool withMe) const
{
    JsonWriter writer;
    write(writer, withMe);
    return QJsonDocument::fromJson(writer.bytes()).object();
}

void Reaction::write(JsonWriter &writer, bool withMe) const
{
    writer.beginObject().field("emoji"_L1, emoji).field("count"_L1, count);
    if (withMe)
        writer.field("me"_L1, me);
    writer.endObject();
}

Parsed<Reaction> Reaction::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Reaction reaction;
    reaction.emoji = reader.string(u"emoji", 1);
    reaction.count = reader.integer(u"count");
    // Absent in `message_reactions` events: the reader tells from user_id.
    reaction.me = json.value(u"me").toBool(false);
    return reader.result(std::move(reaction));
}

QJsonArray Reaction::listToJson(const QList<Reaction> &reactions, bool withMe)
{
    QJsonArray array;
    for (const Reaction &reaction : reactions)
        array.append(reaction.toJson(withMe));
    return array;
}

QList<Reaction> Reaction::listFromJson(JsonReader &reader, QStringView key)
{
    QList<Reaction> reactions;
    const QJsonArray array = reader.array(key);
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList location = reader.location(key);
        location.append(QString::number(i));
        auto reaction = Reaction::fromJson(array.at(i).toObject(), location);
        if (!reaction) {
            reader.addErrors(reaction.errors());
            continue;
        }
        reactions.append(std::move(reaction).value());
    }
    return reactions;
}

QString ReplyPreview::cut(const QString &text)
{
    if (text.size() <= Limits::replyPreviewMax)
        return text;
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, text);
    graphemes.setPosition(Limits::replyPreviewMax);
    if (!graphemes.isAtBoundary())
        graphemes.toPreviousBoundary();
    return text.left(qMax<qsizetype>(graphemes.position(), 0));
}

QJsonObject ReplyPreview::toJson() const
{
    return JsonWriter::toObject(*this);
}

void ReplyPreview::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("id"_L1, id)
        .field("sender_id"_L1, senderId)
        .field("sender_name"_L1, senderName)
        .field("text"_L1, text)
        .field("deleted"_L1, deleted)
        .field("seq"_L1, seq)
        .endObject();
}

Parsed<ReplyPreview> ReplyPreview::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ReplyPreview preview;
    preview.id = reader.uuid(u"id");
    preview.senderId = reader.uuid(u"sender_id");
    preview.senderName = reader.string(u"sender_name");
    preview.text = reader.string(u"text");
    preview.deleted = reader.boolean(u"deleted");
    // Optional: replies cached before the server sent it.
    preview.seq = reader.optionalInteger(u"seq").value_or(0);
    return reader.result(std::move(preview));
}

QJsonObject Message::toJson() const
{
    return JsonWriter::toObject(*this);
}

void Message::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("id"_L1, id)
        .field("chat_id"_L1, chatId)
        .field("sender_id"_L1, senderId)
        .field("sender"_L1, sender)
        .field("text"_L1, text)
        .key("timestamp"_L1)
        .timestamp(timestamp)
        .field("is_read"_L1, isRead)
        .field("seq"_L1, seq)
        .field("chat_seq"_L1, chatSeq)
        .key("edited_at"_L1);
    if (editedAt)
        writer.timestamp(*editedAt);
    else
        writer.null();
    writer.field("deleted"_L1, deleted);
    if (clientId)
        writer.field("client_id"_L1, *clientId);
    writer.field("reply_to"_L1, replyTo)
        .field("reactions"_L1, reactions)
        .field("forwarded_from"_L1, forwardedFrom)
        .field("mentions"_L1, mentions)
        .field("attachments"_L1, attachments)
        .endObject();
}

void Message::setReplyTo(QJsonObject &json, const std::optional<ReplyPreview> &replyTo)
{
    json.insert(replyToKey, replyTo ? QJsonValue(replyTo->toJson()) : QJsonValue());
}

void Message::dropReactions(QJsonObject &json)
{
    json.remove(reactionsKey);
}

Parsed<Message> Message::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Message message;
    message.id = reader.uuid(u"id");
    message.chatId = reader.uuid(u"chat_id");
    message.senderId = reader.uuid(u"sender_id");
    message.sender = reader.nested<User>(u"sender").value_or(User());
    message.text = reader.string(u"text");
    message.timestamp = reader.timestamp(u"timestamp");
    message.isRead = reader.boolean(u"is_read");
    message.seq = reader.integer(u"seq");
    message.chatSeq = reader.integer(u"chat_seq");
    message.clientId = reader.optionalUuid(u"client_id");
    message.editedAt = reader.optionalTimestamp(u"edited_at");
    message.deleted = json.value(u"deleted").toBool(false);
    // Absent (an older server) reads as null: no reply.
    if (json.value(replyToKey).isObject())
        message.replyTo = reader.nested<ReplyPreview>(replyToKey);
    else if (!json.value(replyToKey).isNull() && !json.value(replyToKey).isUndefined())
        reader.object(replyToKey); // records the type error
    // Absent in a `message_edited` event (and from an older server): none known.
    if (json.contains(reactionsKey))
        message.reactions = Reaction::listFromJson(reader, reactionsKey);
    // Absent (an older server) reads as null: not forwarded.
    if (json.value(forwardedFromKey).isObject())
        message.forwardedFrom = reader.nested<ForwardedFrom>(forwardedFromKey);
    else if (!json.value(forwardedFromKey).isNull() && !json.value(forwardedFromKey).isUndefined())
        reader.object(forwardedFromKey); // records the type error
    // Absent (an older server): none.
    if (json.contains(mentionsKey))
        message.mentions = reader.uuidList(mentionsKey, 0, Limits::mentionsMax);
    // Absent (an older server): none.
    if (json.contains(attachmentsKey))
        message.attachments = Attachment::listFromJson(reader, attachmentsKey);
    return reader.result(std::move(message));
}

LastMessage LastMessage::fromMessage(const Message &message)
{
    return { message.id, message.senderId, message.sender.name, message.text, message.timestamp,
        message.isRead, message.seq, message.chatSeq, message.deleted, message.attachments };
}

QJsonObject LastMessage::toJson() const
{
    return JsonWriter::toObject(*this);
}

void LastMessage::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("id"_L1, id)
        .field("sender_id"_L1, senderId)
        .field("sender_name"_L1, senderName)
        .field("text"_L1, text)
        .key("timestamp"_L1)
        .timestamp(timestamp)
        .field("is_read"_L1, isRead)
        .field("seq"_L1, seq)
        .field("chat_seq"_L1, chatSeq)
        .field("deleted"_L1, deleted)
        .field("attachments"_L1, attachments)
        .endObject();
}

Parsed<LastMessage> LastMessage::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    LastMessage message;
    message.id = reader.uuid(u"id");
    message.senderId = reader.uuid(u"sender_id");
    message.senderName = reader.string(u"sender_name");
    message.text = reader.string(u"text");
    message.timestamp = reader.timestamp(u"timestamp");
    message.isRead = reader.boolean(u"is_read");
    message.seq = reader.optionalInteger(u"seq").value_or(0);
    message.chatSeq = reader.optionalInteger(u"chat_seq").value_or(0);
    message.deleted = json.value(u"deleted").toBool(false);
    if (json.contains(attachmentsKey))
        message.attachments = Attachment::listFromJson(reader, attachmentsKey);
    return reader.result(std::move(message));
}

} // namespace Messenger
