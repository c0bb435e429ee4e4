#include "AuthDtos.h"

#include "Limits.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject RegisterRequest::toJson() const
{
    QJsonObject json { { emailKey.toString(), email }, { nameKey.toString(), name },
        { passwordKey.toString(), password } };
    if (inviteCode)
        json.insert(u"invite_code"_s, *inviteCode);
    return json;
}

Parsed<RegisterRequest> RegisterRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    RegisterRequest request;
    request.email = reader.email(emailKey);
    request.name = reader.name(nameKey, Limits::userNameMin, Limits::userNameMax);
    request.password = reader.string(passwordKey, Limits::passwordMin, Limits::passwordMax);
    request.inviteCode = reader.optionalString(u"invite_code", 1, Limits::inviteCodeMax, true);
    return reader.result(std::move(request));
}

QJsonObject LoginRequest::toJson() const
{
    QJsonObject json { { u"email"_s, email }, { u"password"_s, password } };
    if (deviceName)
        json.insert(u"device_name"_s, *deviceName);
    return json;
}

Parsed<LoginRequest> LoginRequest::fromJson(const QJsonObject &json, const QStringList &location)
{
    // No syntax or length rules beyond "present": a wrong login is a 401, not a 422,
    // and must not tell which part was wrong.
    JsonReader reader(json, location);
    LoginRequest request;
    request.email = reader.string(u"email", 0, Limits::emailMax, true).toLower();
    request.password = reader.string(u"password", 0, Limits::passwordMax);
    request.deviceName = reader.optionalString(u"device_name", 0, Limits::deviceNameMax, true);
    return reader.result(std::move(request));
}

QJsonObject RefreshRequest::toJson() const
{
    return { { u"refresh_token"_s, refreshToken } };
}

Parsed<RefreshRequest> RefreshRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    RefreshRequest request;
    request.refreshToken = reader.string(u"refresh_token", 1, 512);
    return reader.result(std::move(request));
}

QJsonObject LogoutRequest::toJson() const
{
    QJsonObject json;
    if (refreshToken)
        json.insert(u"refresh_token"_s, *refreshToken);
    return json;
}

Parsed<LogoutRequest> LogoutRequest::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    LogoutRequest request;
    request.refreshToken = reader.optionalString(u"refresh_token", 1, 512);
    return reader.result(std::move(request));
}

QJsonObject UpdateProfileRequest::toJson() const
{
    return { { RegisterRequest::nameKey.toString(), name } };
}

Parsed<UpdateProfileRequest> UpdateProfileRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    UpdateProfileRequest request;
    request.name = reader.name(RegisterRequest::nameKey, Limits::userNameMin, Limits::userNameMax);
    return reader.result(std::move(request));
}

QJsonObject ChangePasswordRequest::toJson() const
{
    return { { currentPasswordKey.toString(), currentPassword },
        { newPasswordKey.toString(), newPassword } };
}

Parsed<ChangePasswordRequest> ChangePasswordRequest::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    // The current password only has to be there (a wrong one is a 403, like a
    // wrong login, whatever its length); the new one is checked as at registration.
    JsonReader reader(json, location);
    ChangePasswordRequest request;
    request.currentPassword = reader.string(currentPasswordKey, 0, Limits::passwordMax);
    request.newPassword = reader.string(newPasswordKey, Limits::passwordMin, Limits::passwordMax);
    return reader.result(std::move(request));
}

QJsonObject TokenResponse::toJson() const
{
    return { { u"access_token"_s, accessToken }, { u"token_type"_s, tokenType },
        { u"user_id"_s, userId }, { u"name"_s, name }, { u"refresh_token"_s, refreshToken },
        { u"expires_in"_s, expiresIn } };
}

Parsed<TokenResponse> TokenResponse::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    TokenResponse response;
    response.accessToken = reader.string(u"access_token", 1);
    response.tokenType = reader.string(u"token_type");
    response.userId = reader.uuid(u"user_id");
    response.name = reader.string(u"name");
    response.refreshToken = reader.optionalString(u"refresh_token").value_or(QString());
    response.expiresIn = reader.optionalInteger(u"expires_in").value_or(0);
    return reader.result(std::move(response));
}

QJsonObject SessionInfo::toJson() const
{
    return { { u"id"_s, id }, { u"device_name"_s, deviceName }, { u"client"_s, client },
        { u"address"_s, address }, { u"created_at"_s, formatTimestamp(createdAt) },
        { u"last_used_at"_s, formatTimestamp(lastUsedAt) }, { u"current"_s, current } };
}

Parsed<SessionInfo> SessionInfo::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    SessionInfo session;
    session.id = reader.uuid(u"id");
    session.deviceName = reader.string(u"device_name");
    session.client = reader.string(u"client");
    session.address = reader.string(u"address");
    session.createdAt = reader.timestamp(u"created_at");
    session.lastUsedAt = reader.timestamp(u"last_used_at");
    session.current = reader.boolean(u"current");
    return reader.result(std::move(session));
}

} // namespace Messenger
