#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

class QTcpSocket;

namespace Messenger::Server {

class Database;
class FileStore;

// Writes `length` bytes of a stored file from `offset` to a socket whose
// answer's head is written already, a piece at a time: the next piece is read
// (on a database worker) only once the socket has sent most of the last one,
// so a download holds at most about two pieces in memory however big the file
// and however slowly the client reads. The connection's signals are paused
// while it answers (HttpConnections), so progress is checked on a timer, not
// through bytesWritten. A client that takes nothing for `stallLimitMs` is
// disconnected. `done` runs once, when all is written or the connection is
// gone. A child of the socket: it goes with it.
class DownloadStream : public QObject
{
    Q_OBJECT
public:
    DownloadStream(QTcpSocket *socket, Database &database, FileStore &store, QString contentKey,
        qint64 offset, qint64 length, int stallLimitMs, std::function<void()> done);

    void start();

    // How much one read takes, and how much may wait in the socket before the
    // next read starts.
    static constexpr qint64 pieceBytes = 512 * 1024;
    static constexpr qint64 lowWaterBytes = 512 * 1024;

private:
    void pump();
    void received(const QByteArray &piece);
    void finish();

    QPointer<QTcpSocket> m_socket;
    Database &m_database;
    FileStore &m_store;
    const QString m_contentKey;
    qint64 m_offset;
    qint64 m_remaining;
    const int m_stallLimitMs;
    std::function<void()> m_done;
    bool m_reading = false;
    bool m_finished = false;
    qint64 m_unsentAtLastProgress = -1;
    QElapsedTimer m_sinceProgress;
    QTimer m_poll;
};

} // namespace Messenger::Server
