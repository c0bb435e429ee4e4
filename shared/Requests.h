#pragma once

#include "Chat.h"

namespace Messenger {

// {"type": "personal", "member_ids": [other_user_id]}
struct CreatePersonalChatRequest
{
    QString otherUserId;

    QJsonObject toJson() const;
    static Parsed<CreatePersonalChatRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());

    static constexpr QStringView memberIdsKey = u"member_ids";
};

// {"name", "type": "group", "member_ids": [...]}; the creator is added anyway.
struct CreateGroupChatRequest
{
    QString name;
    QStringList memberIds;

    QJsonObject toJson() const;
    static Parsed<CreateGroupChatRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());

    static constexpr QStringView memberIdsKey = u"member_ids";
};

struct SendMessageRequest
{
    QString chatId;
    QString text;
    std::optional<QString> clientId;
    // The message this one answers: one of the same chat, not deleted.
    std::optional<QString> replyToId = {};
    // The members the text mentions (the composer's completions): ids of
    // the chat's members, distinct; others are dropped by the server.
    QStringList mentions = {};
    // `attachment_ids`: the caller's complete uploads the message carries, in
    // this order; with any, the text may be empty (a caption).
    QStringList attachmentIds = {};

    QJsonObject toJson() const;
    static Parsed<SendMessageRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
    bool operator==(const SendMessageRequest &) const = default;
};

struct EditMessageRequest
{
    QString text;

    QJsonObject toJson() const;
    static Parsed<EditMessageRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

struct RenameChatRequest
{
    QString name;

    QJsonObject toJson() const;
    static Parsed<RenameChatRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

struct AddMembersRequest
{
    QStringList userIds;

    QJsonObject toJson() const;
    static Parsed<AddMembersRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// POST /chats/messages/forward: copies of messages (each of a chat the caller
// is in) into chats the caller is in. No duplicates in either list, and at
// most Limits::forwardCopiesMax copies (messages x chats). With a client_id a
// retry stores nothing new and answers the same copies.
struct ForwardMessagesRequest
{
    QStringList messageIds;
    QStringList chatIds;
    std::optional<QString> clientId;

    QJsonObject toJson() const;
    static Parsed<ForwardMessagesRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
    bool operator==(const ForwardMessagesRequest &) const = default;
};

// The answer to a forward: the copies, chat by chat in the order the request
// named them, each chat's copies in the originals' order (by seq).
struct ForwardedMessages
{
    QList<Message> messages;

    QJsonObject toJson() const;
    static Parsed<ForwardedMessages> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

// PUT /chats/{id}/pin.
struct PinMessageRequest
{
    QString messageId;

    QJsonObject toJson() const;
    static Parsed<PinMessageRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// PATCH /chats/{id}/settings: any of the fields, at least one. `muted_until`
// null unmutes, a Unix time mutes until then (Limits::chatMutedForever:
// forever); `pinned` true appends the chat to the pinned ones (at most
// Limits::pinnedChatsMax), false unpins.
struct UpdateChatSettingsRequest
{
    std::optional<std::optional<qint64>> mutedUntil; // outer: present, inner: null
    std::optional<bool> pinned;
    std::optional<bool> archived;
    std::optional<bool> markedUnread;

    QJsonObject toJson() const;
    static Parsed<UpdateChatSettingsRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// PUT /chats/pinned: the caller's pinned chats in their new order, exactly
// the ones pinned now.
struct ReorderPinnedChatsRequest
{
    QStringList chatIds;

    QJsonObject toJson() const;
    static Parsed<ReorderPinnedChatsRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

struct MarkReadRequest
{
    QString messageId;

    QJsonObject toJson() const;
    static Parsed<MarkReadRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// GET /chats/{id}/history: newest first; `total` counts every message of the chat.
struct HistoryPage
{
    QList<Message> messages;
    qint64 total = 0;
    bool hasMore = false;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<HistoryPage> fromJson(const QJsonObject &json, const QStringList &location = {});
};

// The caller's read cursor in one chat, after moving it.
struct ReadState
{
    QString chatId;
    QString messageId;
    qint64 lastReadSeq = 0;
    qint64 unreadCount = 0;

    QJsonObject toJson() const;
    static Parsed<ReadState> fromJson(const QJsonObject &json, const QStringList &location = {});
};

// POST /chats/messages/{id}/read answers {"message_id", "is_read": true}.
struct MessageReadAnswer
{
    QString messageId;
    bool isRead = true;

    QJsonObject toJson() const;
    static Parsed<MessageReadAnswer> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger
