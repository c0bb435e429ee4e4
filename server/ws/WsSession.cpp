#include "WsSession.h"

#include <QLoggingCategory>
#include <QTimer>

#include <utility>

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
    static quint64 nextSerial = 0;
    m_serial = ++nextSerial;
    m_socket->setParent(this);
    m_lastActivity.start();
    m_age.start();
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_lastActivity.restart();
        Q_EMIT frameReceived(this, text.toUtf8());
    });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &bytes) {
        m_lastActivity.restart();
        Q_EMIT frameReceived(this, bytes);
    });
    // A message in fragments: each fragment but the last is a frame of its own.
    connect(m_socket, &QWebSocket::textFrameReceived, this,
        [this](const QString &, bool isLastFrame) { onFrameFragment(isLastFrame); });
    connect(m_socket, &QWebSocket::binaryFrameReceived, this,
        [this](const QByteArray &, bool isLastFrame) { onFrameFragment(isLastFrame); });
    connect(m_socket, &QWebSocket::pong, this, [this] {
        m_lastActivity.restart();
        Q_EMIT controlFrameReceived(this);
    });
    watchPings();
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (!m_closed) {
            m_closed = true;
            Q_EMIT closed(this);
        }
    });
}

void WsSession::watchPings()
{
    // QWebSocket answers a ping by itself (the pong is queued on the socket at
    // once) and has no signal for it, so a client could ping without limit and
    // without reading the pongs. Its frame reader, a child object of Qt's
    // private class QWebSocketDataProcessor, announces every ping after the
    // pong is queued; that signal is reached through the meta-object system.
    static bool warned = false;
    for (QObject *child : m_socket->children()) {
        if (qstrcmp(child->metaObject()->className(), "QWebSocketDataProcessor") == 0
            && connect(child, SIGNAL(pingReceived(QByteArray)), this, SLOT(onPingReceived())))
            return;
    }
    if (!std::exchange(warned, true))
        qCWarning(lcWs) << "this QtWebSockets does not announce pings: they are not counted";
}

void WsSession::onPingReceived()
{
    m_lastActivity.restart();
    Q_EMIT controlFrameReceived(this);
    closeIfOverOutbound();
}

void WsSession::onFrameFragment(bool isLastFrame)
{
    // The last fragment completes a message, which counts as one.
    if (!isLastFrame)
        Q_EMIT controlFrameReceived(this);
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
    if (isClosing())
        return;
    m_socket->ping();
    closeIfOverOutbound();
}

void WsSession::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (isClosing())
        return;
    m_closing = true;
    m_socket->close(code, reason);
    // A client that does not read never sees the close frame, and its socket
    // would wait for it with everything queued: cut it off after a while.
    QTimer::singleShot(closeGraceMs, this, [this] {
        if (!m_closed)
            m_socket->abort();
    });
}

bool WsSession::closeIfOverOutbound(qint64 adding)
{
    if (isClosing())
        return true;
    if (m_socket->bytesToWrite() + adding <= m_maxOutboundBytes)
        return false;
    qCInfo(lcWs) << "closing a client that stopped reading; it can resume";
    close(QWebSocketProtocol::CloseCodePolicyViolated, u"too much unread data"_s);
    return true;
}

void WsSession::transmit(const QByteArray &frame)
{
    if (closeIfOverOutbound(frame.size()))
        return;
    m_socket->sendTextMessage(QString::fromUtf8(frame));
}

} // namespace Messenger::Server
