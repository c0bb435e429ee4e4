#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Messenger::Server {

// HS256 JSON Web Tokens, compatible with PyJWT. The algorithm is pinned: a
// token whose header names anything but HS256 (including "none") is refused;
// signatures are compared in constant time, `exp` is required, and every part
// must be canonical base64url (no padding, no stray bits).
class Jwt
{
public:
    explicit Jwt(QByteArray secret);

    struct Claims
    {
        QString subject;
        QString sessionId; // `sid`: empty when the token names none
        qint64 expiresAt = 0; // seconds since the epoch
    };

    // `sessionId` becomes the `sid` claim unless empty.
    QString issue(
        const QString &subject, const QString &sessionId, qint64 expiresAt, qint64 issuedAt) const;
    std::optional<Claims> verify(QStringView token, qint64 now) const;

    QByteArray hmac(const QByteArray &message) const;

private:
    QByteArray m_secret;
};

QByteArray base64UrlEncode(const QByteArray &data);

} // namespace Messenger::Server
