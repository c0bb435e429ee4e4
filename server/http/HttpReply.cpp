#include "HttpReply.h"

#include "shared/ErrorBody.h"

#include <QHash>

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

HttpReply HttpReply::jsonText(QByteArray body, int status)
{
    return { status, std::move(body), "application/json", {}, {} };
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

QByteArray responseHead(int status, const QByteArray &contentType, std::optional<qint64> length,
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    // The reason phrase is for people reading the wire; clients go by the code.
    static const QHash<int, QByteArray> reasons { { 200, "OK" }, { 201, "Created" },
        { 204, "No Content" }, { 206, "Partial Content" }, { 304, "Not Modified" },
        { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
        { 409, "Conflict" }, { 412, "Precondition Failed" }, { 413, "Content Too Large" },
        { 415, "Unsupported Media Type" }, { 416, "Range Not Satisfiable" },
        { 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
        { 500, "Internal Server Error" }, { 503, "Service Unavailable" } };
    QByteArray head
        = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasons.value(status) + "\r\n";
    if (length) {
        if (!contentType.isEmpty())
            head += "Content-Type: " + contentType + "\r\n";
        head += "Content-Length: " + QByteArray::number(*length) + "\r\n";
    }
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    return head + "\r\n";
}

} // namespace Messenger::Server
