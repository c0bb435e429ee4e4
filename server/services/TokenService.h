#pragma once

#include "ApiError.h"
#include "auth/Jwt.h"
#include "db/Db.h"
#include "shared/AuthDtos.h"
#include "shared/User.h"

namespace Messenger::Server {

// Access tokens (JWT) and refresh tokens. Refresh tokens are opaque random
// strings stored only as SHA-256 hashes. Rotation claims the presented token
// with one conditional UPDATE, so of two concurrent refreshes exactly one
// rotates. A token's successor is derived from it with the server key
// (HMAC), so re-presenting a just-rotated token within the grace window
// returns the very same successor without storing it; re-presenting it later
// is treated as theft and revokes the whole family.
class TokenService
{
public:
    TokenService(QByteArray secretKey, int accessTokenMinutes);

    const Jwt &jwt() const { return m_jwt; }
    // The user id of a valid access token.
    std::optional<QString> authenticate(QStringView accessToken) const;

    Result<TokenResponse> issue(Db &db, const User &user) const;
    Result<TokenResponse> refresh(Db &db, const QString &refreshToken) const;
    Result<Empty> logout(
        Db &db, const QString &userId, const std::optional<QString> &refreshToken) const;

private:
    TokenResponse tokensFor(const User &user, const QString &refreshToken) const;
    QString successorOf(const QString &refreshToken) const;

    Jwt m_jwt;
    int m_accessTokenSeconds;
};

QString sha256Hex(const QString &text);

} // namespace Messenger::Server
