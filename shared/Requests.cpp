#include "Requests.h"

#include "Limits.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject CreatePersonalChatRequest::toJson() const
{
    return { { u"type"_s, u"personal"_s }, { u"member_ids"_s, QJsonArray { otherUserId } } };
}

Parsed<CreatePersonalChatRequest> CreatePersonalChatRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    reader.literal(u"type", u"personal", false);
    const QStringList ids = reader.uuidList(u"member_ids", 1, 1);
    return reader.result(CreatePersonalChatRequest { ids.value(0) });
}

QJsonObject CreateGroupChatRequest::toJson() const
{
    return { { u"name"_s, name }, { u"type"_s, u"group"_s },
        { u"member_ids"_s, QJsonArray::fromStringList(memberIds) } };
}

Parsed<CreateGroupChatRequest> CreateGroupChatRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    CreateGroupChatRequest request;
    request.name = reader.name(u"name", Limits::groupNameMin, Limits::groupNameMax);
    reader.literal(u"type", u"group", false);
    request.memberIds = json.contains(u"member_ids")
        ? reader.uuidList(u"member_ids", 0, Limits::groupMembersMax)
        : QStringList();
    return reader.result(std::move(request));
}

QJsonObject SendMessageRequest::toJson() const
{
    QJsonObject json { { u"chat_id"_s, chatId }, { u"text"_s, text } };
    if (clientId)
        json.insert(u"client_id"_s, *clientId);
    if (replyToId)
        json.insert(u"reply_to_id"_s, *replyToId);
    if (!mentions.isEmpty())
        json.insert(u"mentions"_s, QJsonArray::fromStringList(mentions));
    if (!attachmentIds.isEmpty())
        json.insert(u"attachment_ids"_s, QJsonArray::fromStringList(attachmentIds));
    return json;
}

Parsed<SendMessageRequest> SendMessageRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    SendMessageRequest request;
    request.chatId = reader.uuid(u"chat_id");
    if (json.contains(u"attachment_ids")) {
        request.attachmentIds
            = reader.uuidList(u"attachment_ids", 0, Limits::attachmentsPerMessageMax);
        request.attachmentIds.removeDuplicates(); // a file is carried once
    }
    // A caption may be empty (or absent); a message with no file needs text.
    request.text = request.attachmentIds.isEmpty() || json.contains(u"text")
        ? reader.string(
            u"text", request.attachmentIds.isEmpty() ? 1 : 0, Limits::messageTextMax, true)
        : QString();
    request.clientId = reader.optionalUuid(u"client_id");
    request.replyToId = reader.optionalUuid(u"reply_to_id");
    if (json.contains(u"mentions"))
        request.mentions = reader.uuidList(u"mentions", 0, Limits::mentionsMax);
    request.mentions.removeDuplicates(); // a user mentioned twice is mentioned
    return reader.result(std::move(request));
}

QJsonObject EditMessageRequest::toJson() const
{
    return { { u"text"_s, text } };
}

Parsed<EditMessageRequest> EditMessageRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    EditMessageRequest request;
    request.text = reader.string(u"text", 1, Limits::messageTextMax, true);
    return reader.result(std::move(request));
}

QJsonObject RenameChatRequest::toJson() const
{
    return { { u"name"_s, name } };
}

Parsed<RenameChatRequest> RenameChatRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    RenameChatRequest request;
    request.name = reader.name(u"name", Limits::groupNameMin, Limits::groupNameMax);
    return reader.result(std::move(request));
}

QJsonObject AddMembersRequest::toJson() const
{
    return { { u"user_ids"_s, QJsonArray::fromStringList(userIds) } };
}

Parsed<AddMembersRequest> AddMembersRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    AddMembersRequest request;
    request.userIds = reader.uuidList(u"user_ids", 1, Limits::groupMembersMax);
    return reader.result(std::move(request));
}

namespace {

// The ids of a list that must not repeat one (uuidList drops repeats).
QStringList distinctIds(
    JsonReader &reader, const QJsonObject &json, QStringView key, int maxCount, int minCount = 1)
{
    const QStringList ids = reader.uuidList(key, minCount, maxCount);
    if (!reader.hasErrors() && ids.size() != json.value(key).toArray().size())
        reader.addError(key, u"List should not name an item twice"_s, u"duplicate_items"_s);
    return ids;
}

QList<Message> readMessages(JsonReader &reader, QStringView key)
{
    QList<Message> messages;
    const QJsonArray array = reader.array(key);
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList location = reader.location(key);
        location.append(QString::number(i));
        auto message = Message::fromJson(array.at(i).toObject(), location);
        if (message)
            messages.append(std::move(message).value());
        else
            reader.addErrors(message.errors());
    }
    return messages;
}

} // namespace

QJsonObject ForwardMessagesRequest::toJson() const
{
    QJsonObject json { { u"message_ids"_s, QJsonArray::fromStringList(messageIds) },
        { u"chat_ids"_s, QJsonArray::fromStringList(chatIds) } };
    if (clientId)
        json.insert(u"client_id"_s, *clientId);
    return json;
}

Parsed<ForwardMessagesRequest> ForwardMessagesRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ForwardMessagesRequest request;
    request.messageIds = distinctIds(reader, json, u"message_ids", Limits::forwardMessagesMax);
    request.chatIds = distinctIds(reader, json, u"chat_ids", Limits::forwardChatsMax);
    request.clientId = reader.optionalUuid(u"client_id");
    if (!reader.hasErrors()
        && request.messageIds.size() * request.chatIds.size() > Limits::forwardCopiesMax)
        reader.addError(u"message_ids",
            u"At most %1 copies (messages times chats) per request"_s.arg(Limits::forwardCopiesMax),
            u"too_many_copies"_s);
    return reader.result(std::move(request));
}

QJsonObject ForwardedMessages::toJson() const
{
    QJsonArray array;
    for (const Message &message : messages)
        array.append(message.toJson());
    return { { u"messages"_s, array } };
}

Parsed<ForwardedMessages> ForwardedMessages::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ForwardedMessages answer;
    answer.messages = readMessages(reader, u"messages");
    return reader.result(std::move(answer));
}

QJsonObject PinMessageRequest::toJson() const
{
    return { { u"message_id"_s, messageId } };
}

Parsed<PinMessageRequest> PinMessageRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    PinMessageRequest request;
    request.messageId = reader.uuid(u"message_id");
    return reader.result(std::move(request));
}

namespace {

const QString mutedUntilKey = u"muted_until"_s;
const QString pinnedKey = u"pinned"_s;
const QString archivedKey = u"archived"_s;
const QString markedUnreadKey = u"marked_unread"_s;

std::optional<bool> optionalBoolean(JsonReader &reader, const QJsonObject &json, QStringView key)
{
    if (!json.contains(key))
        return std::nullopt;
    return reader.boolean(key);
}

} // namespace

QJsonObject UpdateChatSettingsRequest::toJson() const
{
    QJsonObject json;
    if (mutedUntil)
        json.insert(mutedUntilKey, *mutedUntil ? QJsonValue(**mutedUntil) : QJsonValue());
    if (pinned)
        json.insert(pinnedKey, *pinned);
    if (archived)
        json.insert(archivedKey, *archived);
    if (markedUnread)
        json.insert(markedUnreadKey, *markedUnread);
    return json;
}

Parsed<UpdateChatSettingsRequest> UpdateChatSettingsRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    UpdateChatSettingsRequest request;
    if (json.contains(mutedUntilKey)) {
        const std::optional<qint64> until = reader.optionalInteger(mutedUntilKey);
        if (until && (*until < 0 || *until > Limits::chatMutedForever))
            reader.addError(mutedUntilKey,
                u"Input should be null or a Unix time from 0 to %1 (forever)"_s.arg(
                    Limits::chatMutedForever),
                u"value_error"_s);
        request.mutedUntil = until;
    }
    request.pinned = optionalBoolean(reader, json, pinnedKey);
    request.archived = optionalBoolean(reader, json, archivedKey);
    request.markedUnread = optionalBoolean(reader, json, markedUnreadKey);
    if (!reader.hasErrors() && !request.mutedUntil && !request.pinned && !request.archived
        && !request.markedUnread)
        reader.addError(mutedUntilKey,
            u"Give at least one of muted_until, pinned, archived, marked_unread"_s, u"missing"_s);
    return reader.result(std::move(request));
}

QJsonObject ReorderPinnedChatsRequest::toJson() const
{
    return { { u"chat_ids"_s, QJsonArray::fromStringList(chatIds) } };
}

Parsed<ReorderPinnedChatsRequest> ReorderPinnedChatsRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ReorderPinnedChatsRequest request;
    request.chatIds = distinctIds(reader, json, u"chat_ids", Limits::pinnedChatsMax, 0);
    return reader.result(std::move(request));
}

QJsonObject MarkReadRequest::toJson() const
{
    return { { u"message_id"_s, messageId } };
}

Parsed<MarkReadRequest> MarkReadRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MarkReadRequest request;
    request.messageId = reader.uuid(u"message_id");
    return reader.result(std::move(request));
}

QJsonObject HistoryPage::toJson() const
{
    return JsonWriter::toObject(*this);
}

void HistoryPage::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("messages"_L1, messages)
        .field("total"_L1, total)
        .field("has_more"_L1, hasMore)
        .endObject();
}

Parsed<HistoryPage> HistoryPage::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    HistoryPage page;
    const QJsonArray array = reader.array(u"messages");
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList messageLocation = reader.location(u"messages");
        messageLocation.append(QString::number(i));
        auto message = Message::fromJson(array.at(i).toObject(), messageLocation);
        if (message)
            page.messages.append(std::move(message).value());
        else
            reader.addErrors(message.errors());
    }
    page.total = reader.integer(u"total");
    page.hasMore = json.value(u"has_more").toBool(false);
    return reader.result(std::move(page));
}

QJsonObject ReadState::toJson() const
{
    return { { u"chat_id"_s, chatId }, { u"message_id"_s, messageId },
        { u"last_read_seq"_s, lastReadSeq }, { u"unread_count"_s, unreadCount } };
}

Parsed<ReadState> ReadState::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ReadState state;
    state.chatId = reader.uuid(u"chat_id");
    state.messageId = reader.uuid(u"message_id");
    state.lastReadSeq = reader.integer(u"last_read_seq");
    state.unreadCount = reader.integer(u"unread_count");
    return reader.result(std::move(state));
}

QJsonObject MessageReadAnswer::toJson() const
{
    return { { u"message_id"_s, messageId }, { u"is_read"_s, isRead } };
}

Parsed<MessageReadAnswer> MessageReadAnswer::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MessageReadAnswer answer;
    answer.messageId = reader.uuid(u"message_id");
    answer.isRead = reader.boolean(u"is_read");
    return reader.result(std::move(answer));
}

} // namespace Messenger
