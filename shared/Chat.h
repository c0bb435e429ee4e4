#pragma once

#include "Message.h"

namespace Messenger {

enum class ChatType { Personal, Group };
QString chatTypeName(ChatType type);
std::optional<ChatType> chatTypeFromName(QStringView name);

// What a chat shows of its pinned message, as it is now: its sender's current
// name and the start of its current text (ReplyPreview::cut). Deleting the
// message unpins it, so a pinned message is never a tombstone.
struct PinnedMessage
{
    QString id;
    qint64 seq = 0; // where it is (history's around_seq)
    QString senderId;
    QString senderName;
    QString text;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<PinnedMessage> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    static QJsonValue optionalToJson(const std::optional<PinnedMessage> &pinned);
    // `pinned_message` of `json`: absent (an older server) and null read as none.
    static std::optional<PinnedMessage> read(JsonReader &reader, const QJsonObject &json);
    bool operator==(const PinnedMessage &) const = default;
};

// The caller's own settings of a chat (issue 16): nobody else sees them. A
// chat is muted while `mutedUntil` (Unix seconds) is in the future; "forever"
// is Limits::chatMutedForever, the end of year 9999, so that a client that
// only compares it with the clock reads it right. The server answers an
// expired mute as none. Pinned chats carry their position (ascending, gaps
// allowed): clients list them first, in that order, the rest by activity.
struct ChatSettings
{
    std::optional<qint64> mutedUntil;
    std::optional<qint64> pinnedPosition;
    bool archived = false;
    bool markedUnread = false;

    bool isMuted(qint64 nowSeconds) const { return mutedUntil && *mutedUntil > nowSeconds; }
    bool isMutedNow() const;
    bool isPinned() const { return pinnedPosition.has_value(); }

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<ChatSettings> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ChatSettings &) const = default;
};

struct Chat
{
    QString id;
    std::optional<QString> name; // null for personal chats
    ChatType type = ChatType::Personal;
    QList<User> members;
    std::optional<QString> createdBy; // the group's owner; null for personal chats
    qint64 createdAt = 0;
    std::optional<PinnedMessage> pinnedMessage; // `pinned_message`: null when none
    // The caller's settings: in answers to the caller (the chat lists and
    // GET /chats/{id}), absent from what every member is sent alike.
    std::optional<ChatSettings> settings;
    // `avatar_url`: a group's photo (as User::avatarUrl); null when it has
    // none, and always for personal chats (they show the other member's).
    std::optional<QString> avatarUrl = std::nullopt;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    // The members of write()'s object, for a ChatSummary that extends it.
    void writeFields(JsonWriter &writer) const;
    static Parsed<Chat> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Chat &) const = default;
};

// A chat-list row: the chat with its newest message and the caller's unread count.
struct ChatSummary
{
    Chat chat;
    std::optional<LastMessage> lastMessage;
    qint64 unreadCount = 0;
    qint64 lastReadSeq = 0;
    // Unread messages that mention the caller (`unread_mentions`).
    qint64 unreadMentions = 0;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<ChatSummary> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ChatSummary &) const = default;
};

// The `members_added` event: who joined a group, not the whole chat (a
// 1,000-member group's chat is about 106 KB, sent to every member). A member
// who does not know the chat yet (one just added) fetches it.
struct MembersAdded
{
    QString chatId;
    QList<User> members;

    QJsonObject toJson() const;
    static Parsed<MembersAdded> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const MembersAdded &) const = default;
};

// The `chat_renamed` event: a group's new name.
struct ChatRenamed
{
    QString chatId;
    QString name;

    QJsonObject toJson() const;
    static Parsed<ChatRenamed> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ChatRenamed &) const = default;
};

// The `chat_updated` event: a group's photo changed (`avatarUrl` null: removed).
struct ChatUpdated
{
    QString chatId;
    std::optional<QString> avatarUrl;

    QJsonObject toJson() const;
    static Parsed<ChatUpdated> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ChatUpdated &) const = default;
};

// The `chat_pinned` event: `userId` pinned a message of the chat, or unpinned
// it (`pinnedMessage` null; also when the pinned message was deleted).
struct ChatPinned
{
    QString chatId;
    std::optional<PinnedMessage> pinnedMessage;
    QString userId;

    QJsonObject toJson() const;
    static Parsed<ChatPinned> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ChatPinned &) const = default;
};

// The `chat_settings` event, to the user's own devices only: the settings of
// one chat changed (from another device, or a new message unarchived it, or
// reading it cleared `marked_unread`).
struct ChatSettingsChanged
{
    QString chatId;
    ChatSettings settings;

    QJsonObject toJson() const;
    static Parsed<ChatSettingsChanged> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ChatSettingsChanged &) const = default;
};

} // namespace Messenger
