#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/AuthDtos.h"
#include "shared/User.h"

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

// A 422 for a search query that cannot be run: longer than
// Limits::userSearchQueryMax or not storable text (Validation::isStorableText).
// Checked before any database work.
std::optional<ApiError> invalidSearchQuery(const QString &query);

// People whose name (or a word of it) or email starts with `query`,
// case-insensitively, excluding the caller.
Result<QList<User>> search(Db &db, const QString &callerId, const QString &query, int limit);

} // namespace Messenger::Server::UserService
