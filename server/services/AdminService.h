#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Admin.h"

namespace Messenger::Server::AdminService {

// What `messenger-server admin` does to the database. Whatever ends sessions
// logs `session_revoked` events in the same transaction, so running servers
// refuse the tokens and close the sockets once their event feed reads them.

// The account with this email that is not deleted; 404 `user_not_found`.
Result<QString> userIdByEmail(Db &db, const QString &email);
// Every account that is not deleted, oldest first.
Result<QList<AccountSummary>> accounts(Db &db);
// A new password hash; the account's sessions end (their ids returned).
Result<QStringList> setPassword(Db &db, const QString &userId, const QString &passwordHash);
// Disabled: no sign-in (403 `account_disabled`), every session ends.
Result<QStringList> disable(Db &db, const QString &userId);
Result<Empty> enable(Db &db, const QString &userId);
// Ends one live session of the user (404 `session_not_found`), or all of them.
Result<QStringList> revokeSessions(
    Db &db, const QString &userId, const std::optional<QString> &sessionId);

Result<ServerStats> stats(Db &db);

// A new invitation for `maxUses` registrations, until `expiresAt` (none: never).
Result<InviteInfo> createInvite(Db &db, int maxUses, std::optional<qint64> expiresAt);
Result<QList<InviteInfo>> invites(Db &db);
// 404 `invite_not_found` when unknown or revoked already.
Result<Empty> revokeInvite(Db &db, const QString &code);

} // namespace Messenger::Server::AdminService
