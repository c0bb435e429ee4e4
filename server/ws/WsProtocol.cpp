#include "WsProtocol.h"

#include "shared/Json.h"
#include "shared/Limits.h"
#include "shared/WsEvents.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Messenger::Server::WsProtocol {

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

ApiError invalid(const QList<FieldError> &errors)
{
    QStringList parts;
    for (const FieldError &error : errors)
        parts.append(error.loc.join(u'.') + u": "_s + error.msg);
    return ApiError { 422, u"validation_error"_s, parts.join(u"; "_s), errors };
}

} // namespace

Result<Command> parse(const QByteArray &frame, const QString &chatSocketId)
{
    QJsonParseError parseError;
    const QJsonDocument document = parseJson(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return ApiError::badRequest(u"malformed_frame"_s, u"Frames must be JSON objects"_s);
    const QJsonObject object = document.object();
    JsonReader reader(object);
    Command command;
    const QString type = object.value(u"type").toString();
    if (type == WsEvents::auth) {
        command.type = Command::Type::Auth;
        command.token = reader.string(u"token", 1, 4096);
        return reader.hasErrors() ? Result<Command>(invalid(reader.errors()))
                                  : Result<Command>(command);
    }
    if (!chatSocketId.isEmpty()) {
        command.type = Command::Type::Send;
        command.chatId = chatSocketId;
        command.text = reader.string(u"text", 1, Limits::messageTextMax, true);
        command.clientId = reader.optionalUuid(u"client_id");
        return reader.hasErrors() ? Result<Command>(invalid(reader.errors()))
                                  : Result<Command>(command);
    }
    if (type == WsEvents::send) {
        command.type = Command::Type::Send;
        command.chatId = reader.uuid(u"chat_id");
        command.text = reader.string(u"text", 1, Limits::messageTextMax, true);
        command.clientId = reader.optionalUuid(u"client_id");
    } else if (type == WsEvents::typing) {
        command.type = Command::Type::Typing;
        command.chatId = reader.uuid(u"chat_id");
    } else if (type == WsEvents::read) {
        command.type = Command::Type::Read;
        command.chatId = reader.uuid(u"chat_id");
        command.messageId = reader.uuid(u"message_id");
    } else if (type == WsEvents::ping) {
        command.type = Command::Type::Ping;
    } else {
        return ApiError::badRequest(
            u"unknown_command"_s, u"Unknown type; expected send, typing, read, ping or auth"_s);
    }
    if (reader.hasErrors())
        return invalid(reader.errors());
    return command;
}

QByteArray greeting(const QString &userId, const QString &chatId)
{
    QJsonObject object { { u"status"_s, u"connected"_s }, { u"user_id"_s, userId } };
    if (!chatId.isEmpty())
        object.insert(u"chat_id"_s, chatId);
    return compact(object);
}

QByteArray ack(const std::optional<QString> &clientId, const Message &message)
{
    return compact({ { u"type"_s, WsEvents::ack.toString() },
        { u"client_id"_s, optionalToJson(clientId) }, { u"data"_s, message.toJson() } });
}

QByteArray error(
    const QString &detail, const std::optional<QString> &clientId, int retryAfterSeconds)
{
    QJsonObject object { { u"type"_s, WsEvents::error.toString() }, { u"detail"_s, detail } };
    if (clientId)
        object.insert(u"client_id"_s, *clientId);
    if (retryAfterSeconds > 0)
        object.insert(u"retry_after"_s, retryAfterSeconds);
    return compact(object);
}

QByteArray seedError(const QString &detail)
{
    return compact({ { u"error"_s, detail } });
}

QByteArray pong()
{
    return compact({ { u"type"_s, WsEvents::pong.toString() } });
}

QByteArray authenticated(qint64 expiresIn)
{
    return compact(
        { { u"type"_s, WsEvents::authenticated.toString() }, { u"expires_in"_s, expiresIn } });
}

QByteArray typing(const QString &chatId, const QString &userId, const QString &name)
{
    return compact({ { u"type"_s, WsEvents::typing.toString() },
        { u"data"_s,
            QJsonObject {
                { u"chat_id"_s, chatId }, { u"user_id"_s, userId }, { u"name"_s, name } } } });
}

} // namespace Messenger::Server::WsProtocol
