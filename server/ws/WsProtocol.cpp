#include "WsProtocol.h"

#include "shared/Json.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server::WsProtocol {

namespace {

// A socket's validation error is one line: "loc: msg; loc: msg".
ApiError invalid(const QList<FieldError> &errors)
{
    QStringList parts;
    for (const FieldError &error : errors)
        parts.append(error.loc.join(u'.') + u": "_s + error.msg);
    ApiError error = ApiError::validation(errors);
    error.detail = parts.join(u"; "_s);
    return error;
}

} // namespace

Frame parse(const QByteArray &frame, const QString &chatSocketId)
{
    QJsonParseError parseError;
    const QJsonDocument document = parseJson(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return { std::nullopt,
            ApiError::badRequest(u"malformed_json"_s, u"Frames must be JSON objects"_s) };
    const QJsonObject object = document.object();
    const std::optional<QString> clientId = ClientCommand::lenientClientId(object);
    Parsed<ClientCommand> command = ClientCommand::fromJson(object, chatSocketId);
    if (!command)
        return { clientId, invalid(command.errors()) };
    return { clientId, std::move(command).value() };
}

} // namespace Messenger::Server::WsProtocol
