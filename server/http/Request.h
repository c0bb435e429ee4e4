#pragma once

#include "core/ApiError.h"
#include "security/TrustedProxies.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QStringList>
#include <QUrlQuery>

class QHttpServerRequest;

namespace Messenger::Server {

// What an answered request's log line and its count in /metrics need: small,
// it travels with the answer.
struct RequestTrace
{
    QByteArray method;
    QString path;
    QString route; // as OpenAPI names it, or "unmatched"
    QString client;
    QString userId;
    QString requestId;
    QElapsedTimer timer;

    static RequestTrace of(const QHttpServerRequest &request, const QString &route,
        const TrustedProxies &proxies = {});
    // The X-Request-Id header, for every answer.
    QPair<QByteArray, QByteArray> header() const;
    // Writes the request's log line and counts it in /metrics: `status` and
    // the answer's body size.
    void finish(int status, qint64 bytes) const;
};

// The X-Request-Id a client sent, if it is acceptable (printable ASCII, at
// most 128 characters), else a new UUID.
QString requestIdOf(const QHttpServerRequest &request);

// The label of requests no route matched: a bounded label whatever clients send.
inline const QString unmatchedRoute = QStringLiteral("unmatched");

// What a handler needs of an HTTP request, copied off QHttpServerRequest so it
// can travel to worker threads and outlive the connection's request object.
struct Request
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray contentType;
    QByteArray authorization;
    QByteArray origin; // a browser's Origin header, for CORS
    QString clientAddress; // the peer, or the client a trusted proxy forwarded for
    QString route; // the route as OpenAPI names it, e.g. /api/v1/chats/{chat_id}: a metrics label
    QByteArray body;
    QStringList args; // the route's placeholders' values, in order
    QByteArray userAgent;
    // Every header as sent (names as the client spelled them).
    QList<QPair<QByteArray, QByteArray>> headers;
    QString userId; // set once the bearer token is verified
    QString sessionId; // the token's session (`sid`), likewise
    QString requestId; // X-Request-Id
    QElapsedTimer timer;

    static Request from(const QHttpServerRequest &request, QStringList args, QString route = {},
        const TrustedProxies &proxies = {});

    // The body as a JSON object, or the right 415 / 400 / 422.
    RequestTrace trace() const;
    Result<QJsonObject> jsonObject(bool optional = false) const;
    QString bearerToken() const;
    // A header's value (the first, by case-insensitive name); empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

} // namespace Messenger::Server
