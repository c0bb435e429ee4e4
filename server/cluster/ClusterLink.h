#pragma once

#include "db/DatabaseSettings.h"
#include "db/Db.h"

#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>

#include <atomic>
#include <limits>
#include <optional>

namespace Messenger::Server {

// The one PostgreSQL connection per instance that carries LISTEN/NOTIFY, on
// its own thread. After a local commit the instance NOTIFYs (outside any
// message transaction, coalesced, payload = our instance id only); a
// notification from another instance makes the EventFeed poll. When the
// connection drops it is reopened and re-subscribed, and remoteCommitted() is
// emitted so the feed backfills whatever was missed meanwhile.
//
// NOTIFYs only while another instance listens: each instance says hello when
// it starts listening (the others answer at once with here) and here with
// every health check, and one that has heard no other instance for a while
// sends nothing (a lone instance spent a fifth of its CPU, and PostgreSQL a
// statement per send batch, telling nobody). A newcomer's hello arrives
// within milliseconds; the others' safety-net polls cover any commit it made
// before their answer reached it.
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
    void sayHello();
    bool othersListen() const;

    DatabaseSettings m_settings;
    QString m_connectionName;
    QString m_instanceId;
    QTimer *m_healthCheck = nullptr;
    std::atomic_bool m_notifyQueued { false };
    bool m_listening = false;
    // When another instance was last heard (steady ms), for othersListen().
    std::atomic<qint64> m_otherHeardAtMs { std::numeric_limits<qint64>::min() / 2 };
    std::optional<QSqlQuery> m_notifyQuery; // prepared once per connection
};

} // namespace Messenger::Server
