#include "UserService.h"

#include "ChatAccess.h"
#include "EventLog.h"
#include "TokenService.h"
#include "files/FileService.h"
#include "shared/WsEvents.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server::UserService {

Result<User> registerUser(
    Db &db, const RegisterRequest &request, const QString &passwordHash, bool useInvite)
{
    const User user { newUuid(), request.email, request.name };
    const qint64 now = currentTimestamp();
    Transaction transaction(db);
    if (useInvite) {
        // One conditional UPDATE: of two registrations for a code's last
        // use, the second finds it used up (PostgreSQL re-checks the row
        // after the first commits; SQLite runs them one after the other).
        Rows used = db.exec(u"UPDATE invites SET uses = uses + 1 WHERE code = ? "
                            "AND revoked_at IS NULL AND uses < max_uses "
                            "AND (expires_at IS NULL OR expires_at > ?) RETURNING code"_s,
            { request.inviteCode.value_or(QString()), now });
        if (!used.next())
            return ApiError::forbidden(
                u"invalid_invite"_s, u"The invite code is unknown, expired, revoked or used up"_s);
    }
    {
        Rows rows
            = db.exec(u"INSERT INTO users (id, email, name, name_lower, password_hash, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id"_s,
                { user.id, user.email, user.name, user.name.toLower(), passwordHash, now });
        if (!rows.next())
            return ApiError::badRequest(u"email_taken"_s, u"Email already registered"_s);
    }
    transaction.commit();
    return user;
}

Result<Credentials> credentials(Db &db, const QString &email)
{
    Rows rows = db.exec(u"SELECT "_s + ChatAccess::userColumns
            + u", u.password_hash FROM users u WHERE u.email = ?"_s,
        { email });
    if (!rows.next())
        return Credentials {};
    return Credentials { ChatAccess::readUser(rows), rows.string(ChatAccess::userColumnCount) };
}

Result<User> user(Db &db, const QString &userId)
{
    return ChatAccess::requireUser(db, userId);
}

Result<Credentials> credentialsOf(Db &db, const QString &userId)
{
    Rows rows = db.exec(
        u"SELECT "_s + ChatAccess::userColumns + u", u.password_hash FROM users u WHERE u.id = ?"_s,
        { userId });
    if (!rows.next())
        return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    return Credentials { ChatAccess::readUser(rows), rows.string(ChatAccess::userColumnCount) };
}

namespace {

// Tells everyone who shares a chat with the user, and the user (other
// devices), what their profile is now.
void announceProfile(Db &db, const User &user)
{
    QStringList audience { user.id };
    {
        Rows rows = db.exec(u"SELECT DISTINCT other.user_id FROM chat_members mine "
                            "JOIN chat_members other ON other.chat_id = mine.chat_id "
                            "WHERE mine.user_id = ? AND other.user_id <> ?"_s,
            { user.id, user.id });
        while (rows.next())
            audience.append(rows.string(0));
    }
    const QJsonObject data = user.toJson();
    for (const QString &recipient : std::as_const(audience))
        EventLog::append(db, {}, recipient, WsEvents::userUpdated, data);
}

} // namespace

Result<QStringList> deleteAccount(Db &db, const QString &userId)
{
    Transaction transaction(db);
    // The photo goes with the next sweep of the files (FileService::sweep).
    db.exec(u"UPDATE files SET expires_at = ? WHERE id = "
            "(SELECT avatar_file_id FROM users WHERE id = ? AND deleted_at IS NULL)"_s,
        { currentTimestamp(), userId });
    {
        // The id stands in for the email: unique, and the address is free
        // for a new account. An empty hash matches no password.
        Rows deleted = db.exec(
            u"UPDATE users SET deleted_at = ?, email = CAST(id AS text), name = ?, "
            "name_lower = ?, password_hash = '', avatar_file_id = NULL, "
            "presence_visible = 'nobody' WHERE id = ? AND deleted_at IS NULL RETURNING id"_s,
            { currentTimestamp(), deletedAccountName.toString(),
                deletedAccountName.toString().toLower(), userId });
        if (!deleted.next())
            return ApiError::notFound(u"user_not_found"_s, u"User not found"_s);
    }
    const QStringList ended = TokenService::revokeAllSessions(db, userId);
    const Result<User> user = ChatAccess::requireUser(db, userId);
    if (!user)
        return user.error();
    announceProfile(db, user.value());
    transaction.commit();
    return ended;
}

Result<User> rename(Db &db, const QString &userId, const UpdateProfileRequest &request)
{
    Transaction transaction(db);
    {
        Rows renamed
            = db.exec(u"UPDATE users SET name = ?, name_lower = ? WHERE id = ? RETURNING id"_s,
                { request.name, request.name.toLower(), userId });
        if (!renamed.next())
            return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    }
    const Result<User> user = ChatAccess::requireUser(db, userId);
    if (!user)
        return user;
    announceProfile(db, user.value());
    transaction.commit();
    return user;
}

Result<User> setAvatar(
    Db &db, FileStore &store, const QString &userId, const std::optional<QString> &uploadId)
{
    std::optional<User> updated;
    const Result<Empty> replaced = FileService::replaceAvatar(
        db, store, userId, uploadId, [&db, &userId, &updated](const QString &fileId) {
            QString former;
            {
                Rows rows = db.exec(u"SELECT avatar_file_id FROM users WHERE id = ?"_s
                        + (db.isPostgres() ? u" FOR UPDATE"_s : QString()),
                    { userId });
                if (!rows.next())
                    return Result<QString>(ApiError::unauthorized(
                        u"invalid_token"_s, u"Could not validate credentials"_s));
                former = rows.isNull(0) ? QString() : rows.string(0);
            }
            if (!fileId.isEmpty() || !former.isEmpty()) {
                db.exec(u"UPDATE users SET avatar_file_id = ? WHERE id = ?"_s,
                    { fileId.isEmpty() ? QVariant() : QVariant(fileId), userId });
            }
            const Result<User> user = ChatAccess::requireUser(db, userId);
            if (!user)
                return Result<QString>(user.error());
            // Removing no photo changes nothing: nobody is told.
            if (!fileId.isEmpty() || !former.isEmpty())
                announceProfile(db, user.value());
            updated = user.value();
            return Result<QString>(former);
        });
    if (!replaced)
        return replaced.error();
    return *updated;
}

Result<QStringList> changePassword(
    Db &db, const QString &userId, const QString &passwordHash, const QString &keepSessionId)
{
    Transaction transaction(db);
    {
        Rows changed = db.exec(u"UPDATE users SET password_hash = ? WHERE id = ? RETURNING id"_s,
            { passwordHash, userId });
        if (!changed.next())
            return ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s);
    }
    const QStringList ended = TokenService::revokeOtherSessions(db, userId, keepSessionId);
    transaction.commit();
    return ended;
}

Result<QList<User>> search(Db &db, const QString &callerId, const UserSearchQuery &query)
{
    QString escaped = query.text.toLower();
    escaped.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    // Names match by word prefix; an e-mail only as a whole address, so
    // nobody can list the addresses on the server by their first letters.
    Rows rows = db.exec(u"SELECT "_s + ChatAccess::userColumns
            + u" FROM users u WHERE u.id <> ? AND u.deleted_at IS NULL AND "
              "(u.name_lower LIKE ? ESCAPE '\\' OR u.name_lower LIKE ? ESCAPE '\\' "
              "OR u.email = ?) ORDER BY u.name_lower, u.email LIMIT ?"_s,
        { callerId, QString(escaped + u'%'), QString(u"% "_s + escaped + u'%'),
            query.text.toLower(), query.limit });
    QList<User> users;
    while (rows.next())
        users.append(ChatAccess::readUser(rows));
    return users;
}

} // namespace Messenger::Server::UserService
