#pragma once

#include "services/ApiError.h"
#include "shared/Message.h"

#include <QByteArray>

namespace Messenger::Server::WsProtocol {

// A command a client sent over a socket, validated. On /ws/{chat_id} (the
// seed's socket) the only command is {"text": ..., "client_id"?}, a Send to
// that chat. On /ws/user: {"type": "send"|"typing"|"read"|"ping", ...}. Both
// accept {"type": "auth", "token"}, which extends the socket's life.
struct Command
{
    enum class Type { Send, Typing, Read, Ping, Auth };
    Type type = Type::Ping;
    QString chatId;
    QString text;
    std::optional<QString> clientId;
    QString messageId;
    QString token; // Auth: a fresh access token of the socket's session
};

// Never throws, never crashes: any input gives a Command or a 4xx-style error
// whose detail is safe to send back.
Result<Command> parse(const QByteArray &frame, const QString &chatSocketId = {});

QByteArray greeting(const QString &userId, const QString &chatId = {});
QByteArray ack(const std::optional<QString> &clientId, const Message &message);
// With retry_after (seconds) when a rate limit refused a send: send it again then.
QByteArray error(
    const QString &detail, const std::optional<QString> &clientId = {}, int retryAfterSeconds = 0);
// The seed's error frame: {"error": "..."}.
QByteArray seedError(const QString &detail);
QByteArray pong();
// The answer to `auth`: the socket now lasts `expiresIn` seconds more.
QByteArray authenticated(qint64 expiresIn);
QByteArray typing(const QString &chatId, const QString &userId, const QString &name);

} // namespace Messenger::Server::WsProtocol
