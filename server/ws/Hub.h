#pragma once

#include "services/Updates.h"

#include <QMultiHash>
#include <QObject>
#include <QTimer>
#include <QWebSocketProtocol>

namespace Messenger::Server {

class WsSession;

// Who is connected, and delivery to them. Lives on the event-loop thread. A
// chat's updates reach only the sessions of its current members; an update
// addressed to one user reaches only that user. Each frame is serialised once
// however many sessions receive it.
class Hub : public QObject
{
    Q_OBJECT
public:
    explicit Hub(int pingIntervalSeconds, QObject *parent = nullptr);

    void add(WsSession *session);
    void remove(WsSession *session);
    qsizetype connectionCount() const { return m_byUser.size(); }
    void sendToUsers(
        const QStringList &userIds, const QByteArray &frame, const QString &exceptUserId);
    void closeAll(QWebSocketProtocol::CloseCode code, const QString &reason);
    // Closes the sockets of one session of `userId` (it was revoked).
    void closeSession(const QString &userId, const QString &sessionId);

Q_SIGNALS:
    // An open /ws/user socket of the user joined or left (for presence).
    void userSocketOpened(const QString &userId);
    void userSocketClosed(const QString &userId);

public Q_SLOTS:
    void deliver(const QList<Messenger::Server::Update> &updates,
        const QHash<QString, QStringList> &members);

private:
    void keepAlive();

    QMultiHash<QString, WsSession *> m_byUser;
    QTimer m_keepAlive;
    qint64 m_idleLimitMs;
    int m_pingSlots; // a ping interval in keep-alive ticks
    int m_tick = 0;
};

} // namespace Messenger::Server
