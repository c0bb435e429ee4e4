#include "UserService.h"

#include "ChatAccess.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server::UserService {

Result<User> registerUser(Db &db, const RegisterRequest &request, const QString &passwordHash)
{
    const User user { newUuid(), request.email, request.name };
    Rows rows = db.exec(
        u"INSERT INTO users (id, email, name, name_lower, password_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id"_s,
        { user.id, user.email, user.name, user.name.toLower(), passwordHash, currentTimestamp() });
    if (!rows.next())
        return ApiError::badRequest(u"email_taken"_s, u"Email already registered"_s);
    return user;
}

Result<Credentials> credentials(Db &db, const QString &email)
{
    Rows rows
        = db.exec(u"SELECT id, email, name, password_hash FROM users WHERE email = ?"_s, { email });
    if (!rows.next())
        return Credentials {};
    return Credentials { { rows.string(0), rows.string(1), rows.string(2) }, rows.string(3) };
}

Result<User> user(Db &db, const QString &userId)
{
    return ChatAccess::requireUser(db, userId);
}

Result<QList<User>> search(Db &db, const QString &callerId, const UserSearchQuery &query)
{
    QString escaped = query.text.toLower();
    escaped.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
    // Names match by word prefix; an e-mail only as a whole address, so
    // nobody can list the addresses on the server by their first letters.
    Rows rows = db.exec(u"SELECT id, email, name FROM users WHERE id <> ? AND "
                        "(name_lower LIKE ? ESCAPE '\\' OR name_lower LIKE ? ESCAPE '\\' "
                        "OR email = ?) ORDER BY name_lower, email LIMIT ?"_s,
        { callerId, QString(escaped + u'%'), QString(u"% "_s + escaped + u'%'),
            query.text.toLower(), query.limit });
    QList<User> users;
    while (rows.next())
        users.append({ rows.string(0), rows.string(1), rows.string(2) });
    return users;
}

} // namespace Messenger::Server::UserService
