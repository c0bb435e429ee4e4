#include "LiveConnection.h"

#include "ApiClient.h"
#include "shared/ApiPaths.h"
#include "shared/Json.h"
#include "shared/WsEvents.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLive, "messenger.client.live")

namespace Messenger::Client {

namespace {
constexpr int firstBackoffMs = 1000;
constexpr int maxBackoffMs = 30000;
constexpr int typingIntervalMs = 3000;
// We ping when the line has been quiet this long, and give up on it after
// the second interval (the server pings every 30 s, so a live line is never
// quiet for long).
constexpr int keepAliveIntervalMs = 20000;
constexpr int deadAfterMs = 50000;
// Renew this long before the access token expires (or at 80% of a shorter life).
constexpr qint64 renewBeforeExpiryMs = 60000;
} // namespace

LiveConnection::LiveConnection(ApiClient *api, QObject *parent)
    : QObject(parent)
    , m_api(api)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &LiveConnection::open);
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
        open();
    }
}

void LiveConnection::abortConnection()
{
    if (m_socket)
        m_socket->abort();
}

QString LiveConnection::send(const QString &chatId, const QString &text)
{
    const QString clientId = newUuid();
    m_outbox.append({ clientId, chatId, text });
    if (m_greeted)
        transmitSend(m_outbox.last());
    return clientId;
}

void LiveConnection::transmitSend(const Outgoing &outgoing)
{
    transmit({ { u"type"_s, WsEvents::send.toString() }, { u"chat_id"_s, outgoing.chatId },
        { u"text"_s, outgoing.text }, { u"client_id"_s, outgoing.clientId } });
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
    transmit({ { u"type"_s, WsEvents::typing.toString() }, { u"chat_id"_s, chatId } });
}

void LiveConnection::markRead(const QString &chatId, const QString &messageId)
{
    if (m_greeted) {
        transmit({ { u"type"_s, WsEvents::read.toString() }, { u"chat_id"_s, chatId },
            { u"message_id"_s, messageId } });
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
    QUrlQuery query;
    query.addQueryItem(u"token"_s, m_api->accessToken());
    if (m_resumeSeq > 0)
        query.addQueryItem(u"since_seq"_s, QString::number(m_resumeSeq));
    url.setQuery(query);

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
        const int base = std::min(maxBackoffMs, firstBackoffMs << std::min(m_attempt, 5));
        delay = base * (80 + int(QRandomGenerator::global()->bounded(41))) / 100;
        ++m_attempt;
    }
    m_reconnectAt.setRemainingTime(delay);
    m_reconnectTimer.start(delay);
    setState(State::WaitingToReconnect);
}

void LiveConnection::handleFrame(const QString &text)
{
    m_lastHeard.restart();
    const QJsonObject frame = parseJson(text.toUtf8()).object();
    if (frame.value(u"status").toString() == u"connected"_s) {
        m_greeted = true;
        m_attempt = 0;
        m_keepAlive.start();
        scheduleRenewal();
        setState(State::Connected);
        // Whatever was not acknowledged goes again; the same client_id makes
        // the server answer with the message it already has.
        for (const Outgoing &outgoing : std::as_const(m_outbox))
            transmitSend(outgoing);
        return;
    }
    if (frame.contains(u"error"_s) && !frame.contains(u"type"_s)) {
        // The server is refusing this connection; the close follows.
        qCInfo(lcLive) << "refused:" << frame.value(u"error").toString();
        return;
    }
    const QString type = frame.value(u"type").toString();
    if (type == WsEvents::ack) {
        const QString clientId = frame.value(u"client_id").toString();
        auto message = Message::fromJson(frame.value(u"data").toObject());
        m_outbox.removeIf([&clientId](const Outgoing &o) { return o.clientId == clientId; });
        if (message) {
            setResumeSeq(message->seq);
            Q_EMIT acknowledged(clientId, message.value());
        }
        return;
    }
    if (type == WsEvents::error) {
        const QString clientId = frame.value(u"client_id").toString();
        const QString detail = frame.value(u"detail").toString();
        if (clientId.isEmpty()) {
            Q_EMIT serverError(detail);
            return;
        }
        if (const int retryAfter = frame.value(u"retry_after").toInt(); retryAfter > 0) {
            // Over the server's rate limit: not a failure, just too soon.
            QTimer::singleShot(retryAfter * 1000, this, [this, clientId] { resend(clientId); });
            return;
        }
        QString chatId;
        for (const Outgoing &outgoing : std::as_const(m_outbox)) {
            if (outgoing.clientId == clientId)
                chatId = outgoing.chatId;
        }
        m_outbox.removeIf([&clientId](const Outgoing &o) { return o.clientId == clientId; });
        Q_EMIT sendFailed(clientId, chatId, detail);
        return;
    }
    if (type == WsEvents::authenticated) {
        Q_EMIT reauthenticated(frame.value(u"expires_in").toInteger());
        return;
    }
    if (type == WsEvents::pong)
        return;
    handleEvent(type, frame.value(u"data").toObject());
    // Only after the event is handed over does it count as seen.
    setResumeSeq(frame.value(u"seq").toInteger());
}

void LiveConnection::handleEvent(const QString &type, const QJsonObject &data)
{
    if (type == WsEvents::message || type == WsEvents::messageEdited) {
        auto message = Message::fromJson(data);
        if (!message) {
            qCWarning(lcLive) << "unreadable" << type << "event";
            return;
        }
        if (type == WsEvents::message)
            Q_EMIT messageReceived(message.value());
        else
            Q_EMIT messageEdited(message.value());
    } else if (type == WsEvents::messageDeleted) {
        Q_EMIT messageDeleted(data.value(u"chat_id").toString(), data.value(u"id").toString());
    } else if (type == WsEvents::read) {
        Q_EMIT readReceived(data.value(u"chat_id").toString(), data.value(u"user_id").toString(),
            data.value(u"message_id").toString(), data.value(u"seq").toInteger());
    } else if (type == WsEvents::chat) {
        auto chat = Chat::fromJson(data);
        if (chat)
            Q_EMIT chatUpdated(chat.value());
    } else if (type == WsEvents::chatRenamed) {
        auto renamed = ChatRenamed::fromJson(data);
        if (renamed)
            Q_EMIT chatRenamed(renamed.value());
    } else if (type == WsEvents::membersAdded) {
        auto added = MembersAdded::fromJson(data);
        if (added)
            Q_EMIT membersAdded(added.value());
    } else if (type == WsEvents::chatRemoved) {
        Q_EMIT chatRemoved(data.value(u"chat_id").toString());
    } else if (type == WsEvents::memberLeft) {
        Q_EMIT memberLeft(data.value(u"chat_id").toString(), data.value(u"user_id").toString());
    } else if (type == WsEvents::sessionRevoked) {
        Q_EMIT sessionRevoked(data.value(u"session_id").toString());
    } else if (type == WsEvents::typing) {
        Q_EMIT typingReceived(data.value(u"chat_id").toString(), data.value(u"user_id").toString(),
            data.value(u"name").toString());
    }
}

void LiveConnection::transmit(const QJsonObject &frame)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
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
    transmit({ { u"type"_s, WsEvents::auth.toString() }, { u"token"_s, m_api->accessToken() } });
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
        transmit({ { u"type"_s, WsEvents::ping.toString() } });
}

} // namespace Messenger::Client
