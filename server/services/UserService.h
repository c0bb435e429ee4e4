#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/AuthDtos.h"
#include "shared/Queries.h"
#include "shared/User.h"

namespace Messenger::Server {
class FileStore;
}

namespace Messenger::Server::UserService {

// Who may register (REGISTRATION): anyone, nobody (accounts are made with
// `messenger-server admin user create`), or whoever has an invitation.
enum class Registration { Open, Closed, Invite };

// Creates the account; 400 `email_taken` when the email is registered. With
// `useInvite`, the request's invite code loses one use in the same
// transaction (403 `invalid_invite` when it is unknown, revoked, expired or
// used up), so of two registrations racing for a code's last use one wins.
Result<User> registerUser(
    Db &db, const RegisterRequest &request, const QString &passwordHash, bool useInvite = false);

// An operator deleted the account: it can no longer sign in or be found, its
// sessions end (their ids returned), and everyone who shares a chat with it
// sees it as "Deleted account" (a `user_updated` event each); its messages
// and memberships stay. 404 `user_not_found` when it is unknown or deleted.
Result<QStringList> deleteAccount(Db &db, const QString &userId);
inline constexpr QStringView deletedAccountName = u"Deleted account";

struct Credentials
{
    User user;
    QString passwordHash; // empty when no such user
};
Result<Credentials> credentials(Db &db, const QString &email);

Result<User> user(Db &db, const QString &userId);
// The caller's own credentials, to check a password change.
Result<Credentials> credentialsOf(Db &db, const QString &userId);

// Sets the display name and tells everyone who shares a chat with the user
// (and the user's other devices) with a `user_updated` event each. Names are
// read from users at every query, so chats and member lists follow.
Result<User> rename(Db &db, const QString &userId, const UpdateProfileRequest &request);
// PUT (with `uploadId`) and DELETE /users/me/avatar: sets or removes the
// caller's profile photo (FileService::replaceAvatar) and tells the same
// people as a rename with `user_updated`. Answers the user as it is now.
Result<User> setAvatar(
    Db &db, FileStore &store, const QString &userId, const std::optional<QString> &uploadId);
// Stores the new password hash and ends every session of the user but
// `keepSessionId`, in one transaction; the ids of the sessions that ended.
Result<QStringList> changePassword(
    Db &db, const QString &userId, const QString &passwordHash, const QString &keepSessionId);

// People whose name (or a word of it) or email starts with `query.text`,
// case-insensitively, excluding the caller. UserSearchQuery::fromQuery has
// checked the text: nothing that cannot match reaches the database.
Result<QList<User>> search(Db &db, const QString &callerId, const UserSearchQuery &query);

} // namespace Messenger::Server::UserService
