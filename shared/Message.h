#pragma once

#include "User.h"

namespace Messenger {

// A message as history and sends return it. `seq` is the server-wide order of
// record; `chat_seq` counts 1, 2, 3... within the chat with no gaps.
struct Message
{
    QString id;
    QString chatId;
    QString senderId;
    User sender;
    QString text;
    qint64 timestamp = 0; // microseconds since the epoch, UTC
    bool isRead = false;
    qint64 seq = 0;
    qint64 chatSeq = 0;
    std::optional<QString> clientId;
    std::optional<qint64> editedAt;
    bool deleted = false;

    QJsonObject toJson() const;
    static Parsed<Message> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Message &) const = default;
};

// The preview of a chat's newest message in the chat list.
struct LastMessage
{
    QString id;
    QString senderId;
    QString senderName;
    QString text;
    qint64 timestamp = 0;
    bool isRead = false;
    qint64 seq = 0;
    qint64 chatSeq = 0;
    bool deleted = false;

    static LastMessage fromMessage(const Message &message);
    QJsonObject toJson() const;
    static Parsed<LastMessage> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const LastMessage &) const = default;
};

} // namespace Messenger
