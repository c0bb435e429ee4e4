#include "WsSession.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWs, "messenger.server.ws")

namespace Messenger::Server {

WsSession::WsSession(std::unique_ptr<QWebSocket> socket, QString userId, QString chatId,
    qint64 maxOutboundBytes, QObject *parent)
    : QObject(parent)
    , m_socket(socket.release())
    , m_userId(std::move(userId))
    , m_chatId(std::move(chatId))
    , m_maxOutboundBytes(maxOutboundBytes)
{
    m_socket->setParent(this);
    m_lastActivity.start();
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_lastActivity.restart();
        Q_EMIT frameReceived(this, text.toUtf8());
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &bytes) {
        m_lastActivity.restart();
        Q_EMIT frameReceived(this, bytes);
    });
    connect(m_socket, &QWebSocket::pong, this, [this] { m_lastActivity.restart(); });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (!m_closed) {
            m_closed = true;
            Q_EMIT closed(this);
        }
    });
}

WsSession::~WsSession() = default;

void WsSession::send(const QByteArray &frame)
{
    transmit(frame);
}

void WsSession::deliver(qint64 seq, const QByteArray &frame)
{
    if (holdingBack())
        m_heldBack.append({ seq, frame });
    else if (seq > m_replayedUpTo)
        transmit(frame);
}

void WsSession::beginReplay()
{
    m_replaying = true;
}

void WsSession::finishReplay(qint64 replayedUpTo)
{
    m_replaying = false;
    m_replayedUpTo = replayedUpTo;
    releaseHeldBack();
}

void WsSession::finishSend()
{
    --m_sendsInFlight;
    releaseHeldBack();
}

bool WsSession::defer(const QByteArray &frame)
{
    // A client that pipelines more than this without waiting is misbehaving.
    constexpr qsizetype maxDeferred = 256;
    if (m_deferred.size() >= maxDeferred)
        return false;
    m_deferred.append(frame);
    return true;
}

std::optional<QByteArray> WsSession::takeDeferred()
{
    if (m_deferred.isEmpty() || isBusy())
        return std::nullopt;
    return m_deferred.takeFirst();
}

void WsSession::releaseHeldBack()
{
    if (holdingBack())
        return;
    const auto heldBack = std::exchange(m_heldBack, {});
    for (const auto &[seq, frame] : heldBack) {
        if (seq > m_replayedUpTo)
            transmit(frame);
    }
}

void WsSession::ping()
{
    if (!m_closed)
        m_socket->ping();
}

void WsSession::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closed)
        return;
    m_socket->close(code, reason);
}

void WsSession::transmit(const QByteArray &frame)
{
    if (m_closed)
        return;
    if (m_socket->bytesToWrite() + frame.size() > m_maxOutboundBytes) {
        qCInfo(lcWs) << "dropping a client that stopped reading; it can resume";
        m_closed = true;
        m_socket->abort();
        Q_EMIT closed(this);
        return;
    }
    m_socket->sendTextMessage(QString::fromUtf8(frame));
}

} // namespace Messenger::Server
