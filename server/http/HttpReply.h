#pragma once

#include "core/ApiError.h"

#include "shared/JsonWriter.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <optional>

namespace Messenger::Server {

// A finished HTTP answer, built on any thread (JSON is serialised on the
// worker) and written to the socket by the event-loop thread.
struct HttpReply
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QList<QPair<QByteArray, QByteArray>> headers;

    // An answer whose body is `length` bytes of a stored file from `offset`,
    // streamed to the client as it reads (DownloadStream); `body` is unused.
    // With headOnly (HEAD), only the head with the body's length.
    struct FileBody
    {
        QString contentKey;
        qint64 offset = 0;
        qint64 length = 0;
        bool headOnly = false;
        QString userId; // whose download it is: the per-user limit
    };
    std::optional<FileBody> file;
    // What the request committed reached the event feed already (sends do,
    // through SendQueue); otherwise a change answered 2xx is a commit notice.
    bool feedTold = false;

    static HttpReply json(const QJsonObject &object, int status = 200);
    static HttpReply json(const QJsonArray &array, int status = 200);
    // A body JsonWriter wrote.
    static HttpReply jsonText(QByteArray body, int status = 200);
    static HttpReply noContent();
    static HttpReply error(const ApiError &error);
};

// An answer's head, for writing straight to the socket (a file's body that
// follows as it is read, a HEAD answer that has none): the status line, then
// Content-Type and Content-Length unless `length` is nullopt (a 304), then
// `headers`, then the blank line.
QByteArray responseHead(int status, const QByteArray &contentType, std::optional<qint64> length,
    const QList<QPair<QByteArray, QByteArray>> &headers);

namespace detail {
// A DTO that writes its own JSON, or a list of them.
template <typename T> constexpr bool writesJson = WritesJson<T>;
template <typename T> constexpr bool writesJson<QList<T>> = WritesJson<T>;

template <typename T> QJsonValue toJsonValue(const T &value)
{
    return value.toJson();
}
template <typename T> QJsonValue toJsonValue(const QList<T> &values)
{
    QJsonArray array;
    for (const T &value : values)
        array.append(value.toJson());
    return array;
}
inline QJsonValue toJsonValue(const QJsonObject &object)
{
    return object;
}
} // namespace detail

// A service result as an HTTP answer: the value's JSON with `status`, Empty as
// 204, an error as its status with {"detail", "code"}.
template <typename T> HttpReply toReply(const Result<T> &result, int status = 200)
{
    if (!result)
        return HttpReply::error(result.error());
    if constexpr (std::is_same_v<T, Empty>) {
        return HttpReply::noContent();
    } else if constexpr (detail::writesJson<T>) {
        JsonWriter writer;
        writer.write(result.value());
        return HttpReply::jsonText(writer.take(), status);
    } else {
        const QJsonValue value = detail::toJsonValue(result.value());
        return value.isArray() ? HttpReply::json(value.toArray(), status)
                               : HttpReply::json(value.toObject(), status);
    }
}

} // namespace Messenger::Server
