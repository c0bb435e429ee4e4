#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Events.h"

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

// What one poll of the log returns: updates after a seq, in order, the
// current members of every chat they concern, and the snapshot they were read in.
struct FeedBatch
{
    QList<Update> updates;
    QHash<QString, QStringList> members;
    PgSnapshot snapshot;
    bool full = false; // hit the limit: poll again right away
};

namespace UpdatesService {

// Everything after `afterSeq` (at most `limit`), for the live feed.
Result<FeedBatch> readFeed(Db &db, qint64 afterSeq, int limit);

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
