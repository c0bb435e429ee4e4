#pragma once

#include "ConnectionSlots.h"
#include "core/ApiError.h"
#include "security/RateLimiter.h"
#include "security/TrustedProxies.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <memory>

class QHttpServer;

class QWebSocket;

namespace Messenger::Server {

class Database;
class EventFeed;
class HttpConnections;
class Hub;
class SendQueue;
class KnownUsers;
class SessionRegistry;
class TokenService;
class WsSession;

struct WsSettings
{
    int maxConnectionsPerUser = 16;
    int maxConnectionsPerAddress = 500;
    // Frames one socket may send (every frame but the `send` commands, which
    // count against the per-user message limit); a socket over it is closed
    // (1008): no client of ours sends more than a few a second.
    RateLimiter::Rule frameRate { 30, 60 };
    TrustedProxies trustedProxies;
    qint64 maxOutboundBytes = 4 * 1024 * 1024;
    qint64 maxFrameBytes = 64 * 1024;
    int replayPageSize = 500;
};

// Accepts /ws/user and /ws/{chat_id} upgrades, authenticates them (token in
// ?token= or Authorization: Bearer), replays what a resuming client missed,
// and runs the commands clients send. Every write goes through the same
// services as REST; committed() then wakes the feed that delivers it (sends
// tell the feed themselves, through SendQueue).
class WsGateway : public QObject
{
    Q_OBJECT
public:
    WsGateway(Database &database, SendQueue &sends, KnownUsers &knownUsers,
        SessionRegistry &sessions, TokenService &tokens, Hub &hub, EventFeed &feed,
        WsSettings settings, QObject *parent = nullptr);

    void registerRoutes(QHttpServer &server);
    // The HTTP connection rules: an upgraded connection leaves them.
    void setHttpConnections(HttpConnections *connections) { m_httpConnections = connections; }

    // A typing frame from another instance, for our members of its chat.
    void deliverRemoteTyping(const QByteArray &frame);

Q_SIGNALS:
    void committed();
    // A typing frame went to this instance's sockets; others should have it too.
    void typingBroadcast(const QByteArray &frame);

private:
    void accept(std::unique_ptr<QWebSocket> socket);
    // `reason` labels the refusal in /metrics and the log.
    void reject(QWebSocket *socket, const QString &detail, const QByteArray &reason);
    struct Credentials
    {
        QString userId;
        QString sessionId;
        qint64 expiresAt = 0;
    };
    // Lets a checked session in once the feed reads its user's updates (admit:
    // greeting, hub, resume).
    void open(WsSession *session, std::optional<qint64> sinceSeq);
    void admit(WsSession *session, std::optional<qint64> sinceSeq);
    void reauthenticate(WsSession *session, const QString &token);
    void replay(QPointer<WsSession> session, qint64 afterSeq, qint64 untilSeq);
    // A frame as it arrives: counted, then run.
    void handleFrame(WsSession *session, const QByteArray &frame);
    // Counts one frame against the socket's limit; false (and the socket
    // closing) when it is over.
    bool countFrame(WsSession *session);
    // Runs a command, or defers it while a send of this client is stored.
    void runFrame(WsSession *session, const QByteArray &frame);
    void reportError(
        WsSession *session, const ApiError &error, const std::optional<QString> &clientId);

    Database &m_db;
    SendQueue &m_sends;
    KnownUsers &m_knownUsers;
    SessionRegistry &m_sessions;
    TokenService &m_tokens;
    Hub &m_hub;
    EventFeed &m_feed;
    WsSettings m_settings;
    QHttpServer *m_server = nullptr;
    HttpConnections *m_httpConnections = nullptr;
    ConnectionSlots m_slots;
    RateLimiter m_framesBySocket;
};

} // namespace Messenger::Server
