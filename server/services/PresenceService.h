#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Presence.h"

namespace Messenger::Server::PresenceService {

// A user's first socket on an instance opened (online) or their last one has
// been gone for the grace period (offline).
struct SocketChange
{
    QString userId;
    bool online = false;
};

// Applies an instance's changes in order, in one transaction: an online user
// gets the instance's row (expiring at `expiresAt`), an offline one loses it
// and is last seen `now`.
Result<Empty> apply(Db &db, const QString &instanceId, const QList<SocketChange> &changes,
    qint64 now, qint64 expiresAt);

struct Heartbeat
{
    // Users of this instance whose row was gone (another instance swept it
    // while our heartbeat was late: inserted again) or left behind (a failed
    // write: deleted), to be announced.
    QStringList restored;
    // Users whose rows of a dead instance expired now: to be announced.
    QStringList expired;
};
// Makes the instance's rows those of `localUsers`, renewed; then deletes
// every expired row (of any instance; each one once, whichever instance gets
// to it), the user last seen at its last renewal.
Result<Heartbeat> heartbeat(Db &db, const QString &instanceId, const QStringList &localUsers,
    qint64 now, qint64 timeoutSeconds);

// Removes the instance's rows at shutdown; its users are last seen `now`.
Result<QStringList> leave(Db &db, const QString &instanceId, qint64 now);

// What watchers may see of some users, and who watches them now, by chat:
// a user's watchers are the members of their chats who show their own
// presence (never the user). Read by chat, not as (user, watcher) pairs: a
// 1,000-member group coming online was 500,000 pairs per read, most of them
// about watchers with no socket anywhere.
struct Audience
{
    QList<PresenceEntry> entries; // already hidden when the user chose "nobody"
    QList<QList<qsizetype>> chatsOf; // per entry: indices into watchersOf
    QList<QStringList> watchersOf; // per chat: its members who show their presence
};
// For each of `userIds` (unknown ones skipped).
Result<Audience> audience(Db &db, const QStringList &userIds, qint64 now);

// GET /presence: the entries of `userIds` who share a chat with the caller now
// (others, the caller and unknown ids omitted); all hidden when the caller
// hides their own presence.
Result<PresenceList> read(Db &db, const QString &callerId, const QStringList &userIds, qint64 now);

Result<PrivacySettings> privacy(Db &db, const QString &userId);
Result<PrivacySettings> setPrivacy(Db &db, const QString &userId, const PrivacySettings &settings);

} // namespace Messenger::Server::PresenceService
