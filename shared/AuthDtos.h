#pragma once

#include "Json.h"

namespace Messenger {

struct RegisterRequest
{
    QString email;
    QString name;
    QString password;
    // `invite_code`: required when the server takes registrations by
    // invitation only (REGISTRATION=invite); ignored otherwise.
    std::optional<QString> inviteCode = std::nullopt;

    QJsonObject toJson() const;
    static Parsed<RegisterRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());

    // What a 422 names in `loc` for a field at fault.
    static constexpr QStringView emailKey = u"email";
    static constexpr QStringView nameKey = u"name";
    static constexpr QStringView passwordKey = u"password";
};

struct LoginRequest
{
    QString email;
    QString password;
    // What the user calls this device ("Work laptop"); shown in the session list.
    std::optional<QString> deviceName;

    QJsonObject toJson() const;
    static Parsed<LoginRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

struct RefreshRequest
{
    QString refreshToken;

    QJsonObject toJson() const;
    static Parsed<RefreshRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// Logout revokes the given refresh token's family, or every session of the
// caller when none is given.
struct LogoutRequest
{
    std::optional<QString> refreshToken;

    QJsonObject toJson() const;
    static Parsed<LogoutRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// PATCH /users/me: the caller's new display name (checked as at registration).
struct UpdateProfileRequest
{
    QString name;

    QJsonObject toJson() const;
    static Parsed<UpdateProfileRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

// POST /users/me/password: the current password proves it is the owner; the
// new one follows registration's rules. Other sessions of the user end.
struct ChangePasswordRequest
{
    QString currentPassword;
    QString newPassword;

    QJsonObject toJson() const;
    static Parsed<ChangePasswordRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());

    static constexpr QStringView currentPasswordKey = u"current_password";
    static constexpr QStringView newPasswordKey = u"new_password";
};

// The seed's token response plus our refresh token and lifetime.
struct TokenResponse
{
    QString accessToken;
    QString tokenType = QStringLiteral("bearer");
    QString userId;
    QString name;
    QString refreshToken;
    qint64 expiresIn = 0; // seconds

    QJsonObject toJson() const;
    static Parsed<TokenResponse> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

// One signed-in device: a login and the refresh tokens rotated from it. Access
// tokens name it (`sid`); revoking it ends its tokens and closes its sockets.
struct SessionInfo
{
    QString id;
    QString deviceName; // as given at login; empty when none was
    QString client; // the User-Agent of the login or last refresh
    QString address; // the client address of the login or last refresh
    qint64 createdAt = 0; // microseconds since the epoch
    qint64 lastUsedAt = 0; // the login or the last refresh
    bool current = false; // the session of the token that asked

    QJsonObject toJson() const;
    static Parsed<SessionInfo> fromJson(const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger

// The claims of an access token (a JWT, RFC 7519) that the server issues and
// verifies, and its header's algorithm field.
namespace Messenger::JwtClaims {
inline constexpr QStringView subject = u"sub"; // the user id
inline constexpr QStringView sessionId = u"sid"; // absent in tokens that name no session
inline constexpr QStringView expiresAt = u"exp"; // seconds since the epoch
inline constexpr QStringView issuedAt = u"iat";
inline constexpr QStringView notBefore = u"nbf"; // honoured when present, never issued
// In the header.
inline constexpr QStringView algorithm = u"alg";
inline constexpr QStringView type = u"typ";
} // namespace Messenger::JwtClaims
