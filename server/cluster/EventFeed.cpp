#include "EventFeed.h"

#include "db/Database.h"
#include "observability/Metrics.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QPromise>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFeed, "messenger.server.feed")

namespace Messenger::Server {

namespace {
constexpr int batchLimit = 500;
constexpr int holeRetryMs = 5;
// A transaction holding a seq for longer than this is assumed lost; waiting
// longer would stall every delivery behind it.
constexpr qint64 holeGiveUpMs = 5000;
constexpr int safetyNetMs = 1000;
// With sockets in more buckets than this, a poll reads everything: the list
// would cost more to send than the rows it saves.
constexpr int maxInterestBuckets = 1024;
} // namespace

EventFeed::EventFeed(Database &database, QObject *parent)
    : QObject(parent)
    , m_db(database)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(holeRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &EventFeed::poll);
    // Covers a NOTIFY lost while the LISTEN connection was down.
    m_safetyNet.setInterval(safetyNetMs);
    connect(&m_safetyNet, &QTimer::timeout, this, &EventFeed::poke);
}

bool EventFeed::start(QString *error)
{
    const Result<qint64> latest
        = m_db.runAndWait([](Db &db) { return UpdatesService::latestSeq(db); });
    if (!latest) {
        *error = latest.error().detail;
        return false;
    }
    m_delivered = latest.value();
    m_safetyNet.start();
    return true;
}

void EventFeed::poke()
{
    if (m_polling) {
        m_pokedWhilePolling = true;
        return;
    }
    if (!m_retry.isActive())
        poll();
}

void EventFeed::localCommit()
{
    ++m_localCommits;
    if (!m_watchers.isEmpty() || !m_waitingForPoll.isEmpty())
        poke();
}

QFuture<qint64> EventFeed::currentSeq()
{
    if (m_localCommitsRead == m_localCommits)
        return QtFuture::makeReadyFuture(m_delivered);
    auto promise = std::make_shared<QPromise<qint64>>();
    promise->start();
    afterNextPoll(this, [this, promise] {
        promise->addResult(m_delivered);
        promise->finish();
    });
    return promise->future();
}

void EventFeed::watch(const QString &userId)
{
    if (++m_watchers[FeedInterest::bucketOf(userId)] > 1)
        return;
    // A user of a bucket new here: the batches in flight read no members of
    // it (unless they read everyone).
    if (!m_toldInterest.everything && outdateSends())
        poke();
    tellInterest();
}

void EventFeed::unwatch(const QString &userId)
{
    const auto watcher = m_watchers.find(FeedInterest::bucketOf(userId));
    if (watcher != m_watchers.end() && --*watcher <= 0) {
        m_watchers.erase(watcher);
        tellInterest();
    }
}

void EventFeed::tellInterest()
{
    FeedInterest now = interest();
    if (now == m_toldInterest)
        return;
    m_toldInterest = std::move(now);
    Q_EMIT interestChanged(m_toldInterest);
}

bool EventFeed::outdateSends()
{
    ++m_sendEra;
    const bool undelivered = !m_held.isEmpty();
    m_held.clear();
    m_heldAudiences.clear();
    m_gapWaitsFor = 0;
    return undelivered;
}

void EventFeed::sendsDispatched(quint64 batch)
{
    m_sendsInFlight.insert(batch, m_sendEra);
    m_lastSendBatch = batch;
}

void EventFeed::sendsStored(quint64 batch, const QList<Update> &stored,
    const QHash<QString, QStringList> &audiences, bool complete)
{
    const auto sent = m_sendsInFlight.constFind(batch);
    const bool current = sent != m_sendsInFlight.cend() && *sent == m_sendEra;
    if (sent != m_sendsInFlight.cend())
        m_sendsInFlight.erase(sent);
    if (current) {
        for (const Update &update : stored) {
            if (update.seq > m_delivered)
                m_held.insert(update.seq, update);
        }
        for (auto audience = audiences.cbegin(); audience != audiences.cend(); ++audience)
            m_heldAudiences.insert(audience.key(), audience.value());
    }
    // Whether this batch is a commit of its own to count, read once handed on.
    bool counted = false;
    if (!current || !complete) {
        // The log has the rest (or all of it), as for any commit here.
        localCommit();
    } else if (!stored.isEmpty()) {
        ++m_localCommits;
        counted = true;
    }
    deliverHeld();
    if (m_held.isEmpty()) {
        m_gapWaitsFor = 0;
        m_heldAudiences.clear();
        // Handed on whole: /updates need not wait for a poll, unless an
        // earlier commit here is still unread.
        if (counted && m_localCommitsRead + 1 == m_localCommits)
            m_localCommitsRead = m_localCommits;
        return;
    }
    // A gap before the held messages: a batch sent before it appeared may
    // fill it; once none is in flight, it is someone else's, for the log.
    if (m_gapWaitsFor == 0)
        m_gapWaitsFor = m_lastSendBatch;
    const bool earlierInFlight = std::any_of(m_sendsInFlight.keyBegin(), m_sendsInFlight.keyEnd(),
        [this](quint64 inFlight) { return inFlight <= m_gapWaitsFor; });
    if (earlierInFlight)
        return;
    m_gapWaitsFor = 0;
    if (!m_watchers.isEmpty() || !m_waitingForPoll.isEmpty())
        poke();
    else
        outdateSends(); // nobody here wants them now: the next poll reads them
}

void EventFeed::deliverHeld()
{
    QList<Update> ready;
    QHash<QString, QStringList> members;
    auto next = m_held.begin();
    while (next != m_held.end() && next.key() <= m_delivered)
        next = m_held.erase(next);
    while (next != m_held.end() && next.key() == m_delivered + 1) {
        m_delivered = next.key();
        if (!next->chatId.isEmpty() && !members.contains(next->chatId))
            members.insert(next->chatId, m_heldAudiences.value(next->chatId));
        ready.append(std::move(*next));
        next = m_held.erase(next);
    }
    if (ready.isEmpty())
        return;
    Metrics::global().feedRowsHanded += quint64(ready.size());
    Q_EMIT updatesReady(ready, members);
}

void EventFeed::afterNextPoll(QObject *context, std::function<void()> then)
{
    m_waitingForPoll.append({ context, std::move(then) });
    poke();
}

FeedInterest EventFeed::interest() const
{
    if (m_watchers.size() > maxInterestBuckets)
        return {};
    return { false, m_watchers.keys() };
}

void EventFeed::poll()
{
    m_polling = true;
    m_pokedWhilePolling = false;
    m_waitingOnPoll.append(std::exchange(m_waitingForPoll, {}));
    ++Metrics::global().feedPolls;
    m_db.run([after = m_delivered, interest = interest()](
                 Db &db) { return UpdatesService::readFeed(db, after, batchLimit, interest); })
        .then(this, [this, covered = m_localCommits](const Result<FeedBatch> &batch) {
            handleBatch(batch, covered);
        });
}

void EventFeed::handleBatch(const Result<FeedBatch> &result, quint64 coveredCommits)
{
    m_polling = false;
    // A full batch left newer rows for the next poll (currentSeq then answers
    // with the watermark reached, consistent if not the newest).
    if (result && !result.value().full)
        m_localCommitsRead = qMax(m_localCommitsRead, coveredCommits);
    const qint64 deliveredBefore = m_delivered;
    QList<Update> ready;
    bool waiting = false;
    if (result) {
        const FeedBatch &batch = result.value();
        Metrics::global().feedRowsRead += quint64(batch.updates.size());
        // Walks the seqs after the watermark up to the newest the poll saw:
        // those not of interest were visible and pass, updates are handed
        // on, and a gap is a hole to wait out.
        qsizetype gap = 0;
        qsizetype next = 0;
        while (next < batch.updates.size() || gap < batch.gaps.size()) {
            const bool takeGap = gap < batch.gaps.size()
                && (next >= batch.updates.size()
                    || batch.gaps[gap].first < batch.updates[next].seq);
            if (!takeGap) {
                const Update &update = batch.updates[next++];
                if (update.seq <= m_delivered)
                    continue;
                m_delivered = update.seq;
                ready.append(update);
                continue;
            }
            const auto [first, last] = batch.gaps[gap++];
            if (last <= m_delivered)
                continue;
            m_delivered = qMax(m_delivered, first - 1);
            if (batch.snapshot.valid) {
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                if (m_holeAt != first) {
                    m_holeAt = first;
                    m_holeRunningUpTo = 0;
                    for (quint64 xid : batch.snapshot.running)
                        m_holeRunningUpTo = qMax(m_holeRunningUpTo, xid);
                    m_holeSinceMs = now;
                }
                const bool settled
                    = m_holeRunningUpTo == 0 || batch.snapshot.xmin > m_holeRunningUpTo;
                if (!settled && now - m_holeSinceMs < holeGiveUpMs) {
                    waiting = true;
                    break;
                }
                if (!settled)
                    qCWarning(lcFeed) << "gave up waiting for seq" << first << "to" << last;
            }
            m_holeAt = 0;
            m_delivered = last;
        }
        if (!waiting)
            m_delivered = qMax(m_delivered, batch.lastSeq);
        if (!ready.isEmpty())
            Q_EMIT updatesReady(ready, batch.members);
    }
    // What the log gave may be what a batch in flight read before it (a
    // member added): those batches' messages, and the held ones, are read.
    if (m_delivered > deliveredBefore && outdateSends())
        m_pokedWhilePolling = true;
    // Sockets waiting for this poll open now, at the watermark it reached.
    for (const Waiter &waiter : std::exchange(m_waitingOnPoll, {})) {
        if (waiter.context)
            waiter.then();
    }
    if (!result)
        return; // the database is away; the safety net polls again
    if (waiting)
        m_retry.start();
    else if (result.value().full || m_pokedWhilePolling || !m_waitingForPoll.isEmpty())
        poll();
}

} // namespace Messenger::Server
