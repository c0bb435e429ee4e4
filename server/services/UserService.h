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

// Creates the account; 400 `email_taken` when the email is registered.
Result<User> registerUser(Db &db, const RegisterRequest &request, const QString &passwordHash);

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
