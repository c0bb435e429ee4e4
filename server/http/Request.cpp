#include "Request.h"

#include "observability/LogFields.h"
#include "observability/Metrics.h"
#include "shared/Json.h"

#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QUuid>

#include <QJsonDocument>
#include <QMetaEnum>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Messenger::Server {

QString requestIdOf(const QHttpServerRequest &request)
{
    constexpr qsizetype maxLength = 128;
    const QByteArray sent = request.value("x-request-id"_ba);
    const bool printable
        = std::all_of(sent.cbegin(), sent.cend(), [](char c) { return c >= 0x20 && c <= 0x7e; });
    if (!sent.isEmpty() && sent.size() <= maxLength && printable)
        return QString::fromLatin1(sent);
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

RequestTrace RequestTrace::of(
    const QHttpServerRequest &request, const QString &route, const TrustedProxies &proxies)
{
    RequestTrace trace;
    trace.timer.start();
    const QMetaEnum methods = QMetaEnum::fromType<QHttpServerRequest::Method>();
    trace.method = QByteArray(methods.valueToKey(int(request.method()))).toUpper();
    trace.path = request.url().path();
    trace.route = route;
    trace.client
        = proxies.clientAddress(request.remoteAddress(), request.value("x-forwarded-for"_ba));
    trace.requestId = requestIdOf(request);
    return trace;
}

QPair<QByteArray, QByteArray> RequestTrace::header() const
{
    return { "X-Request-Id"_ba, requestId.toLatin1() };
}

void RequestTrace::finish(int status, qint64 bytes) const
{
    const qint64 nanoseconds = timer.nsecsElapsed();
    Metrics::global().recordRequest(method, route, status, nanoseconds);
    LogRecord fields;
    fields.method = QString::fromLatin1(method);
    fields.route = route;
    fields.status = status;
    fields.durationMs = double(nanoseconds) / 1e6;
    fields.bytes = bytes;
    fields.client = client;
    if (!userId.isEmpty())
        fields.userId = userId;
    fields.requestId = requestId;
    const LogFieldsScope scope(fields);
    qCInfo(lcHttp).noquote() << method << path << status
                             << QString::number(double(nanoseconds) / 1e6, 'f', 2) + u"ms"_s;
}

Request Request::from(const QHttpServerRequest &request, QStringList args, QString route,
    const TrustedProxies &proxies)
{
    Request copy;
    copy.timer.start();
    const QMetaEnum methods = QMetaEnum::fromType<QHttpServerRequest::Method>();
    copy.method = QByteArray(methods.valueToKey(int(request.method()))).toUpper();
    copy.path = request.url().path();
    copy.query = request.query();
    copy.contentType = request.value("content-type"_ba);
    copy.authorization = request.value("authorization"_ba);
    copy.origin = request.value("origin"_ba);
    copy.userAgent = request.value("user-agent"_ba);
    copy.clientAddress
        = proxies.clientAddress(request.remoteAddress(), request.value("x-forwarded-for"_ba));
    copy.route = std::move(route);
    copy.body = request.body();
    copy.headers = request.headers();
    copy.args = std::move(args);
    copy.requestId = requestIdOf(request);
    return copy;
}

RequestTrace Request::trace() const
{
    return { method, path, route, clientAddress, userId, requestId, timer };
}

Result<QJsonObject> Request::jsonObject(bool optional) const
{
    if (body.trimmed().isEmpty()) {
        if (optional)
            return QJsonObject();
        return ApiError::validation({ { { u"body"_s }, u"Field required"_s, u"missing"_s } });
    }
    const QByteArray mediaType = contentType.split(';').first().trimmed().toLower();
    if (!mediaType.isEmpty() && mediaType != "application/json"
        && !(mediaType.startsWith("application/") && mediaType.endsWith("+json")))
        return ApiError { 415, u"unsupported_media_type"_s,
            u"Content-Type must be application/json"_s, {} };
    QJsonParseError error;
    const QJsonDocument document = parseJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return ApiError::badRequest(u"malformed_json"_s,
            u"Malformed JSON at offset %1: %2"_s.arg(error.offset).arg(error.errorString()));
    if (!document.isObject())
        return ApiError::validation(
            { { bodyLocation(), u"Input should be a valid dictionary"_s, u"dict_type"_s } });
    return document.object();
}

QString Request::bearerToken() const
{
    const QByteArray value = authorization.trimmed();
    if (value.size() < 7 || value.left(7).toLower() != "bearer ")
        return {};
    return QString::fromLatin1(value.mid(7).trimmed());
}

QByteArray Request::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool Request::hasHeader(QByteArrayView name) const
{
    return std::any_of(headers.cbegin(), headers.cend(), [name](const auto &header) {
        return name.compare(header.first, Qt::CaseInsensitive) == 0;
    });
}

} // namespace Messenger::Server
