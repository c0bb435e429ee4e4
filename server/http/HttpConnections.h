#pragma once

#include "security/TrustedProxies.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QHttpServerRequest;
class QTcpSocket;

namespace Messenger::Server {

struct HttpConnectionSettings
{
    // A request (head and body) must arrive within this many seconds of its
    // first byte; 0: no deadline.
    int requestTimeoutSeconds = 10;
    // A connection with nothing to do (an idle keep-alive, a client that stopped
    // reading its answer) is closed after this many seconds; 0: never.
    int idleTimeoutSeconds = 60;
    // Open HTTP connections per peer address (trusted proxies are exempt).
    int maxConnectionsPerAddress = 256;
    // While more than this is unsent on a connection, the next request on it is
    // not read: a client that pipelines and never reads holds this much, plus
    // at most one answer.
    qint64 maxUnsentBytes = 1024 * 1024;
    // Unsent data across all connections; past it, stalled connections whose
    // clients read nothing are closed, largest first.
    qint64 maxUnsentTotalBytes = 64 * 1024 * 1024;
    TrustedProxies trustedProxies;
};

// Every HTTP connection, from accept until it closes or becomes a WebSocket.
// QHttpServer 6.4 reads pipelined requests as fast as they come and queues
// every answer in the socket, whatever the client reads, and leaves a request
// that never completes open forever. So, per connection:
// - one request is answered at a time: reading pauses (the socket's signals
//   are blocked, so QHttpServer sees nothing) from a complete request until
//   its answer is written, and stays paused while more than maxUnsentBytes
//   wait for the client (the kernel's buffers then push back on the client);
// - a request must be complete within requestTimeoutSeconds of its first byte
//   (trickling a header line at a time does not extend it);
// - an idle connection is closed after idleTimeoutSeconds;
// - an address holds at most maxConnectionsPerAddress connections.
// Answers thus also leave in request order, as HTTP/1.1 requires.
class HttpConnections : public QObject
{
    Q_OBJECT
public:
    explicit HttpConnections(HttpConnectionSettings settings, QObject *parent = nullptr);

    // A new connection; false when its address is over its cap.
    bool adopt(QTcpSocket *socket, bool requestClockFromNow = false);
    // The connection became a WebSocket: it leaves every watch here.
    void release(QTcpSocket *socket);
    // Tells a connection over its address's cap so, and closes it.
    static void refuse(QTcpSocket *socket);

    // A complete request arrived on `socket`: nothing more is read from it
    // until answered() is called. Returns false when the request's framing is
    // ambiguous (Content-Length with Transfer-Encoding, two Content-Lengths, an
    // unknown Transfer-Encoding): a proxy may have read a different request
    // than we did, so the caller answers 400 and the connection is closed.
    bool requestArrived(QTcpSocket *socket, const QHttpServerRequest &request);
    // The answer to the request is written; reading goes on once the client
    // has taken enough of it.
    void answered(QTcpSocket *socket);
    // The answer is written; close the connection once it is sent.
    void answeredAndClose(QTcpSocket *socket);

private:
    struct Connection
    {
        QPointer<QTcpSocket> socket;
        QString address; // empty: not counted (a trusted proxy)
        qint64 lastActivityMs = 0;
        qint64 requestStartedMs = -1; // first byte of an unfinished request
        bool answering = false; // a request is being answered; reading paused
        bool stalled = false; // answered, but too much is unsent; reading paused
        qint64 unsentAtLastCheck = 0;
    };

    Connection *find(QTcpSocket *socket);
    void forget(QTcpSocket *socket);
    void pause(QTcpSocket *socket);
    void resume(Connection &connection);
    void checkStalled();
    void sweep();
    void enforceTotalUnsent();
    void publish(); // the gauges in Metrics

    const HttpConnectionSettings m_settings;
    QElapsedTimer m_clock;
    QHash<QTcpSocket *, Connection> m_connections;
    QHash<QString, int> m_perAddress;
    qsizetype m_stalled = 0;
    QTimer m_sweep; // deadlines and idle connections, every second
    QTimer m_drain; // stalled connections, while there are any
};

} // namespace Messenger::Server
