#pragma once

#include "User.h"

namespace Messenger {

// What `messenger-server admin ... --json` prints: one account of
// `admin user list`.
struct AccountSummary
{
    User user;
    qint64 createdAt = 0; // microseconds since the epoch
    bool disabled = false;
    int sessions = 0; // live ones

    QJsonObject toJson() const;
    static Parsed<AccountSummary> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

// `admin stats`: what the database holds.
struct ServerStats
{
    qint64 users = 0; // accounts that are not deleted, disabled ones included
    qint64 disabledUsers = 0;
    qint64 chats = 0;
    qint64 messages = 0; // deleted ones included (their rows stay)
    qint64 files = 0; // complete uploads
    qint64 fileBytes = 0; // their stored bytes, each shared copy once
    qint64 sessions = 0; // live ones
    qint64 databaseBytes = 0;

    QJsonObject toJson() const;
    static Parsed<ServerStats> fromJson(const QJsonObject &json, const QStringList &location = {});
};

// `admin invite list`: an invitation for REGISTRATION=invite.
struct InviteInfo
{
    QString code;
    int maxUses = 1;
    int uses = 0;
    qint64 createdAt = 0;
    std::optional<qint64> expiresAt; // none: never
    bool revoked = false;

    QJsonObject toJson() const;
    static Parsed<InviteInfo> fromJson(const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger
