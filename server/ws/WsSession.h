#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QWebSocket>

#include <limits>
#include <memory>
#include <optional>

namespace Messenger::Server {

// One open WebSocket: /ws/user (every chat of the user) or the seed's
// /ws/{chat_id} (one chat). Sends are bounded: a client whose unsent data
// passes the limit (every byte queued to it counts, the pongs QWebSocket
// writes by itself included) is closed (it can resume later) instead of
// growing server memory. While a resume replays history, or while a send of
// this client awaits its commit, live frames wait in order: a sender always
// gets its `ack` before the `message` event of what it sent.
class WsSession : public QObject
{
    Q_OBJECT
public:
    WsSession(std::unique_ptr<QWebSocket> socket, QString userId, QString chatId,
        qint64 maxOutboundBytes, QObject *parent = nullptr);
    ~WsSession() override;

    const QString &userId() const { return m_userId; }
    // The session (`sid`) of the token that opened the socket.
    const QString &sessionId() const { return m_sessionId; }
    // When the socket's access token expires (seconds since the epoch); an
    // `auth` frame with a fresh token of the same session moves it.
    qint64 authExpiresAt() const { return m_authExpiresAt; }
    void setAuthExpiresAt(qint64 secondsSinceEpoch) { m_authExpiresAt = secondsSinceEpoch; }
    void setSessionId(const QString &sessionId) { m_sessionId = sessionId; }
    // The chat of a seed /ws/{chat_id} socket; empty for /ws/user.
    const QString &chatId() const { return m_chatId; }
    bool isUserSocket() const { return m_chatId.isEmpty(); }
    // A session is created when its socket is accepted, so that its frames
    // count from the start; it is open once its user (and membership) checked out.
    bool isOpen() const { return m_open; }
    void open() { m_open = true; }

    // A frame for this client only (greeting, ack, error, pong).
    void send(const QByteArray &frame);
    // A frame of the live stream, held back while a replay or a send runs.
    void deliver(qint64 seq, const QByteArray &frame);

    void beginReplay();
    // Live frames up to `replayedUpTo` were replayed; newer held-back ones follow.
    void finishReplay(qint64 replayedUpTo);
    // Brackets a `send` command: call finishSend() after its ack or error went out.
    void beginSend() { ++m_sendsInFlight; }
    void finishSend();
    // Commands from one client are carried out in the order sent: while a send
    // is being stored, later frames wait here. False when too many wait.
    bool isBusy() const { return m_sendsInFlight > 0; }
    bool defer(const QByteArray &frame);
    std::optional<QByteArray> takeDeferred();

    qint64 idleMs() const { return m_lastActivity.elapsed(); }
    // The client's address (or the one a trusted proxy forwarded for), for the log.
    const QString &clientAddress() const { return m_clientAddress; }
    void setClientAddress(const QString &address) { m_clientAddress = address; }
    // Since the socket was accepted.
    qint64 ageNanoseconds() const { return m_age.nsecsElapsed(); }
    // The code of the close frame sent or received (1006 when there was none).
    int closeCode() const { return int(m_socket->closeCode()); }
    void ping();
    // Sends the close frame; a client that does not finish the closing
    // handshake within closeGraceMs is cut off.
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);
    bool isClosing() const { return m_closing || m_closed; }
    static constexpr int closeGraceMs = 5000;
    // Distinguishes sessions for the frame limiter (an address may be reused).
    quint64 serial() const { return m_serial; }

Q_SIGNALS:
    // A whole text or binary message.
    void frameReceived(Messenger::Server::WsSession *session, const QByteArray &frame);
    // Any other frame the client sent: a ping, a pong, a fragment of a message.
    void controlFrameReceived(Messenger::Server::WsSession *session);
    void closed(Messenger::Server::WsSession *session);

private Q_SLOTS:
    void onPingReceived();

private:
    void watchPings();
    void onFrameFragment(bool isLastFrame);
    // True (and the socket closing) when the client has more unsent data
    // queued than allowed.
    bool closeIfOverOutbound(qint64 adding = 0);
    void transmit(const QByteArray &frame);
    bool holdingBack() const { return m_replaying || m_sendsInFlight > 0; }
    void releaseHeldBack();

    QWebSocket *m_socket; // child of this session
    QString m_userId;
    QString m_sessionId;
    qint64 m_authExpiresAt = std::numeric_limits<qint64>::max();
    QString m_chatId;
    qint64 m_maxOutboundBytes;
    QElapsedTimer m_lastActivity;
    QElapsedTimer m_age;
    QString m_clientAddress;
    bool m_replaying = false;
    qint64 m_replayedUpTo = -1;
    int m_sendsInFlight = 0;
    bool m_open = false;
    bool m_closed = false; // disconnected
    bool m_closing = false; // our close frame went out
    quint64 m_serial;
    QList<QPair<qint64, QByteArray>> m_heldBack;
    QList<QByteArray> m_deferred;
};

} // namespace Messenger::Server
