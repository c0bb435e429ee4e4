#include "Updates.h"

#include "MessageRows.h"
#include "shared/WsEvents.h"
#include "shared/WsFrames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

Event Update::event() const
{
    return { seq, type, data };
}

QByteArray Update::frame() const
{
    // The same object as /updates returns: `seq` lets a client resume from any event.
    return compactJson(event().toJson());
}

PgSnapshot PgSnapshot::parse(const QString &text)
{
    PgSnapshot snapshot;
    const QStringList parts = text.split(u':');
    if (parts.size() != 3)
        return snapshot;
    bool okMin = false;
    bool okMax = false;
    snapshot.xmin = parts[0].toULongLong(&okMin);
    snapshot.xmax = parts[1].toULongLong(&okMax);
    for (const QString &xid : parts[2].split(u',', Qt::SkipEmptyParts))
        snapshot.running.append(xid.toULongLong());
    snapshot.valid = okMin && okMax;
    return snapshot;
}

int FeedInterest::bucketOf(QStringView userId)
{
    return userId.right(4).toInt(nullptr, 16);
}

QString FeedInterest::sqlCondition(QStringView userIdColumn)
{
    // The last four hex digits of the id, as an integer.
    return u"(CAST(? AS boolean) OR CAST(CAST('x' || right(CAST(%1 AS text), 4) AS bit(16)) "
           "AS integer) = ANY(CAST(? AS integer[])))"_s.arg(userIdColumn);
}

QVariantList FeedInterest::values() const
{
    QStringList buckets;
    buckets.reserve(userBuckets.size());
    for (int bucket : userBuckets)
        buckets.append(QString::number(bucket));
    return { everything, QString(u'{' + buckets.join(u',') + u'}') };
}

Update Update::ofMessage(const Message &message)
{
    return { message.seq, message.chatId, {}, WsEvents::message.toString(),
        MessageEvent { message }.toJson(), message.timestamp };
}

namespace UpdatesService {

namespace {

Update messageUpdate(const Rows &rows)
{
    return Update::ofMessage(MessageRows::read(rows));
}

// The columns of an event row: the event's, then the reply preview of the
// message it names (see eventUpdate).
const QString &eventColumns()
{
    static const QString list = u"e.seq, e.chat_id, e.user_id, e.type, e.payload, "_s
        + MessageRows::replyColumns() + u", e.created_at"_s;
    return list;
}
constexpr int eventColumnCount = 6 + MessageRows::replyColumnCount;

const QString &fromEvents()
{
    static const QString from = u"events e LEFT JOIN messages em ON em.id = e.message_id"_s
        + MessageRows::replyJoins(u"em.reply_to_id");
    return from;
}

Update eventUpdate(const Rows &rows, int first)
{
    Update update { rows.integer(first), rows.string(first + 1), rows.string(first + 2),
        rows.string(first + 3), parseJson(rows.string(first + 4).toUtf8()).object(),
        rows.integer(first + 5 + MessageRows::replyColumnCount) };
    // An edit is stored without its reply preview (the text it quotes may be
    // deleted later); it is filled in here, as it is now.
    if (update.type == WsEvents::messageEdited)
        Message::setReplyTo(update.data, MessageRows::readReply(rows, first + 5));
    return update;
}

// Merges two seq-ordered lists, each possibly cut at `limit`, into one list
// that is complete up to its last element.
QList<Update> mergeBySeq(
    QList<Update> messages, bool messagesFull, QList<Update> events, bool eventsFull, bool *full)
{
    qint64 horizon = std::numeric_limits<qint64>::max();
    if (messagesFull && !messages.isEmpty())
        horizon = qMin(horizon, messages.last().seq);
    if (eventsFull && !events.isEmpty())
        horizon = qMin(horizon, events.last().seq);
    if (full)
        *full = messagesFull || eventsFull;
    QList<Update> merged;
    merged.reserve(messages.size() + events.size());
    qsizetype m = 0;
    qsizetype e = 0;
    while (m < messages.size() || e < events.size()) {
        const bool takeMessage
            = e >= events.size() || (m < messages.size() && messages[m].seq < events[e].seq);
        Update &next = takeMessage ? messages[m++] : events[e++];
        if (next.seq > horizon)
            break;
        merged.append(std::move(next));
    }
    return merged;
}

} // namespace

namespace {

// Everything a feed poll needs in one statement (one round trip, one snapshot
// in READ COMMITTED). First the next `limit` seqs of the whole log with their
// audience only (seq, chat, user, type): which of them are of interest, and
// where the seqs have gaps. Then the full rows of those of interest, the
// members of their chats who are of interest, the gaps, and the snapshot
// with the newest seq seen and how many. Rows are told apart by the last
// column; a message row reads like any message row, an event row from column
// MessageRows::columnCount, a member row has chat_id and user_id there, a gap
// row its first seq at the event's seq and its last at created_at.
QString postgresFeedStatement()
{
    const QString noMessage = u"NULL, "_s.repeated(MessageRows::selectCount);
    const QString noPreview = u"NULL, "_s.repeated(MessageRows::replyColumnCount);
    return u"WITH log AS MATERIALIZED ("
           "  SELECT seq, chat_id, user_id, type FROM ("
           "    SELECT seq, chat_id, CAST(NULL AS uuid) AS user_id, CAST(NULL AS text) AS type"
           "    FROM messages WHERE seq > ?"
           "    UNION ALL SELECT seq, chat_id, user_id, type FROM events WHERE seq > ?) l"
           "  ORDER BY seq LIMIT ?), "
           "watched AS ("
           "  SELECT c.chat_id FROM (SELECT DISTINCT chat_id FROM log) c"
           "  WHERE EXISTS (SELECT 1 FROM chat_members w WHERE w.chat_id = c.chat_id AND "_s
        + FeedInterest::sqlCondition(u"w.user_id")
        + u")), "
          "picked AS ("
          "  SELECT seq FROM log WHERE chat_id IN (SELECT chat_id FROM watched) OR "_s
        + FeedInterest::sqlCondition(u"user_id")
        + u" OR type = ?), "
          "msgs AS (SELECT "_s
        + MessageRows::selectList() + u" FROM "_s + MessageRows::fromMessages()
        + u" WHERE m.seq IN (SELECT seq FROM picked)), "
          "evs AS (SELECT "_s
        + eventColumns() + u" FROM "_s + fromEvents()
        + u" WHERE e.seq IN (SELECT seq FROM picked)), "
          "gaps AS ("
          "  SELECT prev + 1 AS first, seq - 1 AS last FROM ("
          "    SELECT seq, lag(seq, 1, CAST(? AS bigint)) OVER (ORDER BY seq) AS prev FROM log) g"
          "  WHERE seq > prev + 1) "
          "SELECT msgs.*, "_s
        + u"NULL, "_s.repeated(eventColumnCount)
        + u"'message' FROM msgs "
          "UNION ALL SELECT "_s
        + noMessage
        + u"evs.*, 'event' FROM evs "
          "UNION ALL SELECT "_s
        + noMessage + u"NULL, chat_id, user_id, NULL, NULL, "_s + noPreview
        + u"NULL, 'member' FROM chat_members "
          "WHERE chat_id IN (SELECT chat_id FROM msgs UNION SELECT chat_id FROM evs) AND "_s
        + FeedInterest::sqlCondition(u"user_id") + u" UNION ALL SELECT "_s + noMessage
        + u"first, NULL, NULL, NULL, NULL, "_s + noPreview
        + u"last, 'gap' FROM gaps "
          "UNION ALL SELECT "_s
        + noMessage
        + u"(SELECT max(seq) FROM log), NULL, NULL, NULL, "
          "CAST(pg_current_snapshot() AS text), "_s
        + noPreview + u"(SELECT count(*) FROM log), 'snapshot'"_s;
}

} // namespace

Result<FeedBatch> readFeed(Db &db, qint64 afterSeq, int limit, const FeedInterest &interest)
{
    FeedBatch batch;
    batch.lastSeq = afterSeq;
    QList<Update> messages;
    QList<Update> events;
    if (db.isPostgres()) {
        static const QString statement = postgresFeedStatement();
        constexpr int first = MessageRows::selectCount;
        constexpr int last = first + eventColumnCount - 1; // an event's created_at
        const QVariantList interesting = interest.values();
        Rows rows = db.exec(statement,
            QVariantList { afterSeq, afterSeq, limit } + interesting + interesting
                + QVariantList { WsEvents::sessionRevoked.toString(), afterSeq } + interesting);
        qint64 seen = 0;
        while (rows.next()) {
            const QString kind = rows.string(first + eventColumnCount);
            if (kind == u"message") {
                messages.append(messageUpdate(rows));
            } else if (kind == u"event") {
                events.append(eventUpdate(rows, first));
            } else if (kind == u"member") {
                batch.members[rows.string(first + 1)].append(rows.string(first + 2));
            } else if (kind == u"gap") {
                batch.gaps.append({ rows.integer(first), rows.integer(last) });
            } else {
                batch.snapshot = PgSnapshot::parse(rows.string(first + 4));
                batch.lastSeq = qMax(afterSeq, rows.integer(first));
                seen = rows.integer(last);
            }
        }
        // UNION ALL promises no order.
        const auto bySeq = [](const Update &a, const Update &b) { return a.seq < b.seq; };
        std::sort(messages.begin(), messages.end(), bySeq);
        std::sort(events.begin(), events.end(), bySeq);
        std::sort(batch.gaps.begin(), batch.gaps.end());
        batch.full = seen == limit;
        batch.updates = mergeBySeq(std::move(messages), false, std::move(events), false, nullptr);
        return batch;
    }
    // SQLite: in-process statements cost no round trip, its one writer leaves
    // no holes to wait out, and its one instance has every socket.
    {
        Rows rows = db.exec(u"SELECT "_s + MessageRows::selectList() + u" FROM "_s
                + MessageRows::fromMessages() + u" WHERE m.seq > ? ORDER BY m.seq LIMIT ?"_s,
            { afterSeq, limit });
        while (rows.next())
            messages.append(messageUpdate(rows));
    }
    {
        Rows rows = db.exec(u"SELECT "_s + eventColumns() + u" FROM "_s + fromEvents()
                + u" WHERE e.seq > ? ORDER BY e.seq LIMIT ?"_s,
            { afterSeq, limit });
        while (rows.next())
            events.append(eventUpdate(rows, 0));
    }
    const bool messagesFull = messages.size() == limit;
    const bool eventsFull = events.size() == limit;
    batch.updates
        = mergeBySeq(std::move(messages), messagesFull, std::move(events), eventsFull, &batch.full);
    if (!batch.updates.isEmpty())
        batch.lastSeq = batch.updates.last().seq;
    QSet<QString> chatIds;
    for (const Update &update : std::as_const(batch.updates)) {
        if (!update.chatId.isEmpty())
            chatIds.insert(update.chatId);
    }
    if (!chatIds.isEmpty()) {
        Rows rows = db.exec(
            u"SELECT chat_id, user_id FROM chat_members WHERE chat_id IN "_s + db.idSetSql(),
            { QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(chatIds.values()))
                                    .toJson(QJsonDocument::Compact)) });
        while (rows.next())
            batch.members[rows.string(0)].append(rows.string(1));
    }
    return batch;
}

Result<qint64> latestSeq(Db &db)
{
    Rows rows = db.exec(u"SELECT (SELECT COALESCE(MAX(seq), 0) FROM messages), "
                        "(SELECT COALESCE(MAX(seq), 0) FROM events)"_s);
    rows.next();
    return qMax(rows.integer(0), rows.integer(1));
}

QJsonObject UpdatesPage::toJson() const
{
    Messenger::UpdatesPage page { {}, hasMore, lastSeq };
    page.events.reserve(updates.size());
    for (const Update &update : updates)
        page.events.append(update.event());
    return page.toJson();
}

Result<UpdatesPage> forUser(
    Db &db, const QString &userId, qint64 afterSeq, qint64 untilSeq, int limit)
{
    QList<Update> messages;
    QList<Update> events;
    {
        Rows rows = db.exec(u"SELECT "_s + MessageRows::selectList() + u" FROM "_s
                + MessageRows::fromMessages()
                + u" WHERE m.chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = ?) "
                  "AND m.seq > ? AND m.seq <= ? ORDER BY m.seq LIMIT ?"_s,
            { userId, afterSeq, untilSeq, limit });
        while (rows.next())
            messages.append(messageUpdate(rows));
    }
    {
        Rows rows = db.exec(u"SELECT "_s + eventColumns() + u" FROM "_s + fromEvents()
                + u" WHERE (e.chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = ?) "
                  "OR e.user_id = ?) AND e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?"_s,
            { userId, userId, afterSeq, untilSeq, limit });
        while (rows.next())
            events.append(eventUpdate(rows, 0));
    }
    UpdatesPage page;
    const bool messagesFull = messages.size() == limit;
    const bool eventsFull = events.size() == limit;
    page.updates = mergeBySeq(
        std::move(messages), messagesFull, std::move(events), eventsFull, &page.hasMore);
    if (page.updates.size() > limit) {
        page.updates.resize(limit);
        page.hasMore = true;
    }
    page.lastSeq = page.hasMore && !page.updates.isEmpty() ? page.updates.last().seq : untilSeq;
    return page;
}

} // namespace UpdatesService

} // namespace Messenger::Server
