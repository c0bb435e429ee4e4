#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Events.h"
#include "shared/Message.h"

#include <QHash>
#include <QJsonObject>

namespace Messenger::Server {

// One entry of the catch-up log as clients see it: a new message (from the
// messages table) or an event (from the events outbox), ordered by seq.
struct Update
{
    qint64 seq = 0;
    QString chatId; // empty for events addressed to one user
    QString userId; // set for events addressed to one user
    QString type;
    QJsonObject data;
    // When the writing instance stamped the row, just before its commit
    // (microseconds since the epoch, its clock): the feed's lag is measured from it.
    qint64 committedAt = 0;

    // A new message as the log reads it back.
    static Update ofMessage(const Message &message);

    // {"seq", "type", "data"}, as /updates returns it.
    Event event() const;
    // The same as a WebSocket frame, serialised once per fan-out.
    QByteArray frame() const;
};

// A PostgreSQL snapshot (pg_current_snapshot): which transactions were still
// running when a poll read the log.
struct PgSnapshot
{
    quint64 xmin = 0;
    quint64 xmax = 0;
    QList<quint64> running;
    bool valid = false;

    static PgSnapshot parse(const QString &text); // "xmin:xmax:xip,xip"
};

// Which updates a poll of the log reads in full: those of chats with a member
// in one of `userBuckets`, those addressed to a user in one of them, and every
// session_revoked (each instance checks tokens); or all of them. A user's
// bucket is the last four hex digits of their id (random in a v4 uuid), so an
// instance passes a few numbers however many of its sockets share them; a
// bucket shared with a user elsewhere only costs a row read for nothing.
struct FeedInterest
{
    bool everything = true;
    QList<int> userBuckets;

    static int bucketOf(QStringView userId);
    // No one (an instance without sockets).
    static FeedInterest nobody() { return { false, {} }; }
    // Whether the user in `userIdColumn` is of interest, in PostgreSQL's SQL;
    // binds values().
    static QString sqlCondition(QStringView userIdColumn);
    QVariantList values() const;
    bool operator==(const FeedInterest &) const = default;
};

// What one poll of the log returns: the updates of interest after a seq, in
// order, the members of every chat they concern (on PostgreSQL only those in
// the interest's buckets), and the snapshot they were read in. `lastSeq` is the
// newest seq the poll saw of the whole log, `gaps` the seqs up to it that were
// not visible (drawn by a transaction still running, or rolled back).
struct FeedBatch
{
    QList<Update> updates;
    QHash<QString, QStringList> members;
    PgSnapshot snapshot;
    qint64 lastSeq = 0;
    QList<std::pair<qint64, qint64>> gaps; // [first, last] each, in order
    bool full = false; // hit the limit: poll again right away
};

namespace UpdatesService {

// The log after `afterSeq` (at most `limit` seqs of it), for the live feed;
// full rows only for `interest` (SQLite, with its one instance, reads all).
Result<FeedBatch> readFeed(Db &db, qint64 afterSeq, int limit, const FeedInterest &interest);

// The largest seq in the log (the feed's starting point).
Result<qint64> latestSeq(Db &db);

struct UpdatesPage
{
    QList<Update> updates;
    bool hasMore = false;
    qint64 lastSeq = 0; // resume from here: everything up to it has been covered
    QJsonObject toJson() const;
};

// What `userId` may see in (afterSeq, untilSeq], in seq order: messages and
// events of their chats and events addressed to them.
Result<UpdatesPage> forUser(
    Db &db, const QString &userId, qint64 afterSeq, qint64 untilSeq, int limit);

} // namespace UpdatesService

} // namespace Messenger::Server
