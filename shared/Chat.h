#pragma once

#include "Message.h"

namespace Messenger {

enum class ChatType { Personal, Group };
QString chatTypeName(ChatType type);
std::optional<ChatType> chatTypeFromName(QStringView name);

struct Chat
{
    QString id;
    std::optional<QString> name; // null for personal chats
    ChatType type = ChatType::Personal;
    QList<User> members;
    std::optional<QString> createdBy; // the group's owner; null for personal chats
    qint64 createdAt = 0;

    QJsonObject toJson() const;
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

    QJsonObject toJson() const;
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

} // namespace Messenger
