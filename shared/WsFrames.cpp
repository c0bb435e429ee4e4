#include "WsFrames.h"

#include "WsEvents.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Messenger {

namespace {

const QString typeKey = u"type"_s;
const QString clientIdKey = u"client_id"_s;

// Longer client_ids are not echoed: an error frame is not a mirror.
constexpr qsizetype clientIdEchoMax = 64;

QJsonObject typed(QStringView type, QJsonObject json = {})
{
    json.insert(typeKey, type.toString());
    return json;
}

void insertOptional(QJsonObject &json, const QString &key, const std::optional<QString> &value)
{
    if (value)
        json.insert(key, *value);
}

} // namespace

QJsonObject SendCommand::toJson() const
{
    return typed(WsEvents::send, request.toJson());
}

Parsed<SendCommand> SendCommand::fromJson(const QJsonObject &json, const QStringList &location)
{
    Parsed<SendMessageRequest> request = SendMessageRequest::fromJson(json, location);
    if (!request)
        return request.errors();
    return SendCommand { std::move(request).value() };
}

Parsed<SendCommand> SendCommand::fromChatSocketJson(
    const QJsonObject &json, const QString &chatId, const QStringList &location)
{
    QJsonObject withChat = json;
    withChat.insert(u"chat_id"_s, chatId);
    return fromJson(withChat, location);
}

QJsonObject TypingCommand::toJson() const
{
    QJsonObject json = typed(WsEvents::typing, { { u"chat_id"_s, chatId } });
    insertOptional(json, clientIdKey, clientId);
    return json;
}

Parsed<TypingCommand> TypingCommand::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    TypingCommand command;
    command.chatId = reader.uuid(u"chat_id");
    command.clientId = reader.optionalUuid(clientIdKey);
    return reader.result(std::move(command));
}

QJsonObject ReadCommand::toJson() const
{
    QJsonObject json
        = typed(WsEvents::read, { { u"chat_id"_s, chatId }, { u"message_id"_s, messageId } });
    insertOptional(json, clientIdKey, clientId);
    return json;
}

Parsed<ReadCommand> ReadCommand::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ReadCommand command;
    command.chatId = reader.uuid(u"chat_id");
    command.messageId = reader.uuid(u"message_id");
    command.clientId = reader.optionalUuid(clientIdKey);
    return reader.result(std::move(command));
}

QJsonObject PingCommand::toJson() const
{
    return typed(WsEvents::ping);
}

Parsed<PingCommand> PingCommand::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    reader.literal(typeKey, WsEvents::ping, true);
    return reader.result(PingCommand {});
}

QJsonObject AuthCommand::toJson() const
{
    return typed(WsEvents::auth, { { u"token"_s, token } });
}

Parsed<AuthCommand> AuthCommand::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    AuthCommand command;
    command.token = reader.string(u"token", 1, 4096);
    return reader.result(std::move(command));
}

std::optional<QString> ClientCommand::lenientClientId(const QJsonObject &json)
{
    const QJsonValue value = json.value(clientIdKey);
    if (!value.isString() || value.toString().isEmpty()
        || value.toString().size() > clientIdEchoMax)
        return std::nullopt;
    return canonicalUuid(value.toString()).value_or(value.toString());
}

QJsonObject ClientCommand::toJson() const
{
    return std::visit([](const auto &each) { return each.toJson(); }, command);
}

namespace {

template <typename Command> Parsed<ClientCommand> wrap(Parsed<Command> parsed)
{
    if (!parsed)
        return parsed.errors();
    return ClientCommand { std::move(parsed).value() };
}

} // namespace

Parsed<ClientCommand> ClientCommand::fromJson(
    const QJsonObject &json, const QString &chatSocketId, const QStringList &location)
{
    const QString type = json.value(typeKey).toString();
    if (type == WsEvents::auth)
        return wrap(AuthCommand::fromJson(json, location));
    if (!chatSocketId.isEmpty())
        return wrap(SendCommand::fromChatSocketJson(json, chatSocketId, location));
    if (type == WsEvents::send)
        return wrap(SendCommand::fromJson(json, location));
    if (type == WsEvents::typing)
        return wrap(TypingCommand::fromJson(json, location));
    if (type == WsEvents::read)
        return wrap(ReadCommand::fromJson(json, location));
    if (type == WsEvents::ping)
        return wrap(PingCommand::fromJson(json, location));
    JsonReader reader(json, location);
    reader.addError(typeKey, u"Input should be 'send', 'typing', 'read', 'ping' or 'auth'"_s,
        u"literal_error"_s);
    return reader.errors();
}

QJsonObject Greeting::toJson() const
{
    QJsonObject json { { u"status"_s, u"connected"_s }, { u"user_id"_s, userId },
        { u"seq"_s, seq } };
    insertOptional(json, u"chat_id"_s, chatId);
    return json;
}

Parsed<Greeting> Greeting::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Greeting greeting;
    reader.literal(u"status", u"connected", true);
    greeting.userId = reader.uuid(u"user_id");
    greeting.chatId = reader.optionalUuid(u"chat_id");
    greeting.seq = reader.integer(u"seq");
    return reader.result(std::move(greeting));
}

QJsonObject Ack::toJson() const
{
    return typed(WsEvents::ack,
        { { clientIdKey, optionalToJson(clientId) },
            { Event::dataKey.toString(), message.toJson() } });
}

Parsed<Ack> Ack::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Ack ack;
    reader.literal(typeKey, WsEvents::ack, true);
    ack.clientId = reader.optionalUuid(clientIdKey);
    ack.message = reader.nested<Message>(Event::dataKey).value_or(Message());
    return reader.result(std::move(ack));
}

QJsonObject ErrorFrame::toJson() const
{
    QJsonObject json = typed(WsEvents::error, { { u"detail"_s, detail }, { u"code"_s, code } });
    insertOptional(json, clientIdKey, clientId);
    if (retryAfterSeconds > 0)
        json.insert(u"retry_after"_s, retryAfterSeconds);
    return json;
}

Parsed<ErrorFrame> ErrorFrame::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ErrorFrame error;
    reader.literal(typeKey, WsEvents::error, true);
    error.detail = reader.string(u"detail");
    error.code = reader.string(u"code", 1);
    // Echoed as the command sent it, so not necessarily a UUID.
    error.clientId = reader.optionalString(clientIdKey);
    error.retryAfterSeconds = int(std::clamp<qint64>(
        reader.optionalInteger(u"retry_after").value_or(0), 0, std::numeric_limits<int>::max()));
    return reader.result(std::move(error));
}

QJsonObject Pong::toJson() const
{
    return typed(WsEvents::pong);
}

Parsed<Pong> Pong::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    reader.literal(typeKey, WsEvents::pong, true);
    return reader.result(Pong {});
}

QJsonObject Authenticated::toJson() const
{
    return typed(WsEvents::authenticated, { { u"expires_in"_s, expiresIn } });
}

Parsed<Authenticated> Authenticated::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Authenticated authenticated;
    reader.literal(typeKey, WsEvents::authenticated, true);
    authenticated.expiresIn = reader.integer(u"expires_in");
    return reader.result(std::move(authenticated));
}

QJsonObject Refusal::toJson() const
{
    return { { u"error"_s, error } };
}

Parsed<Refusal> Refusal::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    Refusal refusal;
    refusal.error = reader.string(u"error");
    return reader.result(std::move(refusal));
}

ServerFrameKind serverFrameKind(const QJsonObject &frame)
{
    if (frame.contains(u"status"))
        return ServerFrameKind::Greeting;
    const QJsonValue type = frame.value(typeKey);
    if (type.isUndefined() && frame.contains(u"error"))
        return ServerFrameKind::Refusal;
    const QString name = type.toString();
    if (name == WsEvents::ack)
        return ServerFrameKind::Ack;
    if (name == WsEvents::error)
        return ServerFrameKind::Error;
    if (name == WsEvents::pong)
        return ServerFrameKind::Pong;
    if (name == WsEvents::authenticated)
        return ServerFrameKind::Authenticated;
    return ServerFrameKind::Event;
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace Messenger
