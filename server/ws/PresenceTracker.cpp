#include "PresenceTracker.h"

#include "Hub.h"
#include "db/Database.h"
#include "shared/Events.h"
#include "shared/WsEvents.h"
#include "shared/WsFrames.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPresence, "messenger.server.presence")

namespace Messenger::Server {

namespace {
// Ids per presence_changed notice: NOTIFY payloads stop at 8000 bytes.
constexpr qsizetype idsPerNotice = 150;
// Users per announcement query.
constexpr qsizetype usersPerQuery = 500;
// How long what a user's watchers were told is remembered (to skip repeats).
constexpr qint64 announcedMemoryMs = 10 * 60 * 1000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

PresenceTracker::PresenceTracker(Database &database, PresenceSettings settings, QObject *parent)
    : QObject(parent)
    , m_db(database)
    , m_settings(settings)
    , m_instanceId(newUuid())
{
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &PresenceTracker::tick);
    m_tick.start();
}

void PresenceTracker::socketOpened(const QString &userId)
{
    if (m_left || m_sockets[userId]++ > 0)
        return;
    // Back within the grace period: still online, nothing to store or tell.
    if (m_offlineAt.remove(userId) > 0)
        return;
    m_writes.append({ userId, true });
    runWrites();
}

void PresenceTracker::socketClosed(const QString &userId)
{
    const auto it = m_sockets.find(userId);
    if (it == m_sockets.end() || m_left)
        return;
    if (--*it > 0)
        return;
    m_sockets.erase(it);
    m_offlineAt.insert(userId, nowMs() + qint64(m_settings.graceSeconds) * 1000);
}

void PresenceTracker::visibilityChanged(const QString &userId)
{
    markChanged({ userId }, true);
}

void PresenceTracker::remoteFrame(const QByteArray &frame)
{
    const Parsed<Event> event = Event::fromJson(parseJson(frame).object());
    if (!event || event->type != WsEvents::presenceChanged)
        return;
    if (const auto changed = event->payload<PresenceChanged>())
        markChanged(changed->userIds, false);
}

void PresenceTracker::tick()
{
    const qint64 now = nowMs();
    for (auto it = m_offlineAt.begin(); it != m_offlineAt.end();) {
        if (it.value() <= now) {
            m_writes.append({ it.key(), false });
            it = m_offlineAt.erase(it);
        } else {
            ++it;
        }
    }
    const int heartbeatTicks = std::max(1, m_settings.timeoutSeconds / 3);
    if (++m_ticks % heartbeatTicks == 0)
        m_heartbeatDue = true;
    if (m_ticks % 60 == 0) {
        for (auto it = m_announcedAt.begin(); it != m_announcedAt.end();) {
            if (it.value() + announcedMemoryMs < now) {
                m_announced.remove(it.key());
                it = m_announcedAt.erase(it);
            } else {
                ++it;
            }
        }
    }
    runWrites();
    announce();
}

QStringList PresenceTracker::localOnlineUsers() const
{
    QStringList users = m_sockets.keys();
    users.append(m_offlineAt.keys()); // within the grace period: still online
    return users;
}

void PresenceTracker::runWrites()
{
    // One batch at a time, in order: a user's online and offline rows never
    // overtake each other, and a reconnect storm is one transaction.
    if (m_writing || m_left || (m_writes.isEmpty() && !m_heartbeatDue))
        return;
    m_writing = true;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const qint64 timeout = m_settings.timeoutSeconds;
    if (!m_writes.isEmpty()) {
        const QList<PresenceService::SocketChange> writes = std::exchange(m_writes, {});
        m_db.run([instance = m_instanceId, writes, now, timeout](Db &db) {
                return PresenceService::apply(db, instance, writes, now, now + timeout);
            })
            .then(this, [this, writes](const Result<Empty> &result) {
                m_writing = false;
                if (!result) {
                    // The next heartbeat stores what the local sockets say.
                    qCWarning(lcPresence) << "storing presence failed:" << result.error().detail;
                    m_heartbeatDue = true;
                }
                QStringList users;
                for (const auto &write : writes)
                    users.append(write.userId);
                markChanged(users, true);
                runWrites();
            });
        return;
    }
    m_heartbeatDue = false;
    m_db.run([instance = m_instanceId, users = localOnlineUsers(), now, timeout](
                 Db &db) { return PresenceService::heartbeat(db, instance, users, now, timeout); })
        .then(this, [this](const Result<PresenceService::Heartbeat> &beat) {
            m_writing = false;
            if (!beat) {
                qCWarning(lcPresence) << "presence heartbeat failed:" << beat.error().detail;
            } else {
                markChanged(beat.value().restored + beat.value().expired, true);
            }
            runWrites();
        });
}

void PresenceTracker::markChanged(const QStringList &userIds, bool tellOtherInstances)
{
    if (userIds.isEmpty())
        return;
    for (const QString &userId : userIds)
        m_pending.insert(userId);
    if (!tellOtherInstances)
        return;
    for (qsizetype from = 0; from < userIds.size(); from += idsPerNotice) {
        const PresenceChanged changed { userIds.mid(from, idsPerNotice) };
        Q_EMIT changesBroadcast(
            compactJson(Event::of(std::nullopt, WsEvents::presenceChanged, changed).toJson()));
    }
}

// One announcement: each changed entry written once, and per distinct set
// of them the local watchers who are told it.
struct PresenceTracker::Announcement
{
    QList<PresenceEntry> changed;
    QList<QByteArray> writtenEntries; // of `changed`, same order
    struct Frame
    {
        QList<qsizetype> entries; // indices into writtenEntries
        QStringList watchers;
    };
    QList<Frame> frames;
    qsizetype sent = 0; // frames handed to the sockets so far
};

void PresenceTracker::announce()
{
    if (m_announcing || m_pending.isEmpty() || !m_hub)
        return;
    const qint64 now = nowMs();
    const qint64 interval = qint64(m_settings.graceSeconds) * 1000;
    QStringList due;
    for (auto it = m_pending.begin(); it != m_pending.end() && due.size() < usersPerQuery;) {
        const auto announced = m_announcedAt.constFind(*it);
        if (announced == m_announcedAt.constEnd() || *announced + interval <= now) {
            due.append(*it);
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    if (due.isEmpty())
        return;
    m_announcing = true;
    // Copies (shared until the event loop changes its own): the worker plans
    // against what watchers were told and who is connected now.
    m_db.run([due, now, announced = m_announced, localSockets = m_sockets](
                 Db &db) -> Result<Announcement> {
            const auto audience = PresenceService::audience(db, due, now / 1000);
            if (!audience)
                return audience.error();
            return plan(audience.value(), announced, localSockets);
        })
        .then(this, [this, due](const Result<Announcement> &announcement) {
            if (!announcement) {
                m_announcing = false;
                qCWarning(lcPresence) << "reading presence failed:" << announcement.error().detail;
                for (const QString &userId : due)
                    m_pending.insert(userId);
                return;
            }
            const qint64 announcedAt = nowMs();
            for (const PresenceEntry &entry : announcement.value().changed) {
                m_announced.insert(entry.userId, entry);
                m_announcedAt.insert(entry.userId, announcedAt);
            }
            m_sending = std::make_shared<Announcement>(announcement.value());
            sendSlice();
        });
}

PresenceTracker::Announcement PresenceTracker::plan(const PresenceService::Audience &audience,
    const QHash<QString, PresenceEntry> &announced, const QHash<QString, int> &localSockets)
{
    Announcement announcement;
    QList<QList<qsizetype>> changedIn(audience.watchersOf.size()); // per chat
    QHash<QString, qsizetype> changedIndexOf; // user -> index in `changed`
    for (qsizetype i = 0; i < audience.entries.size(); ++i) {
        const PresenceEntry &entry = audience.entries.at(i);
        const auto previous = announced.constFind(entry.userId);
        if (previous != announced.constEnd() && *previous == entry)
            continue;
        const qsizetype index = announcement.changed.size();
        changedIndexOf.insert(entry.userId, index);
        announcement.changed.append(entry);
        JsonWriter writer;
        writer.write(entry);
        announcement.writtenEntries.append(writer.take());
        for (const qsizetype chat : audience.chatsOf.at(i))
            changedIn[chat].append(index);
    }
    // Only watchers with a socket here: in a big group most members have none.
    QHash<QString, QList<qsizetype>> entriesOf; // watcher -> what they are told
    for (qsizetype chat = 0; chat < audience.watchersOf.size(); ++chat) {
        const QList<qsizetype> &changed = changedIn.at(chat);
        if (changed.isEmpty())
            continue;
        for (const QString &watcher : audience.watchersOf.at(chat)) {
            if (localSockets.contains(watcher))
                entriesOf[watcher].append(changed);
        }
    }
    QHash<QList<qsizetype>, qsizetype> frameOf; // set of entries -> its frame
    for (auto it = entriesOf.begin(); it != entriesOf.end(); ++it) {
        // Once each (two shared chats tell the same), never about themself.
        QList<qsizetype> &told = it.value();
        std::sort(told.begin(), told.end());
        told.erase(std::unique(told.begin(), told.end()), told.end());
        if (const auto own = changedIndexOf.constFind(it.key()); own != changedIndexOf.constEnd())
            told.removeOne(*own);
        if (told.isEmpty())
            continue;
        auto frame = frameOf.constFind(told);
        if (frame == frameOf.constEnd()) {
            frame = frameOf.insert(told, announcement.frames.size());
            announcement.frames.append({ told, {} });
        }
        announcement.frames[*frame].watchers.append(it.key());
    }
    return announcement;
}

void PresenceTracker::sendSlice()
{
    // Bytes handed to sockets per turn of the event loop: requests and
    // message deliveries are served between slices.
    constexpr qsizetype bytesPerSlice = 256 * 1024;
    Announcement &announcement = *m_sending;
    qsizetype handed = 0;
    while (announcement.sent < announcement.frames.size() && handed < bytesPerSlice) {
        const Announcement::Frame &frame = announcement.frames.at(announcement.sent++);
        const QByteArray bytes = presenceFrame(announcement.writtenEntries, frame.entries);
        m_hub->sendToUsers(frame.watchers, bytes, QString());
        handed += bytes.size() * frame.watchers.size();
    }
    if (announcement.sent < announcement.frames.size()) {
        QMetaObject::invokeMethod(this, &PresenceTracker::sendSlice, Qt::QueuedConnection);
        return;
    }
    m_sending.reset();
    m_announcing = false;
}

void PresenceTracker::leave()
{
    if (m_left)
        return;
    m_left = true;
    m_tick.stop();
    m_db.run([instance = m_instanceId, now = QDateTime::currentSecsSinceEpoch()](
                 Db &db) { return PresenceService::leave(db, instance, now); })
        .then(this, [this](const Result<QStringList> &users) {
            if (users)
                markChanged(users.value(), true);
        });
}

} // namespace Messenger::Server
