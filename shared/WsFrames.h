#pragma once

#include "Events.h"
#include "Requests.h"

#include <variant>

// The WebSocket frames other than events (Events.h), both ways. Each DTO's
// toJson() is the whole frame, `type` included; fromJson() checks it.
namespace Messenger {

// → {"type": "send", "chat_id", "text", "client_id"?}. On the original API's
// socket /ws/{chat_id}: {"text", "client_id"?}, the chat taken from the path.
struct SendCommand
{
    SendMessageRequest request;

    QJsonObject toJson() const;
    static Parsed<SendCommand> fromJson(const QJsonObject &json, const QStringList &location = {});
    // A frame of /ws/{chatId}.
    static Parsed<SendCommand> fromChatSocketJson(
        const QJsonObject &json, const QString &chatId, const QStringList &location = {});
    bool operator==(const SendCommand &) const = default;
};

// → {"type": "typing", "chat_id", "client_id"?}
struct TypingCommand
{
    QString chatId;
    std::optional<QString> clientId;

    QJsonObject toJson() const;
    static Parsed<TypingCommand> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const TypingCommand &) const = default;
};

// → {"type": "read", "chat_id", "message_id", "client_id"?}
struct ReadCommand
{
    QString chatId;
    QString messageId;
    std::optional<QString> clientId;

    QJsonObject toJson() const;
    static Parsed<ReadCommand> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ReadCommand &) const = default;
};

// → {"type": "ping"}, answered by Pong.
struct PingCommand
{
    QJsonObject toJson() const;
    static Parsed<PingCommand> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const PingCommand &) const = default;
};

// → {"type": "auth", "token"}: a fresh access token of the socket's session.
struct AuthCommand
{
    QString token;

    QJsonObject toJson() const;
    static Parsed<AuthCommand> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const AuthCommand &) const = default;
};

// Any command a client sends, told apart by `type` (on /ws/{chat_id} every
// frame but `auth` is a send).
struct ClientCommand
{
    std::variant<SendCommand, TypingCommand, ReadCommand, PingCommand, AuthCommand> command;

    // Reads `client_id` alone, before anything else is checked, so that an
    // error about a command can name the command it answers: the string as
    // sent (canonical when it is a UUID), or nullopt when there is none or it
    // is not a short string.
    static std::optional<QString> lenientClientId(const QJsonObject &json);
    QJsonObject toJson() const;
    static Parsed<ClientCommand> fromJson(const QJsonObject &json, const QString &chatSocketId = {},
        const QStringList &location = {});
    bool operator==(const ClientCommand &) const = default;
};

// ← {"status": "connected", "user_id", "chat_id"?, "seq"}: the socket is open.
// `seq` is where its live stream starts: it receives exactly the events with
// a greater seq (after the replay of (since_seq, seq] when it resumed).
struct Greeting
{
    QString userId;
    std::optional<QString> chatId; // /ws/{chat_id} only
    qint64 seq = 0;

    QJsonObject toJson() const;
    static Parsed<Greeting> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Greeting &) const = default;
};

// ← {"type": "ack", "client_id", "data": Message}: a send is stored.
struct Ack
{
    std::optional<QString> clientId;
    Message message;

    QJsonObject toJson() const;
    static Parsed<Ack> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Ack &) const = default;
};

// ← {"type": "error", "detail", "code", "client_id"?, "retry_after"?}. `code`
// is one of the REST error codes; `client_id` is the one of the command it
// answers, when that had one; `retry_after` (seconds) when a rate limit
// refused a send: send it again then.
struct ErrorFrame
{
    QString detail;
    QString code;
    std::optional<QString> clientId;
    int retryAfterSeconds = 0;

    QJsonObject toJson() const;
    static Parsed<ErrorFrame> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ErrorFrame &) const = default;
};

// ← {"type": "pong"}
struct Pong
{
    QJsonObject toJson() const;
    static Parsed<Pong> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Pong &) const = default;
};

// ← {"type": "authenticated", "expires_in"}: the socket lasts that many seconds more.
struct Authenticated
{
    qint64 expiresIn = 0;

    QJsonObject toJson() const;
    static Parsed<Authenticated> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Authenticated &) const = default;
};

// ← {"error": "..."}: the original API's error frame, also the refusal of a
// connection (the close follows).
struct Refusal
{
    QString error;

    QJsonObject toJson() const;
    static Parsed<Refusal> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Refusal &) const = default;
};

// What a frame from the server is, before it is parsed as that.
enum class ServerFrameKind { Greeting, Refusal, Ack, Error, Pong, Authenticated, Event };
ServerFrameKind serverFrameKind(const QJsonObject &frame);

// A frame as sent: compact JSON.
QByteArray compactJson(const QJsonObject &object);

} // namespace Messenger
