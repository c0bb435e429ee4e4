#include "KnownUsers.h"

#include "db/Database.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server {

KnownUsers::KnownUsers(Database &database, QObject *parent)
    : QObject(parent)
    , m_db(database)
{ }

void KnownUsers::insert(const QString &userId)
{
    if (m_known.size() >= maxKnown)
        m_known.clear();
    m_known.insert(userId);
}

QFuture<Result<Empty>> KnownUsers::confirm(const QString &userId)
{
    if (contains(userId))
        return QtFuture::makeReadyFuture(Result<Empty>(Empty {}));
    return m_db
        .run([userId](Db &db) -> Result<Empty> {
            // Its own query rather than ChatAccess::requireUser: services/
            // include security/ (SendQueue uses RateLimiter), not the reverse.
            if (!db.exec(u"SELECT 1 FROM users WHERE id = ?"_s, { userId }).next())
                return ApiError::unauthorized(
                    u"invalid_token"_s, u"Could not validate credentials"_s);
            return Empty {};
        })
        .then(this, [this, userId](const Result<Empty> &known) {
            if (known)
                insert(userId);
            return known;
        });
}

} // namespace Messenger::Server
