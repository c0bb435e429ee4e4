#pragma once

#include "services/PresenceService.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

namespace Messenger::Server {

class Database;
class Hub;

struct PresenceSettings
{
    int graceSeconds = 10;
    int timeoutSeconds = 30;
};

// Who is online, on every instance together, and telling those who share a
// chat with them. Lives on the event-loop thread. The rule (README, API docs):
// - a user is online while they have an open, authenticated /ws/user socket
//   on any instance; this instance holds a `presence` row for each of its
//   online users and renews them every timeout / 3;
// - the last socket closing makes the user offline only after the grace
//   period (a reconnect within it changes nothing);
// - an instance that died stops renewing: its rows expire after the timeout
//   and the next sweep (any instance, every timeout / 3) announces them;
// - changes are announced at most once per second per watcher (one frame
//   with every change since the last), each user at most once per grace
//   period, only when what watchers see changed, to those who share a chat
//   with the user now and show their own presence. Never to the user themself.
//
// What it costs: when a group's members come online together (a restart,
// a morning), every member's frame lists every other member, a different
// frame each. So each entry is written once, the watchers' sets of entries
// are worked out on the database worker that read them, watchers with the
// same set share one frame, and the frames are put together and sent from
// the event loop a slice at a time: a 1,000-member group used to stall every
// request for about a second (1,000 frames of 999 JSON objects built at once).
class PresenceTracker : public QObject
{
    Q_OBJECT
public:
    PresenceTracker(Database &database, PresenceSettings settings, QObject *parent = nullptr);

    // Needed by the announcements: whom to send to.
    void setHub(Hub *hub) { m_hub = hub; }

    void socketOpened(const QString &userId);
    void socketClosed(const QString &userId);
    // The user changed who sees their presence.
    void visibilityChanged(const QString &userId);
    // An ephemeral frame of another instance (only presence_changed ones count).
    void remoteFrame(const QByteArray &frame);
    // Shutting down: this instance's users go offline now (and the others hear).
    void leave();

Q_SIGNALS:
    // For the other instances: these users' presence may have changed.
    void changesBroadcast(const QByteArray &frame);

private:
    void tick();
    void runWrites();
    void markChanged(const QStringList &userIds, bool tellOtherInstances);
    void announce();
    struct Announcement;
    // Turns what the database says into frames (on its worker): what changed
    // since `announced`, for the watchers among `localSockets`.
    static Announcement plan(const PresenceService::Audience &audience,
        const QHash<QString, PresenceEntry> &announced, const QHash<QString, int> &localSockets);
    void sendSlice();
    QStringList localOnlineUsers() const;

    Database &m_db;
    Hub *m_hub = nullptr;
    PresenceSettings m_settings;
    QString m_instanceId;
    QTimer m_tick;
    int m_ticks = 0;
    QHash<QString, int> m_sockets; // user -> open /ws/user sockets here
    QHash<QString, qint64> m_offlineAt; // user -> when the grace ends (ms)
    QList<PresenceService::SocketChange> m_writes; // in order, not yet running
    bool m_heartbeatDue = true;
    bool m_writing = false;
    bool m_left = false;
    QSet<QString> m_pending; // to announce
    bool m_announcing = false; // one announcement at a time, read to sent
    std::shared_ptr<Announcement> m_sending; // the one being sent
    QHash<QString, qint64> m_announcedAt; // user -> ms
    QHash<QString, PresenceEntry> m_announced; // what watchers were told last
};

} // namespace Messenger::Server
