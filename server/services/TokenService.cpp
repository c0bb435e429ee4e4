#include "TokenService.h"

#include "ChatAccess.h"
#include "EventLog.h"
#include "shared/Events.h"
#include "shared/Limits.h"
#include "shared/WsEvents.h"

#include <QDateTime>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {

constexpr qint64 microsPerSecond = 1000000;
constexpr qint64 refreshLifetimeMicros = qint64(Limits::refreshTokenDays) * 86400 * microsPerSecond;
// The list shows this many sessions at most (a script logging in in a loop
// makes as many as it likes).
constexpr int sessionListMax = 100;

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

// Ends the given sessions of `userId` that are still live, with their
// refresh tokens, and logs one session_revoked event each (in the caller's
// transaction): every instance's feed then closes their sockets and refuses
// their access tokens. Returns the ids that ended.
QStringList revokeSessions(Db &db, const QString &userId, const QStringList &candidateIds)
{
    const qint64 now = currentTimestamp();
    QStringList revoked;
    for (const QString &sessionId : candidateIds) {
        Rows ended = db.exec(u"UPDATE sessions SET revoked_at = ? "
                             "WHERE id = ? AND user_id = ? AND revoked_at IS NULL RETURNING id"_s,
            { now, sessionId, userId });
        if (!ended.next())
            continue;
        db.exec(u"UPDATE refresh_tokens SET revoked_at = ? "
                "WHERE family_id = ? AND revoked_at IS NULL"_s,
            { now, sessionId });
        EventLog::append(
            db, {}, userId, WsEvents::sessionRevoked, SessionRevoked { sessionId }.toJson());
        revoked.append(sessionId);
    }
    return revoked;
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

std::optional<TokenService::Identity> TokenService::authenticate(QStringView accessToken) const
{
    const auto claims = m_jwt.verify(accessToken, QDateTime::currentSecsSinceEpoch());
    if (!claims)
        return std::nullopt;
    const auto userId = canonicalUuid(claims->subject);
    const auto sessionId = canonicalUuid(claims->sessionId);
    if (!userId || !sessionId)
        return std::nullopt;
    return Identity { *userId, *sessionId, claims->expiresAt };
}

QString TokenService::successorOf(const QString &refreshToken) const
{
    return QString::fromLatin1(
        base64UrlEncode(m_jwt.hmac("refresh-successor:" + refreshToken.toUtf8())));
}

TokenResponse TokenService::tokensFor(
    const User &user, const QString &sessionId, const QString &refreshToken) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    TokenResponse response;
    response.accessToken = m_jwt.issue(user.id, sessionId, now + m_accessTokenSeconds, now);
    response.userId = user.id;
    response.name = user.name;
    response.refreshToken = refreshToken;
    response.expiresIn = m_accessTokenSeconds;
    return response;
}

Result<TokenResponse> TokenService::issue(Db &db, const User &user, const ClientInfo &client) const
{
    const QString refreshToken = randomToken();
    const QString sessionId = newUuid();
    const qint64 now = currentTimestamp();
    Transaction transaction(db);
    if (const Result<Empty> active = requireActiveAccount(db, user.id, true); !active)
        return active.error();
    // (An empty QString binds as NULL: COALESCE keeps the columns' '' default.)
    db.exec(
        u"INSERT INTO sessions (id, user_id, device_name, client, address, created_at, "
        "last_used_at) VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), ?, ?)"_s,
        { sessionId, user.id, client.deviceName.value_or(QString()),
            client.client.left(Limits::sessionClientMax), client.address, now, now });
    db.exec(u"INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)"_s,
        { sha256Hex(refreshToken), user.id, sessionId, now, now + refreshLifetimeMicros });
    transaction.commit();
    return tokensFor(user, sessionId, refreshToken);
}

Result<TokenResponse> TokenService::refresh(
    Db &db, const QString &refreshToken, const ClientInfo &client, QStringList *revoked) const
{
    const qint64 now = currentTimestamp();
    const QString tokenHash = sha256Hex(refreshToken);
    const QString successor = successorOf(refreshToken);
    const QString successorHash = sha256Hex(successor);
    Transaction transaction(db);

    QString userId;
    QString sessionId;
    {
        Rows claimed = db.exec(u"UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? "
                               "AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ? "
                               "RETURNING user_id, family_id"_s,
            { now, tokenHash, now });
        if (claimed.next()) {
            userId = claimed.string(0);
            sessionId = claimed.string(1);
        }
    }
    if (!userId.isEmpty()) {
        db.exec(
            u"INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)"_s,
            { successorHash, userId, sessionId, now, now + refreshLifetimeMicros });
        db.exec(u"UPDATE sessions SET last_used_at = ?, client = COALESCE(?, ''), "
                "address = COALESCE(?, '') WHERE id = ?"_s,
            { now, client.client.left(Limits::sessionClientMax), client.address, sessionId });
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
            sessionId = rows.string(1);
            rotatedAt = rows.integer(2);
        }
        // A retry of a refresh whose answer was lost gets the same successor
        // again, but only while nobody has used that successor: once it was
        // rotated, the old token in other hands means a copy exists.
        bool successorUnused = false;
        {
            Rows rows = db.exec(u"SELECT 1 FROM refresh_tokens WHERE token_hash = ? "
                                "AND rotated_at IS NULL AND revoked_at IS NULL"_s,
                { successorHash });
            successorUnused = rows.next();
        }
        if (!successorUnused
            || now - rotatedAt > qint64(Limits::refreshGraceSeconds) * microsPerSecond) {
            // An old token came back: someone else may hold the session. End it.
            const QStringList ended = revokeSessions(db, userId, { sessionId });
            transaction.commit();
            if (revoked)
                revoked->append(ended);
            return ApiError::unauthorized(u"refresh_token_reused"_s,
                u"Refresh token was already used; please log in again"_s);
        }
    }
    const Result<User> user = ChatAccess::requireUser(db, userId);
    if (!user || !requireActiveAccount(db, userId))
        return invalidRefreshToken();
    transaction.commit();
    return tokensFor(user.value(), sessionId, successor);
}

Result<QStringList> TokenService::logout(
    Db &db, const QString &userId, const std::optional<QString> &refreshToken) const
{
    Transaction transaction(db);
    QStringList candidates;
    {
        if (!refreshToken) {
            const QStringList revoked = revokeAllSessions(db, userId);
            transaction.commit();
            return revoked;
        }
        Rows rows = db.exec(
            u"SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND user_id = ?"_s,
            { sha256Hex(*refreshToken), userId });
        while (rows.next())
            candidates.append(rows.string(0));
    }
    const QStringList revoked = revokeSessions(db, userId, candidates);
    transaction.commit();
    return revoked;
}

Result<QList<SessionInfo>> TokenService::sessions(
    Db &db, const QString &userId, const QString &currentSessionId)
{
    Rows rows = db.exec(u"SELECT id, device_name, client, address, created_at, last_used_at "
                        "FROM sessions WHERE user_id = ? AND revoked_at IS NULL "
                        "AND last_used_at > ? ORDER BY last_used_at DESC LIMIT ?"_s,
        { userId, currentTimestamp() - refreshLifetimeMicros, sessionListMax });
    QList<SessionInfo> sessions;
    while (rows.next()) {
        SessionInfo session;
        session.id = rows.string(0);
        session.deviceName = rows.string(1);
        session.client = rows.string(2);
        session.address = rows.string(3);
        session.createdAt = rows.integer(4);
        session.lastUsedAt = rows.integer(5);
        session.current = session.id == currentSessionId;
        sessions.append(session);
    }
    return sessions;
}

Result<QStringList> TokenService::revokeSession(
    Db &db, const QString &userId, const QString &sessionId)
{
    Transaction transaction(db);
    const QStringList revoked = revokeSessions(db, userId, { sessionId });
    if (revoked.isEmpty())
        return ApiError::notFound(u"session_not_found"_s, u"Session not found"_s);
    transaction.commit();
    return revoked;
}

QStringList TokenService::revokeOtherSessions(
    Db &db, const QString &userId, const QString &keepSessionId)
{
    QStringList candidates;
    {
        Rows rows = db.exec(
            u"SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND id <> ?"_s,
            { userId, keepSessionId });
        while (rows.next())
            candidates.append(rows.string(0));
    }
    return revokeSessions(db, userId, candidates);
}

QStringList TokenService::revokeAllSessions(Db &db, const QString &userId)
{
    QStringList candidates;
    {
        Rows rows = db.exec(
            u"SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL"_s, { userId });
        while (rows.next())
            candidates.append(rows.string(0));
    }
    return revokeSessions(db, userId, candidates);
}

Result<QStringList> TokenService::revokeOtherSessionsNow(
    Db &db, const QString &userId, const QString &keepSessionId)
{
    Transaction transaction(db);
    const QStringList revoked = revokeOtherSessions(db, userId, keepSessionId);
    transaction.commit();
    return revoked;
}

Result<Empty> TokenService::requireActiveAccount(Db &db, const QString &userId, bool lockForSession)
{
    Rows rows = db.exec(u"SELECT disabled_at, deleted_at FROM users WHERE id = ?"_s
            + (lockForSession && db.isPostgres() ? u" FOR SHARE"_s : QString()),
        { userId });
    if (!rows.next() || !rows.isNull(1))
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    if (!rows.isNull(0))
        return ApiError::forbidden(
            u"account_disabled"_s, u"This account was disabled by an administrator"_s);
    return Empty {};
}

Result<Empty> TokenService::requireLiveSession(
    Db &db, const QString &userId, const QString &sessionId)
{
    Rows rows = db.exec(
        u"SELECT revoked_at FROM sessions WHERE id = ? AND user_id = ?"_s, { sessionId, userId });
    if (!rows.next())
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    if (!rows.isNull(0))
        return ApiError::unauthorized(u"session_revoked"_s, u"This session was ended"_s);
    return Empty {};
}

} // namespace Messenger::Server
