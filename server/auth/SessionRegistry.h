#pragma once

#include "core/ApiError.h"
#include "services/Updates.h"

#include <QFuture>
#include <QObject>
#include <QSet>

namespace Messenger::Server {

class Database;

// Which sessions this instance knows to be live or revoked, so that a
// request costs no database query for its session once the first one
// confirmed it. Revocations reach it in two ways: at once for those this
// instance made (markRevoked, before the answer is written), and through the
// event feed (session_revoked, from the log every instance reads) for those
// made anywhere. A confirmation that was in flight while a revocation
// arrived does not resurrect the session. Event-loop thread only.
class SessionRegistry : public QObject
{
    Q_OBJECT
public:
    explicit SessionRegistry(Database &database, QObject *parent = nullptr);

    bool isLive(const QString &sessionId) const { return m_live.contains(sessionId); }
    bool isRevoked(const QString &sessionId) const { return m_revoked.contains(sessionId); }
    // Empty when `sessionId` is a live session of `userId`; else 401 or 503.
    QFuture<Result<Empty>> confirm(const QString &userId, const QString &sessionId);
    void markRevoked(const QStringList &sessionIds);

    // Bounds memory (about 100 bytes an id); past it a set starts over, which
    // only costs a database check per session again.
    static constexpr qsizetype maxRemembered = 200000;

public Q_SLOTS:
    // The feed's updates: picks out session_revoked events.
    void observe(const QList<Messenger::Server::Update> &updates);

private:
    Database &m_db;
    QSet<QString> m_live;
    QSet<QString> m_revoked;
};

} // namespace Messenger::Server
