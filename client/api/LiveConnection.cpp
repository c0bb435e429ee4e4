#include "LiveConnection.h"

#include "shared/Queries.h"

#include "ApiClient.h"
#include "shared/ApiPaths.h"
#include "shared/Json.h"
#include "shared/WsEvents.h"
#include "shared/WsFrames.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLive, "messenger.client.live")

namespace Messenger::Client {

namespace {
constexpr int typingIntervalMs = 3000;
// We ping when the line has been quiet this long, and give up on it after
// the second interval (the server pings every 30 s, so a live line is never
// quiet for long).
constexpr int keepAliveIntervalMs = 20000;
constexpr int deadAfterMs = 50000;
// Renew this long before the access token expires (or at 80% of a shorter life).
constexpr qint64 renewBeforeExpiryMs = 60000;
// While a reconnect waits longer than this, GET /health every ~2 s (±25%):
// the server coming back is noticed within seconds, not at the end of a 30 s
// backoff, and a health check is far cheaper for the server than a socket.
constexpr int comebackProbeMs = 2000;
} // namespace

LiveConnection::LiveConnection(ApiClient *api, QObject *parent)
    : QObject(parent)
    , m_api(api)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &LiveConnection::open);
    m_comebackProbe.setSingleShot(true);
    connect(&m_comebackProbe, &QTimer::timeout, this, &LiveConnection::probeForComeback);
    m_keepAlive.setInterval(keepAliveIntervalMs);
    connect(&m_keepAlive, &QTimer::timeout, this, &LiveConnection::checkAlive);
    m_renewal.setSingleShot(true);
    connect(&m_renewal, &QTimer::timeout, this, [this] {
        if (m_api && m_greeted)
            m_api->refresh(); // tokensChanged() then sends the new token
    });
    if (m_api)
        connect(m_api, &ApiClient::tokensChanged, this, &LiveConnection::sendFreshToken);
}

LiveConnection::~LiveConnection()
{
    if (m_socket)
        m_socket->abort();
}

int LiveConnection::secondsUntilReconnect() const
{
    if (m_state != State::WaitingToReconnect)
        return 0;
    return int((m_reconnectAt.remainingTime() + 999) / 1000);
}

void LiveConnection::setResumeSeq(qint64 seq)
{
    m_resumeSeq = std::max(m_resumeSeq, seq);
}

void LiveConnection::connectToServer()
{
    m_wanted = true;
    m_attempt = 0;
    if (m_state == State::Disconnected || m_state == State::WaitingToReconnect)
        open();
}

void LiveConnection::disconnectFromServer()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    m_comebackProbe.stop();
    m_keepAlive.stop();
    m_outbox.clear();
    m_resumeSeq = 0;
    if (m_socket) {
        QWebSocket *socket = std::exchange(m_socket, nullptr);
        socket->disconnect(this);
        socket->close(QWebSocketProtocol::CloseCodeNormal);
        socket->deleteLater();
    }
    setState(State::Disconnected);
}

void LiveConnection::reconnectNow()
{
    if (m_state == State::WaitingToReconnect) {
        m_reconnectTimer.stop();
        m_comebackProbe.stop();
        open();
    }
}

void LiveConnection::abortConnection()
{
    if (m_socket)
        m_socket->abort();
}

QString LiveConnection::send(const QString &chatId, const QString &text, const QString &clientId,
    const std::optional<QString> &replyToId, const QStringList &mentions,
    const QStringList &attachmentIds)
{
    m_outbox.append({ clientId.isEmpty() ? newUuid() : clientId, chatId, text, replyToId, mentions,
        attachmentIds });
    if (m_greeted)
        transmitSend(m_outbox.last());
    return m_outbox.last().clientId;
}

void LiveConnection::transmitSend(const Outgoing &outgoing)
{
    transmit(SendCommand { { outgoing.chatId, outgoing.text, outgoing.clientId, outgoing.replyToId,
                               outgoing.mentions, outgoing.attachmentIds } }
                 .toJson());
}

void LiveConnection::resend(const QString &clientId)
{
    if (!m_greeted)
        return; // the reconnect sends the whole outbox anyway
    for (const Outgoing &outgoing : std::as_const(m_outbox)) {
        if (outgoing.clientId == clientId)
            transmitSend(outgoing);
    }
}

void LiveConnection::sendTyping(const QString &chatId)
{
    if (!m_greeted)
        return;
    QDeadlineTimer &until = m_typingSentUntil[chatId];
    if (!until.hasExpired())
        return;
    until.setRemainingTime(typingIntervalMs);
    transmit(TypingCommand { chatId, std::nullopt }.toJson());
}

void LiveConnection::markRead(const QString &chatId, const QString &messageId)
{
    if (m_greeted) {
        transmit(ReadCommand { chatId, messageId, std::nullopt }.toJson());
    } else if (m_api) {
        m_api->markRead(chatId, messageId); // the socket is down; REST does the same
    }
}

void LiveConnection::open()
{
    if (!m_wanted || !m_api)
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    setState(State::Connecting);
    // A refused token (close 1008) or none at all: get a fresh one first.
    if (m_credentialsRefused || m_api->accessToken().isEmpty()) {
        m_credentialsRefused = false;
        m_api->refresh().then(this, [this](const ApiResult<TokenResponse> &tokens) {
            if (!m_wanted)
                return;
            if (!tokens) {
                if (tokens.error().kind == ApiError::Kind::Http && tokens.error().status < 500)
                    disconnectFromServer(); // the session is over; ApiClient said so
                else
                    scheduleReconnect();
                return;
            }
            open();
        });
        return;
    }
    QUrl url = m_api->baseUrl();
    url.setScheme(url.scheme() == u"https"_s ? u"wss"_s : u"ws"_s);
    url.setPath(url.path() + ApiPaths::wsUser.toString());
    url.setQuery(WsConnectQuery {
        m_api->accessToken(), m_resumeSeq > 0 ? std::optional(m_resumeSeq) : std::nullopt }
                     .toQuery());

    m_greeted = false;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &LiveConnection::handleFrame);
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        [this](QAbstractSocket::SocketError) {
            qCInfo(lcLive) << "socket error:" << (m_socket ? m_socket->errorString() : QString());
        });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        const auto code = m_socket ? m_socket->closeCode() : QWebSocketProtocol::CloseCodeNormal;
        qCInfo(lcLive) << "disconnected, close code" << code;
        // A refused, expired or revoked token: refresh before reconnecting
        // (a revoked session's refresh fails, which ends the session).
        if (code == QWebSocketProtocol::CloseCodePolicyViolated
            || int(code) == WsCloseCodes::tokenExpired || int(code) == WsCloseCodes::sessionRevoked)
            m_credentialsRefused = true;
        m_greeted = false;
        m_keepAlive.stop();
        m_renewal.stop();
        if (m_socket) {
            m_socket->deleteLater();
            m_socket = nullptr;
        }
        if (m_wanted)
            scheduleReconnect();
        else
            setState(State::Disconnected);
    });
    m_lastHeard.start();
    m_socket->open(url);
}

void LiveConnection::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void LiveConnection::scheduleReconnect()
{
    // 1, 2, 4 ... 30 s, each ±20%, so clients of a restarted server do not
    // all come back in the same instant. A refused token retries at once.
    int delay = 0;
    if (!m_credentialsRefused) {
        const qint64 base = std::min<qint64>(
            m_maxBackoff.count(), m_firstBackoff.count() << std::min(m_attempt, 5));
        delay = int(base * (80 + int(QRandomGenerator::global()->bounded(41))) / 100);
        ++m_attempt;
    }
    m_reconnectAt.setRemainingTime(delay);
    m_reconnectTimer.start(delay);
    setState(State::WaitingToReconnect);
    scheduleComebackProbe();
}

void LiveConnection::scheduleComebackProbe()
{
    const int wait = comebackProbeMs * (75 + int(QRandomGenerator::global()->bounded(51))) / 100;
    if (m_state == State::WaitingToReconnect && m_reconnectAt.remainingTime() > wait)
        m_comebackProbe.start(wait);
}

void LiveConnection::probeForComeback()
{
    if (m_state != State::WaitingToReconnect || !m_api)
        return;
    m_api->health().then(this, [this](const ApiResult<HealthStatus> &health) {
        if (m_state != State::WaitingToReconnect)
            return;
        if (health) {
            qCInfo(lcLive) << "the server answers again: reconnecting now";
            reconnectNow();
        } else {
            scheduleComebackProbe();
        }
    });
}

namespace {

// A frame that fails validation is dropped with a warning: a client must
// survive whatever arrives.
template <typename T> std::optional<T> validated(const QJsonObject &json, QStringView what)
{
    Parsed<T> parsed = T::fromJson(json);
    if (!parsed) {
        const FieldError first = parsed.errors().value(0);
        qCWarning(lcLive).noquote()
            << "ignoring an invalid" << what << "frame:" << first.loc.join(u'.') << first.msg;
        return std::nullopt;
    }
    return std::move(parsed).value();
}

template <typename T> std::optional<T> payloadOf(const Event &event)
{
    Parsed<T> parsed = event.payload<T>();
    if (!parsed) {
        const FieldError first = parsed.errors().value(0);
        qCWarning(lcLive).noquote()
            << "ignoring an invalid" << event.type << "event:" << first.loc.join(u'.') << first.msg;
        return std::nullopt;
    }
    return std::move(parsed).value();
}

} // namespace

void LiveConnection::handleFrame(const QString &text)
{
    m_lastHeard.restart();
    const QJsonObject frame = parseJson(text.toUtf8()).object();
    switch (serverFrameKind(frame)) {
    case ServerFrameKind::Greeting: {
        const auto greeting = validated<Greeting>(frame, u"greeting");
        if (!greeting)
            return;
        m_greeted = true;
        m_attempt = 0;
        // A resume first replays what was missed, up to the greeting's seq.
        m_catchUpTo = m_resumeSeq > 0 ? greeting->seq : 0;
        // A first connection's stream starts at the greeting: resuming from
        // there after a drop misses nothing.
        if (m_resumeSeq == 0)
            setResumeSeq(greeting->seq);
        m_keepAlive.start();
        scheduleRenewal();
        setState(State::Connected);
        // Whatever was not acknowledged goes again; the same client_id makes
        // the server answer with the message it already has.
        for (const Outgoing &outgoing : std::as_const(m_outbox))
            transmitSend(outgoing);
        return;
    }
    case ServerFrameKind::Refusal:
        // The server is refusing this connection; the close follows.
        if (const auto refusal = validated<Refusal>(frame, u"refusal"))
            qCInfo(lcLive) << "refused:" << refusal->error;
        return;
    case ServerFrameKind::Ack: {
        const auto ack = validated<Ack>(frame, u"ack");
        if (!ack)
            return;
        const QString clientId = ack->clientId.value_or(QString());
        m_outbox.removeIf([&clientId](const Outgoing &o) { return o.clientId == clientId; });
        setResumeSeq(ack->message.seq);
        Q_EMIT acknowledged(clientId, ack->message);
        return;
    }
    case ServerFrameKind::Error: {
        const auto error = validated<ErrorFrame>(frame, u"error");
        if (!error)
            return;
        handleError(*error);
        return;
    }
    case ServerFrameKind::Authenticated:
        if (const auto authenticated = validated<Authenticated>(frame, u"authenticated"))
            Q_EMIT reauthenticated(authenticated->expiresIn);
        return;
    case ServerFrameKind::Pong:
        return;
    case ServerFrameKind::Event:
        break;
    }
    const auto event = validated<Event>(frame, u"event");
    if (!event)
        return;
    handleEvent(*event);
    // Only after the event is handed over does it count as seen.
    if (event->seq)
        setResumeSeq(*event->seq);
}

void LiveConnection::handleError(const ErrorFrame &error)
{
    const auto pending = std::find_if(m_outbox.cbegin(), m_outbox.cend(),
        [&error](const Outgoing &o) { return error.clientId == o.clientId; });
    if (pending == m_outbox.cend()) {
        Q_EMIT serverError(error.detail);
        return;
    }
    const QString clientId = pending->clientId;
    if (error.retryAfterSeconds > 0) {
        // Over the server's rate limit: not a failure, just too soon.
        QTimer::singleShot(
            error.retryAfterSeconds * 1000, this, [this, clientId] { resend(clientId); });
        return;
    }
    // Final: the server refused it (not a member, too long...), so it is not
    // sent again on reconnect either.
    const QString chatId = pending->chatId;
    m_outbox.removeIf([&clientId](const Outgoing &o) { return o.clientId == clientId; });
    Q_EMIT sendFailed(clientId, chatId, error.detail);
}

void LiveConnection::handleEvent(const Event &event)
{
    Q_EMIT eventReceived(event);
    const QString &type = event.type;
    if (type == WsEvents::message) {
        if (const auto message = payloadOf<MessageEvent>(event))
            Q_EMIT messageReceived(message->message);
    } else if (type == WsEvents::messageEdited) {
        if (const auto message = payloadOf<Message>(event))
            Q_EMIT messageEdited(*message);
    } else if (type == WsEvents::messageDeleted) {
        if (const auto deleted = payloadOf<MessageDeleted>(event))
            Q_EMIT messageDeleted(deleted->chatId, deleted->id);
    } else if (type == WsEvents::messageReactions) {
        if (const auto changed = payloadOf<MessageReactions>(event))
            Q_EMIT reactionsChanged(*changed);
    } else if (type == WsEvents::read) {
        if (const auto receipt = payloadOf<ReadReceipt>(event))
            Q_EMIT readReceived(receipt->chatId, receipt->userId, receipt->messageId, receipt->seq);
    } else if (type == WsEvents::chat) {
        if (const auto chat = payloadOf<Chat>(event))
            Q_EMIT chatUpdated(*chat);
    } else if (type == WsEvents::chatSettings) {
        if (const auto changed = payloadOf<ChatSettingsChanged>(event))
            Q_EMIT chatSettingsChanged(*changed);
    } else if (type == WsEvents::chatRenamed) {
        if (const auto renamed = payloadOf<ChatRenamed>(event))
            Q_EMIT chatRenamed(*renamed);
    } else if (type == WsEvents::chatPinned) {
        if (const auto pinned = payloadOf<ChatPinned>(event))
            Q_EMIT chatPinned(*pinned);
    } else if (type == WsEvents::chatUpdated) {
        if (const auto changed = payloadOf<ChatUpdated>(event))
            Q_EMIT chatPhotoChanged(*changed);
    } else if (type == WsEvents::membersAdded) {
        if (const auto added = payloadOf<MembersAdded>(event))
            Q_EMIT membersAdded(*added);
    } else if (type == WsEvents::chatRemoved) {
        if (const auto removed = payloadOf<ChatRemoved>(event))
            Q_EMIT chatRemoved(removed->chatId);
    } else if (type == WsEvents::memberLeft) {
        if (const auto left = payloadOf<MemberLeft>(event))
            Q_EMIT memberLeft(left->chatId, left->userId);
    } else if (type == WsEvents::userUpdated) {
        if (const auto user = payloadOf<User>(event))
            Q_EMIT userUpdated(*user);
    } else if (type == WsEvents::sessionRevoked) {
        if (const auto revoked = payloadOf<SessionRevoked>(event))
            Q_EMIT sessionRevoked(revoked->sessionId);
    } else if (type == WsEvents::typing) {
        if (const auto typing = payloadOf<Typing>(event))
            Q_EMIT typingReceived(typing->chatId, typing->userId, typing->name);
    } else if (type == WsEvents::presence) {
        if (const auto presence = payloadOf<PresenceList>(event))
            Q_EMIT presenceReceived(*presence);
    }
}

void LiveConnection::transmit(const QJsonObject &frame)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(QString::fromUtf8(compactJson(frame)));
}

void LiveConnection::scheduleRenewal()
{
    const QDeadlineTimer deadline = m_api ? m_api->accessTokenDeadline() : QDeadlineTimer();
    if (deadline.isForever()) {
        m_renewal.stop();
        return;
    }
    const qint64 remaining = deadline.remainingTime();
    const qint64 wait
        = remaining > renewBeforeExpiryMs * 5 ? remaining - renewBeforeExpiryMs : remaining * 4 / 5;
    m_renewal.start(int(std::clamp<qint64>(wait, 0, std::numeric_limits<int>::max())));
}

void LiveConnection::sendFreshToken()
{
    if (!m_greeted || !m_api || m_api->accessToken().isEmpty())
        return;
    transmit(AuthCommand { m_api->accessToken() }.toJson());
    scheduleRenewal();
}

void LiveConnection::checkAlive()
{
    if (!m_socket)
        return;
    if (m_lastHeard.elapsed() > deadAfterMs) {
        qCInfo(lcLive) << "the connection went silent; reconnecting";
        m_socket->abort();
        return;
    }
    if (m_lastHeard.elapsed() > keepAliveIntervalMs - 1000)
        transmit(PingCommand {}.toJson());
}

} // namespace Messenger::Client
