#pragma once

#include "auth/Jwt.h"
#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/AuthDtos.h"
#include "shared/User.h"

namespace Messenger::Server {

// Access tokens (JWT) and refresh tokens, grouped in sessions. A session is
// one login on one device: its id is the `sid` claim of every access token
// it issues and the family of every refresh token rotated from it. Revoking
// a session (logout, DELETE /sessions/{id}, a reused refresh token) revokes
// its refresh tokens and logs a `session_revoked` event, through which every
// instance refuses its access tokens and closes its sockets.
//
// Refresh tokens are opaque random strings stored only as SHA-256 hashes.
// Rotation claims the presented token with one conditional UPDATE, so of two
// concurrent refreshes exactly one rotates. A token's successor is derived
// from it with the server key (HMAC), so re-presenting a just-rotated token
// within the grace window returns the very same successor without storing
// it, as long as that successor has not been used itself; any other reuse is
// treated as theft and revokes the session.
class TokenService
{
public:
    TokenService(QByteArray secretKey, int accessTokenMinutes);

    const Jwt &jwt() const { return m_jwt; }

    // Who a valid access token speaks for.
    struct Identity
    {
        QString userId;
        QString sessionId;
        qint64 expiresAt = 0; // seconds since the epoch
    };
    // A valid, unexpired access token that names a user and a session; tokens
    // without a `sid` are refused (no logout could end them).
    std::optional<Identity> authenticate(QStringView accessToken) const;

    // Where a login or refresh comes from, for the session list.
    struct ClientInfo
    {
        std::optional<QString> deviceName;
        QString client; // User-Agent
        QString address;
    };

    Result<TokenResponse> issue(Db &db, const User &user, const ClientInfo &client) const;
    // A reused token ends its session: its id is appended to `revoked`.
    Result<TokenResponse> refresh(Db &db, const QString &refreshToken, const ClientInfo &client,
        QStringList *revoked = nullptr) const;
    // Ends the session of `refreshToken` (when it is the caller's), or every
    // session of the caller; the ids of the sessions that ended.
    Result<QStringList> logout(
        Db &db, const QString &userId, const std::optional<QString> &refreshToken) const;

    // The caller's live sessions, most recently used first.
    static Result<QList<SessionInfo>> sessions(
        Db &db, const QString &userId, const QString &currentSessionId);
    // Ends one of the caller's sessions: 404 when it is not a live one of theirs.
    static Result<QStringList> revokeSession(
        Db &db, const QString &userId, const QString &sessionId);
    // Ends every live session of the caller but `keepSessionId`, inside the
    // caller's transaction; the ids of the sessions that ended.
    static QStringList revokeOtherSessions(
        Db &db, const QString &userId, const QString &keepSessionId);
    // Ends every live session of the user, inside the caller's transaction
    // (an account disabled, deleted or given a new password by an operator).
    static QStringList revokeAllSessions(Db &db, const QString &userId);
    // The same in a transaction of its own (POST /sessions/revoke-others).
    static Result<QStringList> revokeOtherSessionsNow(
        Db &db, const QString &userId, const QString &keepSessionId);
    // 403 `account_disabled` when an operator disabled the account, 401 when
    // it is deleted or unknown. `lockForSession`: PostgreSQL holds a share
    // lock on the account until the transaction ends, so a session being
    // made cannot slip past a concurrent disable (which locks the row first).
    static Result<Empty> requireActiveAccount(
        Db &db, const QString &userId, bool lockForSession = false);
    // 401 unless `sessionId` is a live session of `userId`.
    static Result<Empty> requireLiveSession(
        Db &db, const QString &userId, const QString &sessionId);

private:
    TokenResponse tokensFor(
        const User &user, const QString &sessionId, const QString &refreshToken) const;
    QString successorOf(const QString &refreshToken) const;

    Jwt m_jwt;
    int m_accessTokenSeconds;
};

QString sha256Hex(const QString &text);

} // namespace Messenger::Server
