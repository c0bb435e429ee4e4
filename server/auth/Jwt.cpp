#include "Jwt.h"

#include "shared/AuthDtos.h"
#include "shared/Json.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {

// The one signature algorithm issued and accepted.
const QString algorithm = QStringLiteral("HS256");

// Only the one canonical spelling of each byte string is accepted: unpadded,
// and with the unused low bits of the last character zero. Qt's decoder
// ignores those bits, so "...Q" and "...R" decode alike; accepting both would
// make a token malleable (one signature, several strings).
std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || base64UrlEncode(*decoded) != text)
        return std::nullopt;
    return *decoded;
}

std::optional<QJsonObject> decodeJsonPart(QByteArrayView part)
{
    const auto bytes = base64UrlDecode(part);
    if (!bytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

QByteArray base64UrlEncode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Jwt::Jwt(QByteArray secret)
    : m_secret(std::move(secret))
{ }

QByteArray Jwt::hmac(const QByteArray &message) const
{
    QByteArray mac(crypto_auth_hmacsha256_BYTES, Qt::Uninitialized);
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state,
        reinterpret_cast<const unsigned char *>(m_secret.constData()), size_t(m_secret.size()));
    crypto_auth_hmacsha256_update(&state,
        reinterpret_cast<const unsigned char *>(message.constData()), quint64(message.size()));
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char *>(mac.data()));
    return mac;
}

QString Jwt::issue(
    const QString &subject, const QString &sessionId, qint64 expiresAt, qint64 issuedAt) const
{
    // {"alg":"HS256","typ":"JWT"}: compact JSON orders the keys.
    static const QByteArray header = base64UrlEncode(QJsonDocument(
        QJsonObject { { JwtClaims::algorithm.toString(), algorithm },
            { JwtClaims::type.toString(), u"JWT"_s } }).toJson(QJsonDocument::Compact));
    QJsonObject claims { { JwtClaims::subject.toString(), subject },
        { JwtClaims::expiresAt.toString(), expiresAt },
        { JwtClaims::issuedAt.toString(), issuedAt } };
    if (!sessionId.isEmpty())
        claims.insert(JwtClaims::sessionId, sessionId);
    const QByteArray signingInput
        = header + '.' + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return QString::fromLatin1(signingInput + '.' + base64UrlEncode(hmac(signingInput)));
}

std::optional<Jwt::Claims> Jwt::verify(QStringView token, qint64 now) const
{
    if (token.size() > 4096)
        return std::nullopt;
    const QByteArray bytes = token.toLatin1();
    const qsizetype firstDot = bytes.indexOf('.');
    const qsizetype lastDot = bytes.lastIndexOf('.');
    if (firstDot <= 0 || lastDot == firstDot || bytes.indexOf('.', firstDot + 1) != lastDot)
        return std::nullopt;

    const auto header = decodeJsonPart(QByteArrayView(bytes).first(firstDot));
    if (!header || header->value(JwtClaims::algorithm).toString() != algorithm)
        return std::nullopt;

    const QByteArray signingInput = bytes.left(lastDot);
    const auto signature = base64UrlDecode(QByteArrayView(bytes).sliced(lastDot + 1));
    const QByteArray expected = hmac(signingInput);
    if (!signature || signature->size() != expected.size()
        || sodium_memcmp(signature->constData(), expected.constData(), size_t(expected.size()))
            != 0)
        return std::nullopt;

    const auto payload
        = decodeJsonPart(QByteArrayView(bytes).sliced(firstDot + 1, lastDot - firstDot - 1));
    if (!payload)
        return std::nullopt;
    const auto exp = exactInteger(payload->value(JwtClaims::expiresAt));
    const QJsonValue sub = payload->value(JwtClaims::subject);
    if (!exp || !sub.isString() || *exp <= now)
        return std::nullopt;
    if (const QJsonValue nbf = payload->value(JwtClaims::notBefore); !nbf.isUndefined()) {
        const auto notBefore = exactInteger(nbf);
        if (!notBefore || *notBefore > now)
            return std::nullopt;
    }
    const QJsonValue sid = payload->value(JwtClaims::sessionId);
    if (!sid.isUndefined() && !sid.isString())
        return std::nullopt;
    return Claims { sub.toString(), sid.toString(), *exp };
}

} // namespace Messenger::Server
