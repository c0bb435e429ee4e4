#include "Admin.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject AccountSummary::toJson() const
{
    return { { u"user"_s, user.toJson() }, { u"created_at"_s, formatTimestamp(createdAt) },
        { u"disabled"_s, disabled }, { u"sessions"_s, sessions } };
}

Parsed<AccountSummary> AccountSummary::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    AccountSummary account;
    if (auto user = reader.nested<User>(u"user"))
        account.user = std::move(*user);
    account.createdAt = reader.timestamp(u"created_at");
    account.disabled = reader.boolean(u"disabled");
    account.sessions = int(reader.integer(u"sessions"));
    return reader.result(std::move(account));
}

QJsonObject ServerStats::toJson() const
{
    return { { u"users"_s, users }, { u"disabled_users"_s, disabledUsers }, { u"chats"_s, chats },
        { u"messages"_s, messages }, { u"files"_s, files }, { u"file_bytes"_s, fileBytes },
        { u"sessions"_s, sessions }, { u"database_bytes"_s, databaseBytes } };
}

Parsed<ServerStats> ServerStats::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    ServerStats stats;
    stats.users = reader.integer(u"users");
    stats.disabledUsers = reader.integer(u"disabled_users");
    stats.chats = reader.integer(u"chats");
    stats.messages = reader.integer(u"messages");
    stats.files = reader.integer(u"files");
    stats.fileBytes = reader.integer(u"file_bytes");
    stats.sessions = reader.integer(u"sessions");
    stats.databaseBytes = reader.integer(u"database_bytes");
    return reader.result(std::move(stats));
}

QJsonObject InviteInfo::toJson() const
{
    return { { u"code"_s, code }, { u"max_uses"_s, maxUses }, { u"uses"_s, uses },
        { u"created_at"_s, formatTimestamp(createdAt) },
        { u"expires_at"_s, expiresAt ? QJsonValue(formatTimestamp(*expiresAt)) : QJsonValue() },
        { u"revoked"_s, revoked } };
}

Parsed<InviteInfo> InviteInfo::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    InviteInfo invite;
    invite.code = reader.string(u"code", 1);
    invite.maxUses = int(reader.integer(u"max_uses"));
    invite.uses = int(reader.integer(u"uses"));
    invite.createdAt = reader.timestamp(u"created_at");
    invite.expiresAt = reader.optionalTimestamp(u"expires_at");
    invite.revoked = reader.boolean(u"revoked");
    return reader.result(std::move(invite));
}

} // namespace Messenger
