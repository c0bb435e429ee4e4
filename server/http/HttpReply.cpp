#include "HttpReply.h"

#include "shared/ErrorBody.h"

namespace Messenger::Server {

HttpReply HttpReply::json(const QJsonObject &object, int status)
{
    return { status, QJsonDocument(object).toJson(QJsonDocument::Compact), "application/json", {},
        {} };
}

HttpReply HttpReply::json(const QJsonArray &array, int status)
{
    return { status, QJsonDocument(array).toJson(QJsonDocument::Compact), "application/json", {},
        {} };
}

HttpReply HttpReply::noContent()
{
    return { 204, {}, {}, {}, {} };
}

HttpReply HttpReply::error(const ApiError &error)
{
    HttpReply reply
        = json(ErrorBody { error.detail, error.code, error.fieldErrors }.toJson(), error.status);
    if (error.status == 401)
        reply.headers.append(
            qMakePair(QByteArrayLiteral("WWW-Authenticate"), QByteArrayLiteral("Bearer")));
    if (error.retryAfterSeconds > 0)
        reply.headers.append(qMakePair(
            QByteArrayLiteral("Retry-After"), QByteArray::number(error.retryAfterSeconds)));
    return reply;
}

} // namespace Messenger::Server
