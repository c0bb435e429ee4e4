#include "AdminService.h"

#include "ChatAccess.h"
#include "TokenService.h"
#include "auth/Jwt.h"

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server::AdminService {

namespace {

ApiError userNotFound()
{
    return ApiError::notFound(u"user_not_found"_s, u"User not found"_s);
}

// readInvite's columns.
const QString selectInvites
    = u"SELECT code, max_uses, uses, created_at, expires_at, revoked_at FROM invites"_s;

InviteInfo readInvite(const Rows &rows)
{
    InviteInfo invite;
    invite.code = rows.string(0);
    invite.maxUses = int(rows.integer(1));
    invite.uses = int(rows.integer(2));
    invite.createdAt = rows.integer(3);
    if (!rows.isNull(4))
        invite.expiresAt = rows.integer(4);
    invite.revoked = !rows.isNull(5);
    return invite;
}

qint64 count(Db &db, const QString &sql)
{
    Rows rows = db.exec(sql);
    return rows.next() ? rows.integer(0) : 0;
}

} // namespace

Result<QString> userIdByEmail(Db &db, const QString &email)
{
    Rows rows = db.exec(
        u"SELECT id FROM users WHERE email = ? AND deleted_at IS NULL"_s, { email.toLower() });
    if (!rows.next())
        return userNotFound();
    return rows.string(0);
}

Result<QList<AccountSummary>> accounts(Db &db)
{
    Rows rows = db.exec(u"SELECT "_s + ChatAccess::userColumns
        + u", u.created_at, u.disabled_at, (SELECT COUNT(*) FROM sessions s "
          "WHERE s.user_id = u.id AND s.revoked_at IS NULL) "
          "FROM users u WHERE u.deleted_at IS NULL ORDER BY u.created_at, u.email"_s);
    QList<AccountSummary> accounts;
    constexpr int first = ChatAccess::userColumnCount;
    while (rows.next()) {
        accounts.append({ ChatAccess::readUser(rows), rows.integer(first), !rows.isNull(first + 1),
            int(rows.integer(first + 2)) });
    }
    return accounts;
}

Result<QStringList> setPassword(Db &db, const QString &userId, const QString &passwordHash)
{
    Transaction transaction(db);
    {
        Rows changed = db.exec(u"UPDATE users SET password_hash = ? "
                               "WHERE id = ? AND deleted_at IS NULL RETURNING id"_s,
            { passwordHash, userId });
        if (!changed.next())
            return userNotFound();
    }
    const QStringList ended = TokenService::revokeAllSessions(db, userId);
    transaction.commit();
    return ended;
}

Result<QStringList> disable(Db &db, const QString &userId)
{
    Transaction transaction(db);
    {
        // The row lock comes first: a login making a session waits for it
        // (TokenService::requireActiveAccount) and then sees the account
        // disabled, or made its session before and it is ended below.
        Rows disabled = db.exec(u"UPDATE users SET disabled_at = COALESCE(disabled_at, ?) "
                                "WHERE id = ? AND deleted_at IS NULL RETURNING id"_s,
            { currentTimestamp(), userId });
        if (!disabled.next())
            return userNotFound();
    }
    const QStringList ended = TokenService::revokeAllSessions(db, userId);
    transaction.commit();
    return ended;
}

Result<Empty> enable(Db &db, const QString &userId)
{
    Rows enabled = db.exec(u"UPDATE users SET disabled_at = NULL "
                           "WHERE id = ? AND deleted_at IS NULL RETURNING id"_s,
        { userId });
    if (!enabled.next())
        return userNotFound();
    return Empty {};
}

Result<QStringList> revokeSessions(
    Db &db, const QString &userId, const std::optional<QString> &sessionId)
{
    if (sessionId)
        return TokenService::revokeSession(db, userId, *sessionId);
    Transaction transaction(db);
    const QStringList ended = TokenService::revokeAllSessions(db, userId);
    transaction.commit();
    return ended;
}

Result<ServerStats> stats(Db &db)
{
    ServerStats stats;
    stats.users = count(db, u"SELECT COUNT(*) FROM users WHERE deleted_at IS NULL"_s);
    stats.disabledUsers = count(
        db, u"SELECT COUNT(*) FROM users WHERE deleted_at IS NULL AND disabled_at IS NOT NULL"_s);
    stats.chats = count(db, u"SELECT COUNT(*) FROM chats"_s);
    stats.messages = count(db, u"SELECT COUNT(*) FROM messages"_s);
    stats.files = count(db, u"SELECT COUNT(*) FROM files WHERE blob_id IS NOT NULL"_s);
    stats.fileBytes = count(db, u"SELECT COALESCE(SUM(size), 0) FROM blobs"_s);
    stats.sessions = count(db, u"SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL"_s);
    stats.databaseBytes = count(db,
        db.isPostgres() ? u"SELECT pg_database_size(current_database())"_s
                        : u"SELECT page_count * page_size FROM pragma_page_count(), "
                          "pragma_page_size()"_s);
    return stats;
}

Result<InviteInfo> createInvite(Db &db, int maxUses, std::optional<qint64> expiresAt)
{
    QByteArray random(16, Qt::Uninitialized);
    randombytes_buf(random.data(), size_t(random.size()));
    InviteInfo invite;
    invite.code = QString::fromLatin1(base64UrlEncode(random));
    invite.maxUses = maxUses;
    invite.createdAt = currentTimestamp();
    invite.expiresAt = expiresAt;
    db.exec(u"INSERT INTO invites (code, max_uses, created_at, expires_at) VALUES (?, ?, ?, ?)"_s,
        { invite.code, maxUses, invite.createdAt, expiresAt ? QVariant(*expiresAt) : QVariant() });
    return invite;
}

Result<QList<InviteInfo>> invites(Db &db)
{
    Rows rows = db.exec(selectInvites + u" ORDER BY created_at, code"_s);
    QList<InviteInfo> invites;
    while (rows.next())
        invites.append(readInvite(rows));
    return invites;
}

Result<Empty> revokeInvite(Db &db, const QString &code)
{
    Rows revoked = db.exec(u"UPDATE invites SET revoked_at = ? "
                           "WHERE code = ? AND revoked_at IS NULL RETURNING code"_s,
        { currentTimestamp(), code });
    if (!revoked.next())
        return ApiError::notFound(u"invite_not_found"_s, u"Invite not found"_s);
    return Empty {};
}

} // namespace Messenger::Server::AdminService
