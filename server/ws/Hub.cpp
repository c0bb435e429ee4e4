#include "Hub.h"

#include "WsSession.h"
#include "observability/Metrics.h"
#include "shared/Events.h"
#include "shared/WsEvents.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

Hub::Hub(int pingIntervalSeconds, QObject *parent)
    : QObject(parent)
    , m_idleLimitMs(qint64(pingIntervalSeconds) * 2500) // two and a half pings without a word
    , m_pingSlots(std::max(1, pingIntervalSeconds))
{
    // One timer for every connection, not one per socket. It ticks every
    // second and pings a different slice of the sockets each time: pinging
    // them all at once stalled the event loop for over a second with 12,000
    // sockets (and every message delivered meanwhile with it).
    m_keepAlive.setInterval(1000);
    connect(&m_keepAlive, &QTimer::timeout, this, &Hub::keepAlive);
    m_keepAlive.start();
}

void Hub::add(WsSession *session)
{
    m_byUser.insert(session->userId(), session);
    ++Metrics::global().webSocketConnections;
    if (session->isUserSocket())
        Q_EMIT userSocketOpened(session->userId());
}

void Hub::remove(WsSession *session)
{
    if (m_byUser.remove(session->userId(), session) > 0) {
        --Metrics::global().webSocketConnections;
        if (session->isUserSocket())
            Q_EMIT userSocketClosed(session->userId());
    }
}

void Hub::sendToUsers(
    const QStringList &userIds, const QByteArray &frame, const QString &exceptUserId)
{
    for (const QString &userId : userIds) {
        if (userId == exceptUserId)
            continue;
        // Copy, as in deliver(): a send may drop a slow session.
        const QList<WsSession *> sessions = m_byUser.values(userId);
        for (WsSession *session : sessions) {
            if (session->isUserSocket())
                session->send(frame);
        }
    }
}

void Hub::deliver(const QList<Update> &updates, const QHash<QString, QStringList> &members)
{
    for (const Update &update : updates) {
        const QByteArray frame = update.frame();
        const bool isMessage = update.type == WsEvents::message;
        const auto reach = [&](const QString &userId, bool chatEvent) {
            // Copy: a send may drop a slow session, which edits m_byUser.
            const QList<WsSession *> sessions = m_byUser.values(userId);
            for (WsSession *session : sessions) {
                if (session->isUserSocket()
                    || (chatEvent && isMessage && session->chatId() == update.chatId)) {
                    session->deliver(update.seq, frame);
                    if (isMessage)
                        ++Metrics::global().messagesDelivered;
                }
            }
        };
        if (!update.chatId.isEmpty()) {
            for (const QString &userId : members.value(update.chatId))
                reach(userId, true);
        }
        if (!update.userId.isEmpty()) {
            reach(update.userId, false);
            if (update.type == WsEvents::sessionRevoked) {
                if (const auto revoked = SessionRevoked::fromJson(update.data))
                    closeSession(update.userId, revoked->sessionId);
            }
            if (update.type == WsEvents::chatRemoved) {
                // A removed member's seed socket on that chat ends at once.
                const auto removed = ChatRemoved::fromJson(update.data);
                const QList<WsSession *> sessions = m_byUser.values(update.userId);
                for (WsSession *session : sessions) {
                    if (removed && session->chatId() == removed->chatId)
                        session->close(
                            QWebSocketProtocol::CloseCodePolicyViolated, u"removed from chat"_s);
                }
            }
        }
        // Handed to every socket it concerns (queued on them) by now.
        if (update.committedAt > 0)
            Metrics::global().recordFeedLag((currentTimestamp() - update.committedAt) * 1000);
    }
}

void Hub::closeAll(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    const QList<WsSession *> sessions = m_byUser.values();
    for (WsSession *session : sessions)
        session->close(code, reason);
}

void Hub::closeSession(const QString &userId, const QString &sessionId)
{
    const QList<WsSession *> sessions = m_byUser.values(userId);
    for (WsSession *session : sessions) {
        if (session->sessionId() == sessionId)
            session->close(
                QWebSocketProtocol::CloseCode(WsCloseCodes::sessionRevoked), u"session revoked"_s);
    }
}

void Hub::keepAlive()
{
    const int slot = m_tick++ % m_pingSlots;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QList<WsSession *> sessions = m_byUser.values();
    for (WsSession *session : sessions) {
        // A socket lives no longer than its token, unless the client sent a
        // fresh one over it (`auth`) in time.
        if (session->authExpiresAt() <= now)
            session->close(
                QWebSocketProtocol::CloseCode(WsCloseCodes::tokenExpired), u"token expired"_s);
        else if (session->idleMs() > m_idleLimitMs)
            session->close(QWebSocketProtocol::CloseCodeGoingAway, u"idle timeout"_s);
        else if (int(qHash(quintptr(session)) % uint(m_pingSlots)) == slot)
            session->ping();
    }
}

} // namespace Messenger::Server
