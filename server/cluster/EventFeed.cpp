#include "EventFeed.h"

#include "db/Database.h"

#include <QDateTime>
#include <QLoggingCategory>

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

void EventFeed::poll()
{
    m_polling = true;
    m_pokedWhilePolling = false;
    m_db.run([after = m_delivered](
                 Db &db) { return UpdatesService::readFeed(db, after, batchLimit); })
        .then(this, [this](const Result<FeedBatch> &batch) { handleBatch(batch); });
}

void EventFeed::handleBatch(const Result<FeedBatch> &result)
{
    m_polling = false;
    if (!result) {
        // The database is away; the safety net polls again.
        return;
    }
    const FeedBatch &batch = result.value();
    QList<Update> ready;
    bool waiting = false;
    for (const Update &update : batch.updates) {
        if (update.seq <= m_delivered)
            continue;
        if (update.seq != m_delivered + 1 && batch.snapshot.valid) {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (m_holeAt != m_delivered + 1) {
                m_holeAt = m_delivered + 1;
                m_holeRunningUpTo = 0;
                for (quint64 xid : batch.snapshot.running)
                    m_holeRunningUpTo = qMax(m_holeRunningUpTo, xid);
                m_holeSinceMs = now;
            }
            const bool settled = m_holeRunningUpTo == 0 || batch.snapshot.xmin > m_holeRunningUpTo;
            if (!settled && now - m_holeSinceMs < holeGiveUpMs) {
                waiting = true;
                break;
            }
            if (!settled)
                qCWarning(lcFeed) << "gave up waiting for seq" << m_holeAt << "to"
                                  << update.seq - 1;
        }
        m_holeAt = 0;
        m_delivered = update.seq;
        ready.append(update);
    }
    if (!ready.isEmpty())
        Q_EMIT updatesReady(ready, batch.members);
    if (waiting)
        m_retry.start();
    else if (batch.full || m_pokedWhilePolling)
        poll();
}

} // namespace Messenger::Server
