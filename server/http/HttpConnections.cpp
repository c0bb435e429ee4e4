#include "HttpConnections.h"

#include "HttpReply.h"
#include "observability/Metrics.h"
#include "shared/Limits.h"

#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Messenger::Server {

namespace {

// What QAbstractSocket may hold of a connection's input: a client that sends
// faster than we answer is held back by the kernel, not by our memory.
// QHttpServer reads a request inside a QIODevice transaction, which keeps all
// of it in this buffer until it is complete, so it must hold the largest
// request we accept (a body of Limits::requestBodyMax and its head); a bigger
// one stalls here and is closed at the request deadline instead of being
// buffered whole.
constexpr qint64 readBufferBytes = Limits::requestBodyMax + 64 * 1024;

} // namespace

HttpConnections::HttpConnections(HttpConnectionSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{
    m_clock.start();
    m_sweep.setInterval(1000);
    connect(&m_sweep, &QTimer::timeout, this, &HttpConnections::sweep);
    m_sweep.start();
    m_drain.setInterval(50);
    connect(&m_drain, &QTimer::timeout, this, &HttpConnections::checkStalled);
}

bool HttpConnections::adopt(QTcpSocket *socket, bool requestClockFromNow)
{
    const QHostAddress peer = socket->peerAddress();
    const QString address = m_settings.trustedProxies.trusts(peer) ? QString() : peer.toString();
    if (!address.isEmpty() && m_perAddress.value(address) >= m_settings.maxConnectionsPerAddress) {
        qCInfo(lcHttp).noquote() << "refused a connection from" << address << "(over"
                                 << m_settings.maxConnectionsPerAddress << "open)";
        return false;
    }
    if (!address.isEmpty())
        ++m_perAddress[address];
    // Answers are small frames written back to back: with Nagle's algorithm on,
    // the second waits for the client's delayed ACK (40 ms on Linux).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setReadBufferSize(readBufferBytes);
    const qint64 now = m_clock.elapsed();
    Connection connection;
    connection.socket = socket;
    connection.address = address;
    connection.lastActivityMs = now;
    connection.requestStartedMs = requestClockFromNow ? now : -1;
    m_connections.insert(socket, connection);
    publish();
    // Connected before QHttpServer's own slot, so it runs first: a request's
    // clock starts with its first byte.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        if (Connection *c = find(socket)) {
            c->lastActivityMs = m_clock.elapsed();
            if (c->requestStartedMs < 0 && !c->answering)
                c->requestStartedMs = c->lastActivityMs;
        }
    });
    connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] {
        if (Connection *c = find(socket))
            c->lastActivityMs = m_clock.elapsed();
    });
    connect(socket, &QObject::destroyed, this, [this, socket] { forget(socket); });
    return true;
}

void HttpConnections::release(QTcpSocket *socket)
{
    if (!m_connections.contains(socket))
        return;
    disconnect(socket, nullptr, this, nullptr);
    forget(socket);
}

void HttpConnections::refuse(QTcpSocket *socket)
{
    const HttpReply reply
        = HttpReply::error(ApiError::tooManyRequests(u"too_many_connections"_s, 1));
    // Written before QHttpServer sees the connection.
    socket->write(
        responseHead(reply.status, reply.contentType, reply.body.size(),
            reply.headers
                + QList<QPair<QByteArray, QByteArray>> { { "Connection", "close" },
                    { "X-Request-Id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces) } })
        + reply.body);
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
    else
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

HttpConnections::Connection *HttpConnections::find(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    return it == m_connections.end() ? nullptr : &it.value();
}

void HttpConnections::forget(QTcpSocket *socket)
{
    const auto it = m_connections.constFind(socket);
    if (it == m_connections.cend())
        return;
    if (it->stalled)
        --m_stalled;
    if (!it->address.isEmpty() && --m_perAddress[it->address] <= 0)
        m_perAddress.remove(it->address);
    m_connections.erase(it);
    publish();
}

void HttpConnections::publish()
{
    Metrics::global().httpConnections = m_connections.size();
    Metrics::global().httpConnectionsStalled = m_stalled;
}

bool HttpConnections::requestArrived(QTcpSocket *socket, const QHttpServerRequest &request)
{
    // Every listener adopts its sockets (HTTP at accept, TLS when its
    // handshake starts); a WebSocket's was released and never comes back here.
    if (Connection *connection = find(socket)) {
        connection->requestStartedMs = -1;
        connection->answering = true;
        connection->lastActivityMs = m_clock.elapsed();
        pause(socket);
    }

    // Request smuggling: with both headers, or two lengths, a proxy in front
    // may have framed this request differently than QHttpServer did, and what
    // follows on the connection is not what the client meant.
    int contentLengths = 0;
    QList<QByteArray> transferEncodings;
    for (const auto &[name, value] : request.headers()) {
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            ++contentLengths;
        else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            transferEncodings.append(value.trimmed().toLower());
    }
    if (contentLengths > 1 || (contentLengths > 0 && !transferEncodings.isEmpty()))
        return false;
    return transferEncodings.isEmpty()
        || (transferEncodings.size() == 1 && transferEncodings.first() == "chunked");
}

void HttpConnections::answered(QTcpSocket *socket)
{
    Connection *connection = find(socket);
    if (!connection)
        return;
    connection->answering = false;
    const qint64 unsent = socket->bytesToWrite();
    if (unsent > m_settings.maxUnsentBytes && socket->state() == QAbstractSocket::ConnectedState) {
        if (!connection->stalled) {
            connection->stalled = true;
            ++m_stalled;
        }
        connection->unsentAtLastCheck = unsent;
        publish();
        if (!m_drain.isActive())
            m_drain.start();
        return;
    }
    resume(*connection);
}

void HttpConnections::answeredAndClose(QTcpSocket *socket)
{
    if (Connection *connection = find(socket))
        connection->answering = false;
    // Signals stay blocked: nothing more is read; the sweep deletes the
    // socket once the answer is out.
    socket->disconnectFromHost();
}

void HttpConnections::pause(QTcpSocket *socket)
{
    socket->blockSignals(true);
}

void HttpConnections::resume(Connection &connection)
{
    QTcpSocket *socket = connection.socket;
    if (!socket)
        return;
    socket->blockSignals(false);
    if (socket->state() == QAbstractSocket::UnconnectedState) {
        // It closed while paused; its disconnected() was blocked.
        socket->deleteLater();
        return;
    }
    if (socket->bytesAvailable() > 0) {
        // A pipelined request is waiting; its readyRead was blocked.
        connection.requestStartedMs = m_clock.elapsed();
        QMetaObject::invokeMethod(socket, &QAbstractSocket::readyRead, Qt::QueuedConnection);
    }
}

void HttpConnections::checkStalled()
{
    const qint64 now = m_clock.elapsed();
    for (Connection &connection : m_connections) {
        if (!connection.stalled || !connection.socket)
            continue;
        QTcpSocket *socket = connection.socket;
        const qint64 unsent = socket->bytesToWrite();
        if (unsent < connection.unsentAtLastCheck)
            connection.lastActivityMs = now;
        connection.unsentAtLastCheck = unsent;
        if (unsent <= m_settings.maxUnsentBytes
            || socket->state() != QAbstractSocket::ConnectedState) {
            connection.stalled = false;
            --m_stalled;
            resume(connection);
        }
    }
    publish();
    if (m_stalled == 0)
        m_drain.stop();
}

void HttpConnections::sweep()
{
    const qint64 now = m_clock.elapsed();
    const qint64 requestTimeoutMs = qint64(m_settings.requestTimeoutSeconds) * 1000;
    const qint64 idleTimeoutMs = qint64(m_settings.idleTimeoutSeconds) * 1000;
    QList<QTcpSocket *> gone;
    QList<QTcpSocket *> expired;
    for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
        QTcpSocket *socket = it->socket;
        if (!socket) {
            gone.append(it.key());
            continue;
        }
        if (it->answering)
            continue; // our own work; the database's timeouts bound it
        if (socket->signalsBlocked() && socket->state() == QAbstractSocket::UnconnectedState) {
            socket->deleteLater(); // closed while paused, or closed after its last answer
            continue;
        }
        const bool requestLate = it->requestStartedMs >= 0 && requestTimeoutMs > 0
            && now - it->requestStartedMs > requestTimeoutMs;
        const bool idle = idleTimeoutMs > 0 && now - it->lastActivityMs > idleTimeoutMs;
        if (requestLate || idle)
            expired.append(socket);
    }
    for (QTcpSocket *socket : std::as_const(gone))
        forget(socket);
    for (QTcpSocket *socket : std::as_const(expired)) {
        const bool blocked = socket->signalsBlocked();
        socket->abort();
        if (blocked)
            socket->deleteLater();
    }
    enforceTotalUnsent();
}

void HttpConnections::enforceTotalUnsent()
{
    qint64 total = 0;
    QList<std::pair<qint64, QTcpSocket *>> stalled;
    for (const Connection &connection : std::as_const(m_connections)) {
        if (!connection.socket)
            continue;
        const qint64 unsent = connection.socket->bytesToWrite();
        total += unsent;
        if (connection.stalled)
            stalled.append({ unsent, connection.socket.data() });
    }
    Metrics::global().httpUnsentBytes = total;
    if (total <= m_settings.maxUnsentTotalBytes)
        return;
    std::sort(stalled.begin(), stalled.end(), std::greater<>());
    for (const auto &[unsent, socket] : std::as_const(stalled)) {
        if (total <= m_settings.maxUnsentTotalBytes)
            break;
        qCInfo(lcHttp).noquote() << "closing a connection whose client reads nothing:" << unsent
                                 << "bytes unsent," << total << "in all";
        total -= unsent;
        socket->abort();
        socket->deleteLater();
    }
    Metrics::global().httpUnsentBytes = total;
}

} // namespace Messenger::Server
