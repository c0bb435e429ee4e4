#include "SendQueue.h"

#include "db/Database.h"
#include "security/RateLimiter.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server {

SendQueue::SendQueue(Database &database, RateLimiter &perUser, QObject *parent)
    : QObject(parent)
    , m_db(database)
    , m_perUser(perUser)
{ }

QFuture<Result<Message>> SendQueue::submit(
    const QString &callerId, const SendMessageRequest &request)
{
    if (const auto wait = m_perUser.acquire(callerId))
        return QtFuture::makeReadyFuture(
            Result<Message>(ApiError::tooManyRequests(u"too_many_messages"_s, *wait)));
    auto promise = std::make_shared<QPromise<Result<Message>>>();
    promise->start();
    m_waiting.append({ { callerId, request }, promise });
    ++Metrics::global().sendsWaiting;
    if (m_batchesInFlight < maxBatchesInFlight)
        dispatch();
    return promise->future();
}

void SendQueue::dispatch()
{
    if (m_waiting.isEmpty())
        return;
    const qsizetype size = std::min(m_waiting.size(), maxBatchSize);
    QList<Waiting> batch = m_waiting.mid(0, size);
    m_waiting.remove(0, size);
    Metrics::global().sendsWaiting -= size;
    QList<MessageService::PendingSend> sends;
    sends.reserve(batch.size());
    for (const Waiting &waiting : std::as_const(batch))
        sends.append(waiting.send);
    ++m_batchesInFlight;
    const quint64 id = ++m_lastBatch;
    Q_EMIT batchDispatched(id);
    m_db.run([sends = std::move(sends), audience = m_audience](
                 Db &db) -> Result<MessageService::SentBatch> {
            return MessageService::sendBatch(db, sends, audience);
        })
        .then(this,
            [this, id, batch = std::move(batch)](const Result<MessageService::SentBatch> &sent) {
                // The feed first: when a sender has its answer, the feed has
                // its message (so /updates shows it at once).
                Q_EMIT batchStored(id, sent ? sent.value().stored : QList<Update> {},
                    sent ? sent.value().audiences : QHash<QString, QStringList> {},
                    sent && sent.value().complete);
                for (qsizetype i = 0; i < batch.size(); ++i) {
                    // A lost connection fails the whole batch with one error.
                    batch[i].promise->addResult(
                        sent ? sent.value().answers.at(i) : Result<Message>(sent.error()));
                    batch[i].promise->finish();
                }
                --m_batchesInFlight;
                dispatch();
            });
}

void SendQueue::setAudience(const FeedInterest &audience)
{
    m_audience = audience;
}

} // namespace Messenger::Server
