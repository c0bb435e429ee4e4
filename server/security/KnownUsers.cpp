#include "KnownUsers.h"

#include "db/Database.h"
#include "services/ChatAccess.h"

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
            const Result<User> user = ChatAccess::requireUser(db, userId);
            if (!user)
                return user.error();
            return Empty {};
        })
        .then(this, [this, userId](const Result<Empty> &known) {
            if (known)
                insert(userId);
            return known;
        });
}

} // namespace Messenger::Server
