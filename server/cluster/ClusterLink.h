#pragma once

#include "db/DatabaseSettings.h"
#include "db/Db.h"

#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

#include <atomic>

namespace Messenger::Server {

// The one PostgreSQL connection per instance that carries LISTEN/NOTIFY, on
// its own thread. After a local commit the instance NOTIFYs (outside any
// message transaction, coalesced, payload = our instance id only); a
// notification from another instance makes the EventFeed poll. When the
// connection drops it is reopened and re-subscribed, and remoteCommitted() is
// emitted so the feed backfills whatever was missed meanwhile.
class ClusterLink : public QObject
{
    Q_OBJECT
public:
    explicit ClusterLink(DatabaseSettings settings, QObject *parent = nullptr);
    ~ClusterLink() override;

    // Thread-safe: ask for one NOTIFY; calls made while one is pending coalesce.
    void announce();
    // For a process that commits without running a ClusterLink of its own
    // (`messenger-server admin`): the NOTIFY after its commit, on `db`.
    static void announceCommit(Db &db);
    // Thread-safe: passes an ephemeral frame (typing) to the other instances.
    void broadcastEphemeral(const QByteArray &frame);

Q_SIGNALS:
    void remoteCommitted();
    void remoteEphemeral(const QByteArray &frame);

private:
    Q_INVOKABLE void connectAndListen();
    Q_INVOKABLE void sendNotify();
    Q_INVOKABLE void sendEphemeral(const QByteArray &frame);
    void checkConnection();
    // Also the link's gauge in /metrics.
    void setListening(bool listening);
    void notify(const QString &channelName, const QString &payload);

    DatabaseSettings m_settings;
    QString m_connectionName;
    QString m_instanceId;
    QTimer *m_healthCheck = nullptr;
    std::atomic_bool m_notifyQueued { false };
    bool m_listening = false;
};

} // namespace Messenger::Server
