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
    QString route; // the route's template, e.g. /api/v1/chats/<arg>: a metrics label
    QByteArray body;
    QStringList args; // the route's <arg> placeholders, in order
    QByteArray userAgent;
    // Every header as sent (names as the client spelled them).
    QList<QPair<QByteArray, QByteArray>> headers;
    QString userId; // set once the bearer token is verified
    QString sessionId; // the token's session (`sid`), likewise
    QElapsedTimer timer;

    static Request from(const QHttpServerRequest &request, QStringList args, QString route = {},
        const TrustedProxies &proxies = {});

    // The body as a JSON object, or the right 415 / 400 / 422.
    Result<QJsonObject> jsonObject(bool optional = false) const;
    QString bearerToken() const;
    // A header's value (the first, by case-insensitive name); empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

} // namespace Messenger::Server
