#include "SingleInstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcInstance, "messenger.client.instance")

namespace Messenger::Client {

namespace {

QString lockPath()
{
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(directory);
    return directory + u"/instance.lock"_s;
}

// What a later start sends to the running one.
constexpr QByteArrayView showRequest = "show\n";

} // namespace

SingleInstance::SingleInstance(QObject *parent)
    : QObject(parent)
    // The socket lives in the temporary directory (a Unix socket path is
    // short), named after the data directory it guards: one per user and app.
    , m_serverName(u"messenger-desktop-"_s
          + QString::fromLatin1(
              QCryptographicHash::hash(lockPath().toUtf8(), QCryptographicHash::Sha256)
                  .toHex()
                  .left(24)))
    , m_lock(lockPath())
{
    // A lock left by a crashed instance is taken over at once (QLockFile
    // sees its process is gone); with no age limit, the lock of an instance
    // that has run for days is never taken as stale.
    m_lock.setStaleLockTime(0);
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                if (!socket->canReadLine())
                    return;
                if (socket->readLine() == showRequest.toByteArray()) {
                    qCInfo(lcInstance) << "another start asked for this window";
                    Q_EMIT activationRequested();
                }
                socket->disconnectFromServer();
            });
        }
    });
}

SingleInstance::~SingleInstance()
{
    release();
}

bool SingleInstance::claim()
{
    if (m_lock.tryLock(0)) {
        // Holding the lock, any socket of that name is a dead instance's.
        QLocalServer::removeServer(m_serverName);
        m_server.setSocketOptions(QLocalServer::UserAccessOption);
        if (!m_server.listen(m_serverName))
            qCWarning(lcInstance) << "later starts cannot reach this one:"
                                  << m_server.errorString();
        return true;
    }
    QLocalSocket socket;
    socket.connectToServer(m_serverName);
    if (socket.waitForConnected(2000)) {
        socket.write(showRequest.toByteArray());
        socket.waitForBytesWritten(2000);
        socket.disconnectFromServer();
        qCInfo(lcInstance) << "Messenger is already running: asked it to show its window";
    } else {
        qCWarning(lcInstance) << "Messenger is already running but does not answer:"
                              << socket.errorString();
    }
    return false;
}

void SingleInstance::release()
{
    m_server.close();
    if (m_lock.isLocked())
        m_lock.unlock();
}

} // namespace Messenger::Client
