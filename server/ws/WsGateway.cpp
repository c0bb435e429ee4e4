#include "WsGateway.h"

#include "Hub.h"
#include "WsProtocol.h"
#include "WsSession.h"
#include "auth/SessionRegistry.h"
#include "cluster/EventFeed.h"
#include "db/Database.h"
#include "http/HttpConnections.h"
#include "http/Request.h"
#include "observability/LogFields.h"
#include "observability/Metrics.h"
#include "security/KnownUsers.h"
#include "services/ChatAccess.h"
#include "services/MessageService.h"
#include "services/SendOutcome.h"
#include "services/SendQueue.h"
#include "services/TokenService.h"
#include "services/TypingAudience.h"
#include "services/Updates.h"
#include "shared/Queries.h"
#include "shared/WsEvents.h"

#include <QDateTime>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
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
    , m_slots(settings.maxConnectionsPerUser, settings.maxConnectionsPerAddress)
    , m_framesBySocket(settings.frameRate)
{ }

namespace {

// The label of a WebSocket's path in logs and metrics, as the AsyncAPI
// document names its channels: never the raw path.
QString routeLabel(const QString &path)
{
    return path == u"/ws/user"_s ? path : u"/ws/{chat_id}"_s;
}

QString routeLabel(const WsSession &session)
{
    return session.isUserSocket() ? u"/ws/user"_s : u"/ws/{chat_id}"_s;
}

// A WebSocket's log line: opened, refused or closed.
void logSocket(const QString &message, const QString &route, const QString &client,
    const QString &userId, std::optional<int> closeCode = std::nullopt,
    std::optional<qint64> ageNanoseconds = std::nullopt)
{
    LogRecord fields;
    fields.route = route;
    fields.client = client;
    if (!userId.isEmpty())
        fields.userId = userId;
    fields.closeCode = closeCode;
    if (ageNanoseconds)
        fields.durationMs = double(*ageNanoseconds) / 1e6;
    const LogFieldsScope scope(fields);
    qCInfo(lcWs).noquote() << message;
}

} // namespace

void WsGateway::registerRoutes(QHttpServer &server)
{
    m_server = &server;
    // QHttpServer 6.4 upgrades only requests whose path a route handles; the
    // route writes nothing for an upgrade, so the socket reaches us.
    server.route(u"/ws/<arg>"_s,
        [this](
            const QString &, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            QTcpSocket *socket = responder.socket();
            if (request.value("upgrade"_ba).compare("websocket", Qt::CaseInsensitive) == 0) {
                if (m_httpConnections)
                    m_httpConnections->release(socket);
                return;
            }
            if (m_httpConnections && !m_httpConnections->requestArrived(socket, request)) {
                socket->abort(); // ambiguous framing: nothing after it is read
                return;
            }
            const RequestTrace trace = RequestTrace::of(
                request, routeLabel(request.url().path()), m_settings.trustedProxies);
            const QByteArray body
                = R"({"detail":"WebSocket endpoint: connect with an Upgrade request","code":"upgrade_required"})"_ba;
            QHttpServerResponse response(QByteArrayLiteral("application/json"), body,
                QHttpServerResponse::StatusCode::UpgradeRequired);
            response.addHeader(trace.header().first, trace.header().second);
            response.write(std::move(responder));
            if (m_httpConnections)
                m_httpConnections->answered(socket);
            trace.finish(426, body.size());
        });
    connect(&server, &QHttpServer::newWebSocketConnection, this, [this] {
        while (m_server->hasPendingWebSocketConnections())
            accept(m_server->nextPendingWebSocketConnection());
    });
}

void WsGateway::reject(QWebSocket *socket, const QString &detail, const QByteArray &reason)
{
    Metrics::global().webSocketsRefused.add(reason);
    logSocket(u"websocket refused: "_s + QString::fromLatin1(reason),
        routeLabel(socket->requestUrl().path()),
        m_settings.trustedProxies.clientAddress(
            socket->peerAddress(), socket->request().rawHeader("X-Forwarded-For")),
        {});
    // We own the socket from here: it goes when the close handshake ends.
    socket->setParent(this);
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    socket->sendTextMessage(QString::fromUtf8(compactJson(Refusal { detail }.toJson())));
    socket->close(QWebSocketProtocol::CloseCodePolicyViolated, detail.left(100));
}

void WsGateway::accept(std::unique_ptr<QWebSocket> socket)
{
    if (!socket)
        return;
    socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxFrameBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(m_settings.maxFrameBytes));
    const QUrl url = socket->requestUrl();
    const QUrlQuery query(url);
    const QString path = url.path();
    QString chatId;
    if (path != u"/ws/user"_s) {
        const auto id = canonicalUuid(QStringView(path).sliced(qMin(path.size(), qsizetype(4))));
        if (!id) {
            reject(socket.release(), u"Chat not found"_s, "chat_not_found");
            return;
        }
        chatId = *id;
    }
    QString token = query.queryItemValue(WsConnectQuery::tokenKey.toString(), QUrl::FullyDecoded);
    if (token.isEmpty()) {
        const QByteArray header = socket->request().rawHeader("Authorization").trimmed();
        if (header.size() > 7 && header.left(7).toLower() == "bearer ")
            token = QString::fromLatin1(header.mid(7).trimmed());
    }
    const auto identity = m_tokens.authenticate(token);
    if (!identity || m_sessions.isRevoked(identity->sessionId)) {
        reject(socket.release(), u"Could not validate credentials"_s, "invalid_token");
        return;
    }
    const Credentials credentials { identity->userId, identity->sessionId, identity->expiresAt };
    const auto userId = std::optional<QString>(identity->userId);
    std::optional<qint64> sinceSeq;
    if (query.hasQueryItem(WsConnectQuery::sinceSeqKey.toString())) {
        bool ok = false;
        sinceSeq = query.queryItemValue(WsConnectQuery::sinceSeqKey.toString()).toLongLong(&ok);
        if (!ok || *sinceSeq < 0) {
            reject(socket.release(), u"since_seq must be a non-negative integer"_s,
                "invalid_since_seq");
            return;
        }
    }
    const QString address = m_settings.trustedProxies.clientAddress(
        socket->peerAddress(), socket->request().rawHeader("X-Forwarded-For"));
    // The socket's place is taken now, before anything asynchronous: sockets
    // opening at the same moment each see the others. It is given back when
    // the socket is refused, leaves before it is open, or closes.
    ConnectionSlots::Refusal refusal = ConnectionSlots::Refusal::None;
    auto slot = m_slots.reserve(*userId, address, &refusal);
    if (!slot) {
        const bool forUser = refusal == ConnectionSlots::Refusal::TooManyForUser;
        reject(socket.release(),
            forUser ? u"Too many connections for this user"_s
                    : u"Too many connections from this address"_s,
            forUser ? "too_many_for_user" : "too_many_for_address");
        return;
    }
    // From here the socket is a session, so that every frame it sends counts
    // at once, also while it waits to be let in.
    auto *session
        = new WsSession(std::move(socket), *userId, chatId, m_settings.maxOutboundBytes, this);
    session->setSessionId(credentials.sessionId);
    session->setClientAddress(address);
    session->setAuthExpiresAt(credentials.expiresAt);
    connect(session, &WsSession::frameReceived, this, &WsGateway::handleFrame);
    connect(session, &WsSession::controlFrameReceived, this, &WsGateway::countFrame);
    connect(session, &WsSession::closed, this, [this, slot](WsSession *closedSession) {
        if (closedSession->isOpen()) {
            const int code = closedSession->closeCode();
            // Standard codes are labels; whatever else a client sends is "other".
            Metrics::global().webSocketsClosed.add(
                code >= 1000 && code <= 1015 ? QByteArray::number(code) : "other"_ba);
            logSocket(u"websocket closed"_s, routeLabel(*closedSession),
                closedSession->clientAddress(), closedSession->userId(), code,
                closedSession->ageNanoseconds());
        }
        slot->release();
        m_hub.remove(closedSession);
        closedSession->deleteLater();
    });
    // A user socket of a user and session we know opens at once: in a
    // reconnect storm thousands of sockets do not queue for the database.
    if (chatId.isEmpty() && m_knownUsers.contains(*userId)
        && m_sessions.isLive(credentials.sessionId)) {
        open(session, sinceSeq);
        return;
    }
    // The session (a live one's user exists) and, for a chat socket, the
    // membership are checked on a worker.
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
            [this, guard = QPointer<WsSession>(session), sinceSeq](const Result<Empty> &result) {
                if (!guard || guard->isClosing())
                    return; // the client went away meanwhile (or is going)
                if (!result) {
                    Metrics::global().webSocketsRefused.add(result.error().code.toUtf8());
                    logSocket(u"websocket refused: "_s + result.error().code, routeLabel(*guard),
                        guard->clientAddress(), guard->userId());
                    guard->send(compactJson(Refusal { result.error().detail }.toJson()));
                    guard->close(QWebSocketProtocol::CloseCodePolicyViolated,
                        result.error().detail.left(100));
                    return;
                }
                m_knownUsers.insert(guard->userId());
                open(guard, sinceSeq);
            });
}

void WsGateway::open(WsSession *session, std::optional<qint64> sinceSeq)
{
    // The feed reads this user's updates in full only from the next poll on:
    // the socket is let in once such a poll was handled, at its watermark.
    const QString userId = session->userId();
    m_feed.watch(userId);
    connect(session, &WsSession::closed, this, [this, userId] { m_feed.unwatch(userId); });
    m_feed.afterNextPoll(session, [this, session, sinceSeq] {
        if (!session->isClosing())
            admit(session, sinceSeq);
    });
}

void WsGateway::admit(WsSession *session, std::optional<qint64> sinceSeq)
{
    // The feed's watermark: every update up to it has been delivered, every
    // later one reaches this session through the hub. So the socket gets
    // exactly the updates after the seq its greeting names (resuming, the
    // replay covers (since_seq, watermark] first). Something committed just
    // before the socket connected can be on either side of it.
    const qint64 watermark = m_feed.deliveredSeq();
    session->open();
    ++Metrics::global().webSocketsOpened;
    logSocket(
        u"websocket opened"_s, routeLabel(*session), session->clientAddress(), session->userId());
    Greeting greeting { session->userId(), std::nullopt, watermark };
    if (!session->isUserSocket())
        greeting.chatId = session->chatId();
    session->send(compactJson(greeting.toJson()));
    m_hub.add(session);
    if (sinceSeq && session->isUserSocket()) {
        // Live updates after the watermark arrive through the hub and wait in
        // the session meanwhile.
        session->beginReplay();
        replay(session, *sinceSeq, watermark);
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
                session->send(wsErrorFrame(page.error(), std::nullopt, false));
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

void WsGateway::reportError(
    WsSession *session, const ApiError &error, const std::optional<QString> &clientId)
{
    session->send(wsErrorFrame(error, clientId, !session->isUserSocket()));
}

bool WsGateway::countFrame(WsSession *session)
{
    if (session->isClosing())
        return false;
    if (!m_framesBySocket.acquire(QString::number(session->serial(), 16)))
        return true;
    session->close(QWebSocketProtocol::CloseCodePolicyViolated, u"too many frames"_s);
    return false;
}

void WsGateway::handleFrame(WsSession *session, const QByteArray &frame)
{
    // Sends have their own limit per user (a 429-style error the client
    // retries); every other frame counts against the socket's limit (pings,
    // pongs and fragments arrive through controlFrameReceived), on arrival,
    // also while earlier commands wait, and a flood of them ends the socket.
    // Before the greeting nothing runs (clients wait for it), so every frame
    // then only counts.
    const bool isSend = WsProtocol::parse(frame, session->chatId()).isSend();
    if ((!isSend || !session->isOpen()) && !countFrame(session))
        return;
    if (session->isOpen())
        runFrame(session, frame);
}

void WsGateway::runFrame(WsSession *session, const QByteArray &frame)
{
    if (session->isClosing())
        return;
    const WsProtocol::Frame parsed = WsProtocol::parse(frame, session->chatId());
    if (session->isBusy()) {
        if (!session->defer(frame))
            reportError(session,
                ApiError { 429, u"too_many_commands"_s,
                    u"Too many commands in flight; wait for the acks"_s, {} },
                parsed.clientId);
        return;
    }
    if (!parsed.command) {
        reportError(session, parsed.command.error(), parsed.clientId);
        return;
    }
    const QString userId = session->userId();
    QPointer<WsSession> guard(session);
    const auto &command = parsed.command.value().command;
    if (std::holds_alternative<PingCommand>(command)) {
        session->send(compactJson(Pong {}.toJson()));
    } else if (const auto *auth = std::get_if<AuthCommand>(&command)) {
        reauthenticate(session, auth->token);
    } else if (const auto *send = std::get_if<SendCommand>(&command)) {
        session->beginSend();
        m_sends.submit(userId, send->request)
            .then(this,
                [this, guard, clientId = send->request.clientId](const Result<Message> &message) {
                    // The feed knows of the send already (SendQueue tells it).
                    if (!guard)
                        return;
                    const QByteArray answer
                        = SendOutcome(message, clientId).frame(!guard->isUserSocket());
                    if (!answer.isEmpty())
                        guard->send(answer);
                    guard->finishSend();
                    // What the client sent after this send runs now, in order.
                    while (guard && !guard->isBusy()) {
                        const auto next = guard->takeDeferred();
                        if (!next)
                            break;
                        runFrame(guard, *next);
                    }
                });
    } else if (const auto *read = std::get_if<ReadCommand>(&command)) {
        m_db.run([userId, chatId = read->chatId, messageId = read->messageId](
                     Db &db) { return MessageService::markRead(db, userId, messageId, chatId); })
            .then(this, [this, guard, clientId = read->clientId](const Result<ReadState> &state) {
                if (state)
                    Q_EMIT committed();
                else if (guard)
                    reportError(guard, state.error(), clientId);
            });
    } else if (const auto *typing = std::get_if<TypingCommand>(&command)) {
        m_db.run([userId, chatId = typing->chatId](
                     Db &db) { return TypingAudience::forTyper(db, chatId, userId); })
            .then(this,
                [this, guard, userId, chatId = typing->chatId, clientId = typing->clientId](
                    const Result<TypingAudience::Audience> &audience) {
                    if (!audience) {
                        if (guard)
                            reportError(guard, audience.error(), clientId);
                        return;
                    }
                    const QByteArray notice = compactJson(Event::of(std::nullopt, WsEvents::typing,
                        Typing { chatId, userId, audience.value().typerName })
                                                              .toJson());
                    m_hub.sendToUsers(audience.value().memberIds, notice, userId);
                    Q_EMIT typingBroadcast(notice);
                });
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
        reportError(session,
            ApiError::unauthorized(
                u"invalid_token"_s, u"auth: not a valid token of this socket's session"_s),
            std::nullopt);
        return;
    }
    session->setAuthExpiresAt(std::max(session->authExpiresAt(), identity->expiresAt));
    session->send(compactJson(
        Authenticated { session->authExpiresAt() - QDateTime::currentSecsSinceEpoch() }.toJson()));
}

void WsGateway::deliverRemoteTyping(const QByteArray &frame)
{
    // Typing is not stored, so it does not travel through the log: another
    // instance passes the frame on and the members are looked up here.
    const Parsed<Event> event = Event::fromJson(parseJson(frame).object());
    if (!event || event->type != WsEvents::typing)
        return; // another kind of ephemeral frame (presence) has its own reader
    const Parsed<Typing> typing = event->payload<Typing>();
    if (!typing)
        return;
    m_db.run([chatId = typing->chatId](Db &db) { return TypingAudience::members(db, chatId); })
        .then(this, [this, frame, userId = typing->userId](const Result<QStringList> &members) {
            if (members)
                m_hub.sendToUsers(members.value(), frame, userId);
        });
}

} // namespace Messenger::Server
