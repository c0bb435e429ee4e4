#include "DownloadStream.h"

#include "db/Database.h"
#include "files/FileStore.h"

#include <QLoggingCategory>
#include <QTcpSocket>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace Messenger::Server {

DownloadStream::DownloadStream(QTcpSocket *socket, Database &database, FileStore &store,
    QString contentKey, qint64 offset, qint64 length, int stallLimitMs, std::function<void()> done)
    : QObject(socket)
    , m_socket(socket)
    , m_database(database)
    , m_store(store)
    , m_contentKey(std::move(contentKey))
    , m_offset(offset)
    , m_remaining(length)
    , m_stallLimitMs(stallLimitMs)
    , m_done(std::move(done))
{
    m_poll.setInterval(2);
    connect(&m_poll, &QTimer::timeout, this, &DownloadStream::pump);
}

void DownloadStream::start()
{
    m_sinceProgress.start();
    pump();
}

void DownloadStream::pump()
{
    if (m_finished)
        return;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        finish();
        return;
    }
    const qint64 unsent = m_socket->bytesToWrite();
    if (unsent != m_unsentAtLastProgress) {
        m_unsentAtLastProgress = unsent;
        m_sinceProgress.restart();
    } else if (unsent > 0 && m_sinceProgress.elapsed() > m_stallLimitMs) {
        qCInfo(lcHttp) << "closing a download whose client reads nothing:" << unsent
                       << "bytes unsent";
        m_socket->abort();
        finish();
        return;
    }
    if (m_remaining == 0) {
        if (unsent == 0)
            finish();
        else if (!m_poll.isActive())
            m_poll.start(); // the last piece is still going out
        return;
    }
    if (m_reading || unsent > lowWaterBytes) {
        if (!m_reading && !m_poll.isActive())
            m_poll.start();
        return;
    }
    m_poll.stop();
    m_reading = true;
    const qint64 want = qMin(pieceBytes, m_remaining);
    m_database
        .run([store = &m_store, key = m_contentKey, offset = m_offset, want](
                 Db &db) { return Result<QByteArray>(store->read(db, key, offset, want)); })
        .then(this, [this](const Result<QByteArray> &piece) {
            m_reading = false;
            if (!piece || piece.value().isEmpty()) {
                // The answer promised bytes it cannot deliver: the client must
                // see a broken transfer, not a short file.
                qCWarning(lcHttp) << "a download's bytes could not be read; closing it";
                if (m_socket)
                    m_socket->abort();
                finish();
                return;
            }
            received(piece.value());
        });
}

void DownloadStream::received(const QByteArray &piece)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        finish();
        return;
    }
    const QByteArray part = piece.left(m_remaining);
    m_socket->write(part);
    m_offset += part.size();
    m_remaining -= part.size();
    pump();
}

void DownloadStream::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_poll.stop();
    if (m_done)
        m_done();
    deleteLater();
}

} // namespace Messenger::Server
