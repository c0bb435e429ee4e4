#include "TokenService.h"

#include "ChatAccess.h"
#include "shared/Limits.h"

#include <QDateTime>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {

constexpr qint64 microsPerSecond = 1000000;

QString randomToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(bytes.size()));
    return QString::fromLatin1(base64UrlEncode(bytes));
}

ApiError invalidRefreshToken()
{
    return ApiError::unauthorized(
        u"invalid_refresh_token"_s, u"Invalid or expired refresh token"_s);
}

} // namespace

QString sha256Hex(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(
        digest, reinterpret_cast<const unsigned char *>(utf8.constData()), quint64(utf8.size()));
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(digest), sizeof digest).toHex());
}

TokenService::TokenService(QByteArray secretKey, int accessTokenMinutes)
    : m_jwt(std::move(secretKey))
    , m_accessTokenSeconds(accessTokenMinutes * 60)
{ }

std::optional<QString> TokenService::authenticate(QStringView accessToken) const
{
    const auto claims = m_jwt.verify(accessToken, QDateTime::currentSecsSinceEpoch());
    if (!claims)
        return std::nullopt;
    const auto userId = canonicalUuid(claims->subject);
    if (!userId)
        return std::nullopt;
    return userId;
}

QString TokenService::successorOf(const QString &refreshToken) const
{
    return QString::fromLatin1(
        base64UrlEncode(m_jwt.hmac("refresh-successor:" + refreshToken.toUtf8())));
}

TokenResponse TokenService::tokensFor(const User &user, const QString &refreshToken) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    TokenResponse response;
    response.accessToken = m_jwt.issue(user.id, now + m_accessTokenSeconds, now);
    response.userId = user.id;
    response.name = user.name;
    response.refreshToken = refreshToken;
    response.expiresIn = m_accessTokenSeconds;
    return response;
}

Result<TokenResponse> TokenService::issue(Db &db, const User &user) const
{
    const QString refreshToken = randomToken();
    const qint64 now = currentTimestamp();
    db.exec(u"INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)"_s,
        { sha256Hex(refreshToken), user.id, newUuid(), now,
            now + qint64(Limits::refreshTokenDays) * 86400 * microsPerSecond });
    return tokensFor(user, refreshToken);
}

Result<TokenResponse> TokenService::refresh(Db &db, const QString &refreshToken) const
{
    const qint64 now = currentTimestamp();
    const QString tokenHash = sha256Hex(refreshToken);
    const QString successor = successorOf(refreshToken);
    Transaction transaction(db);

    QString userId;
    QString familyId;
    {
        Rows claimed = db.exec(u"UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? "
                               "AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ? "
                               "RETURNING user_id, family_id"_s,
            { now, tokenHash, now });
        if (claimed.next()) {
            userId = claimed.string(0);
            familyId = claimed.string(1);
        }
    }
    if (!userId.isEmpty()) {
        db.exec(
            u"INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)"_s,
            { sha256Hex(successor), userId, familyId, now,
                now + qint64(Limits::refreshTokenDays) * 86400 * microsPerSecond });
    } else {
        // Not claimable: unknown, expired, revoked, or already rotated.
        qint64 rotatedAt = 0;
        {
            Rows rows = db.exec(u"SELECT user_id, family_id, rotated_at FROM refresh_tokens "
                                "WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?"_s,
                { tokenHash, now });
            if (!rows.next() || rows.isNull(2))
                return invalidRefreshToken();
            userId = rows.string(0);
            familyId = rows.string(1);
            rotatedAt = rows.integer(2);
        }
        if (now - rotatedAt > qint64(Limits::refreshGraceSeconds) * microsPerSecond) {
            // An old token came back: someone else may hold the family. End it.
            db.exec(
                u"UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL"_s,
                { now, familyId });
            transaction.commit();
            return ApiError::unauthorized(u"refresh_token_reused"_s,
                u"Refresh token was already used; please log in again"_s);
        }
    }
    const Result<User> user = ChatAccess::requireUser(db, userId);
    if (!user)
        return invalidRefreshToken();
    transaction.commit();
    return tokensFor(user.value(), successor);
}

Result<Empty> TokenService::logout(
    Db &db, const QString &userId, const std::optional<QString> &refreshToken) const
{
    const qint64 now = currentTimestamp();
    if (refreshToken) {
        db.exec(
            u"UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id IN "
            "(SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND user_id = ?)"_s,
            { now, sha256Hex(*refreshToken), userId });
    } else {
        db.exec(
            u"UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"_s,
            { now, userId });
    }
    return Empty {};
}

} // namespace Messenger::Server
