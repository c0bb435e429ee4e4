#include "SessionRegistry.h"

#include "db/Database.h"
#include "services/TokenService.h"
#include "shared/WsEvents.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server {

SessionRegistry::SessionRegistry(Database &database, QObject *parent)
    : QObject(parent)
    , m_db(database)
{ }

QFuture<Result<Empty>> SessionRegistry::confirm(const QString &userId, const QString &sessionId)
{
    if (isRevoked(sessionId))
        return QtFuture::makeReadyFuture(Result<Empty>(
            ApiError::unauthorized(u"session_revoked"_s, u"This session was ended"_s)));
    if (isLive(sessionId))
        return QtFuture::makeReadyFuture(Result<Empty>(Empty {}));
    return m_db
        .run([userId, sessionId](
                 Db &db) { return TokenService::requireLiveSession(db, userId, sessionId); })
        .then(this, [this, sessionId](const Result<Empty> &live) -> Result<Empty> {
            // A revocation may have arrived while the query ran; it wins.
            if (isRevoked(sessionId))
                return ApiError::unauthorized(u"session_revoked"_s, u"This session was ended"_s);
            if (live) {
                if (m_live.size() >= maxRemembered)
                    m_live.clear();
                m_live.insert(sessionId);
            } else if (live.error().code == u"session_revoked"_s) {
                markRevoked({ sessionId });
            }
            return live;
        });
}

void SessionRegistry::markRevoked(const QStringList &sessionIds)
{
    for (const QString &sessionId : sessionIds) {
        m_live.remove(sessionId);
        if (m_revoked.size() >= maxRemembered)
            m_revoked.clear();
        m_revoked.insert(sessionId);
    }
}

void SessionRegistry::observe(const QList<Update> &updates)
{
    for (const Update &update : updates) {
        if (update.type != WsEvents::sessionRevoked)
            continue;
        if (const auto revoked = SessionRevoked::fromJson(update.data))
            markRevoked({ revoked->sessionId });
    }
}

} // namespace Messenger::Server
