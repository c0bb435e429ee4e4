#include "WsGateway.h"

#include "Hub.h"
#include "WsProtocol.h"
#include "WsSession.h"
#include "auth/SessionRegistry.h"
#include "cluster/EventFeed.h"
#include "db/Database.h"
#include "security/KnownUsers.h"
#include "services/ChatAccess.h"
#include "services/MessageService.h"
#include "services/SendQueue.h"
#include "services/TokenService.h"
#include "services/Updates.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrlQuery>
#include <QWebSocket>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcWs)

namespace Messenger::Server {

WsGateway::WsGateway(Database &database, SendQueue &sends, KnownUsers &knownUsers,
    SessionRegistry &sessions, TokenService &tokens, Hub &hub, EventFeed &feed, WsSettings settings,
    QObject *parent)
    : QObject(parent)
    , m_db(database)
    , m_sends(sends)
    , m_knownUsers(knownUsers)
    , m_sessions(sessions)
    , m_tokens(tokens)
    , m_hub(hub)
    , m_feed(feed)
    , m_settings(settings)
    , m_framesBySocket(settings.frameRate)
{ }

void WsGateway::registerRoutes(QHttpServer &server)
{
    m_server = &server;
    // QHttpServer 6.4 upgrades only requests whose path a route handles; the
    // route writes nothing for an upgrade, so the socket reaches us.
    server.route(u"/ws/<arg>"_s,
        [](const QString &, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            if (request.value("upgrade"_ba).compare("websocket", Qt::CaseInsensitive) == 0)
                return;
            QHttpServerResponse(QByteArrayLiteral("application/json"),
                R"({"detail":"WebSocket endpoint: connect with an Upgrade request","code":"upgrade_required"})"_ba,
                QHttpServerResponse::StatusCode::UpgradeRequired)
                .write(std::move(responder));
        });
    connect(&server, &QHttpServer::newWebSocketConnection, this, [this] {
        while (m_server->hasPendingWebSocketConnections())
            accept(m_server->nextPendingWebSocketConnection());
    });
}

void WsGateway::reject(QWebSocket *socket, const QString &detail)
{
    // We own the socket from here: it goes when the close handshake ends.
    socket->setParent(this);
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    socket->sendTextMessage(QString::fromUtf8(WsProtocol::seedError(detail)));
    socket->close(QWebSocketProtocol::CloseCodePolicyViolated, detail.left(100));
}

void WsGateway::accept(std::unique_ptr<QWebSocket> socket)
{
    if (!socket)
        return;
    Q_EMIT webSocketAccepted(socket->peerAddress(), socket->peerPort());
    socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxFrameBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxFrameBytes));
    const QUrl url = socket->requestUrl();
    const QUrlQuery query(url);
    const QString path = url.path();
    QString chatId;
    if (path != u"/ws/user"_s) {
        const auto id = canonicalUuid(QStringView(path).sliced(qMin(path.size(), qsizetype(4))));
        if (!id) {
            reject(socket.release(), u"Chat not found"_s);
            return;
        }
        chatId = *id;
    }
    QString token = query.queryItemValue(u"token"_s, QUrl::FullyDecoded);
    if (token.isEmpty()) {
        const QByteArray header = socket->request().rawHeader("Authorization").trimmed();
        if (header.size() > 7 && header.left(7).toLower() == "bearer ")
            token = QString::fromLatin1(header.mid(7).trimmed());
    }
    const auto identity = m_tokens.authenticate(token);
    if (!identity || m_sessions.isRevoked(identity->sessionId)) {
        reject(socket.release(), u"Could not validate credentials"_s);
        return;
    }
    const Credentials credentials { identity->userId, identity->sessionId, identity->expiresAt };
    const auto userId = std::optional<QString>(identity->userId);
    std::optional<qint64> sinceSeq;
    if (query.hasQueryItem(u"since_seq"_s)) {
        bool ok = false;
        sinceSeq = query.queryItemValue(u"since_seq"_s).toLongLong(&ok);
        if (!ok || *sinceSeq < 0) {
            reject(socket.release(), u"since_seq must be a non-negative integer"_s);
            return;
        }
    }
    if (m_hub.connectionsOf(*userId) >= m_settings.maxConnectionsPerUser) {
        reject(socket.release(), u"Too many connections for this user"_s);
        return;
    }
    const QString address = m_settings.trustedProxies.clientAddress(
        socket->peerAddress(), socket->request().rawHeader("X-Forwarded-For"));
    if (m_connectionsByAddress.value(address) >= m_settings.maxConnectionsPerAddress) {
        reject(socket.release(), u"Too many connections from this address"_s);
        return;
    }
    // A user socket of a user and session we know opens at once: in a
    // reconnect storm thousands of sockets do not queue for the database.
    if (chatId.isEmpty() && m_knownUsers.contains(*userId)
        && m_sessions.isLive(credentials.sessionId)) {
        open(std::move(socket), credentials, chatId, sinceSeq, address);
        return;
    }
    // The session (a live one's user exists) and, for a chat socket, the
    // membership are checked on a worker; the socket waits, owned by this
    // lambda until then.
    QPointer<QWebSocket> pending = socket.release();
    pending->setParent(this);
    m_sessions.confirm(credentials.userId, credentials.sessionId)
        .then(this,
            [this, user = *userId, chatId](const Result<Empty> &live) -> QFuture<Result<Empty>> {
                if (!live || chatId.isEmpty())
                    return QtFuture::makeReadyFuture(live);
                return m_db.run([user, chatId](Db &db) -> Result<Empty> {
                    const auto membership = ChatAccess::requireMember(db, chatId, user);
                    if (!membership)
                        return membership.error();
                    return Empty {};
                });
            })
        .unwrap()
        .then(this,
            [this, pending, credentials, chatId, sinceSeq, address](const Result<Empty> &result) {
                if (!pending)
                    return; // the client went away meanwhile
                if (!result) {
                    reject(pending, result.error().detail);
                    return;
                }
                m_knownUsers.insert(credentials.userId);
                pending->setParent(nullptr);
                open(std::unique_ptr<QWebSocket>(pending.data()), credentials, chatId, sinceSeq,
                    address);
            });
}

void WsGateway::open(std::unique_ptr<QWebSocket> socket, const Credentials &credentials,
    const QString &chatId, std::optional<qint64> sinceSeq, const QString &address)
{
    const QString &userId = credentials.userId;
    auto *session
        = new WsSession(std::move(socket), userId, chatId, m_settings.maxOutboundBytes, this);
    session->setSessionId(credentials.sessionId);
    session->setAuthExpiresAt(credentials.expiresAt);
    ++m_connectionsByAddress[address];
    connect(session, &WsSession::frameReceived, this, &WsGateway::handleFrame);
    connect(session, &WsSession::closed, this, [this, address](WsSession *closedSession) {
        if (--m_connectionsByAddress[address] <= 0)
            m_connectionsByAddress.remove(address);
        m_hub.remove(closedSession);
        closedSession->deleteLater();
    });
    session->send(WsProtocol::greeting(userId, chatId));
    m_hub.add(session);
    if (sinceSeq && session->isUserSocket()) {
        // Live updates after the feed's watermark arrive through the hub and
        // wait in the session; the replay covers (since_seq, watermark].
        session->beginReplay();
        replay(session, *sinceSeq, m_feed.deliveredSeq());
    }
}

void WsGateway::replay(QPointer<WsSession> session, qint64 afterSeq, qint64 untilSeq)
{
    const QString userId = session->userId();
    m_db.run([userId, afterSeq, untilSeq, limit = m_settings.replayPageSize](
                 Db &db) { return UpdatesService::forUser(db, userId, afterSeq, untilSeq, limit); })
        .then(this, [this, session, untilSeq](const Result<UpdatesService::UpdatesPage> &page) {
            if (!session)
                return;
            if (!page) {
                session->send(WsProtocol::error(page.error().detail));
                session->close(
                    QWebSocketProtocol::CloseCodeAbnormalDisconnection, u"resume failed"_s);
                return;
            }
            for (const Update &update : page.value().updates)
                session->send(update.frame());
            if (page.value().hasMore)
                replay(session, page.value().lastSeq, untilSeq);
            else
                session->finishReplay(untilSeq);
        });
}

void WsGateway::reportError(WsSession *session, const QString &detail,
    const std::optional<QString> &clientId, int retryAfterSeconds)
{
    session->send(session->isUserSocket() ? WsProtocol::error(detail, clientId, retryAfterSeconds)
                                          : WsProtocol::seedError(detail));
}

void WsGateway::handleFrame(WsSession *session, const QByteArray &frame)
{
    if (session->isBusy()) {
        if (!session->defer(frame))
            reportError(session, u"Too many commands in flight; wait for the acks"_s, std::nullopt);
        return;
    }
    const Result<WsProtocol::Command> parsed = WsProtocol::parse(frame, session->chatId());
    // Sends have their own limit per user (a 429-style error the client
    // retries); everything else a socket sends counts here, and a flood of
    // typing, read, ping or garbage frames ends the socket.
    if ((!parsed || parsed.value().type != WsProtocol::Command::Type::Send)
        && m_framesBySocket.acquire(QString::number(quintptr(session), 16))) {
        session->close(QWebSocketProtocol::CloseCodePolicyViolated, u"too many frames"_s);
        return;
    }
    if (!parsed) {
        reportError(session, parsed.error().detail, std::nullopt);
        return;
    }
    const WsProtocol::Command command = parsed.value();
    const QString userId = session->userId();
    QPointer<WsSession> guard(session);
    switch (command.type) {
    case WsProtocol::Command::Type::Ping:
        session->send(WsProtocol::pong());
        return;
    case WsProtocol::Command::Type::Auth:
        reauthenticate(session, command.token);
        return;
    case WsProtocol::Command::Type::Send:
        session->beginSend();
        m_sends.submit(userId, { command.chatId, command.text, command.clientId })
            .then(this, [this, guard, clientId = command.clientId](const Result<Message> &message) {
                if (message)
                    Q_EMIT committed();
                if (!guard)
                    return;
                if (!message)
                    reportError(
                        guard, message.error().detail, clientId, message.error().retryAfterSeconds);
                else if (guard->isUserSocket())
                    guard->send(WsProtocol::ack(clientId, message.value()));
                guard->finishSend();
                // What the client sent after this send runs now, in order.
                while (guard && !guard->isBusy()) {
                    const auto next = guard->takeDeferred();
                    if (!next)
                        break;
                    handleFrame(guard, *next);
                }
            });
        return;
    case WsProtocol::Command::Type::Read:
        m_db.run([userId, command](Db &db) {
                return MessageService::markRead(db, userId, command.messageId, command.chatId);
            })
            .then(this, [this, guard](const Result<ReadState> &state) {
                if (state)
                    Q_EMIT committed();
                else if (guard)
                    reportError(guard, state.error().detail, std::nullopt);
            });
        return;
    case WsProtocol::Command::Type::Typing:
        m_db.run([userId, chatId = command.chatId](Db &db) -> Result<QPair<QString, QStringList>> {
                const auto membership = ChatAccess::requireMember(db, chatId, userId);
                if (!membership)
                    return membership.error();
                const auto chat = ChatAccess::load(db, chatId);
                QString name;
                QStringList members;
                for (const User &member : chat ? chat->members : QList<User>()) {
                    members.append(member.id);
                    if (member.id == userId)
                        name = member.name;
                }
                return qMakePair(name, members);
            })
            .then(this,
                [this, guard, userId, chatId = command.chatId](
                    const Result<QPair<QString, QStringList>> &result) {
                    if (!result) {
                        if (guard)
                            reportError(guard, result.error().detail, std::nullopt);
                        return;
                    }
                    const QByteArray typing
                        = WsProtocol::typing(chatId, userId, result.value().first);
                    m_hub.sendToUsers(result.value().second, typing, userId);
                    Q_EMIT typingBroadcast(typing);
                });
        return;
    }
}

void WsGateway::reauthenticate(WsSession *session, const QString &token)
{
    // Only a token of the socket's own session extends it: a socket never
    // changes hands, and its session's revocation must still end it.
    const auto identity = m_tokens.authenticate(token);
    if (!identity || identity->userId != session->userId()
        || identity->sessionId != session->sessionId()
        || m_sessions.isRevoked(identity->sessionId)) {
        reportError(session, u"auth: not a valid token of this socket's session"_s, std::nullopt);
        return;
    }
    session->setAuthExpiresAt(std::max(session->authExpiresAt(), identity->expiresAt));
    session->send(
        WsProtocol::authenticated(session->authExpiresAt() - QDateTime::currentSecsSinceEpoch()));
}

void WsGateway::deliverRemoteTyping(const QByteArray &frame)
{
    // Typing is not stored, so it does not travel through the log: another
    // instance passes the frame on and the members are looked up here.
    const QJsonObject data = QJsonDocument::fromJson(frame).object().value(u"data").toObject();
    const auto chatId = canonicalUuid(data.value(u"chat_id").toString());
    if (!chatId)
        return;
    m_db.run([id = *chatId](Db &db) -> Result<QStringList> {
            const auto chat = ChatAccess::load(db, id);
            QStringList members;
            for (const User &member : chat ? chat->members : QList<User>())
                members.append(member.id);
            return members;
        })
        .then(this,
            [this, frame, userId = data.value(u"user_id").toString()](
                const Result<QStringList> &members) {
                if (members)
                    m_hub.sendToUsers(members.value(), frame, userId);
            });
}

} // namespace Messenger::Server
