#pragma once

#include "Json.h"

namespace Messenger {

struct RegisterRequest
{
    QString email;
    QString name;
    QString password;

    QJsonObject toJson() const;
    static Parsed<RegisterRequest> fromJson(
        const QJsonObject &json, const QStringList &location = bodyLocation());
};

struct LoginRequest
{
    QString email;
    QString password;

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

} // namespace Messenger
