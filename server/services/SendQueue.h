#pragma once

#include "MessageService.h"

#include <QFuture>
#include <QObject>
#include <QPromise>

#include <memory>

namespace Messenger::Server {

class Database;
class RateLimiter;

// Group commit for sends (REST and WebSocket alike). A send goes to a worker
// at once while fewer than maxBatchesInFlight are being written; the sends
// that arrive meanwhile wait and are written together, in one transaction,
// as soon as a batch finishes. Under load a database round trip and a commit
// serve many messages; when idle, a send waits for nothing. Each send is
// answered only after the transaction holding it committed.
class SendQueue : public QObject
{
    Q_OBJECT
public:
    // `perUser` limits how fast one user may send (a 429 when exceeded).
    SendQueue(Database &database, RateLimiter &perUser, QObject *parent = nullptr);

    QFuture<Result<Message>> submit(const QString &callerId, const SendMessageRequest &request);

public Q_SLOTS:
    // Whose membership each stored message's chat is read for (the event
    // feed's interest): from the next batch on.
    void setAudience(const Messenger::Server::FeedInterest &audience);

Q_SIGNALS:
    // A batch goes to the database, then it is done: what it stored, each
    // message with its chat's members in the audience, and whether nothing
    // else was committed (complete). Emitted for every batch, failed ones
    // too, and in place of a commit notice for the sends.
    void batchDispatched(quint64 batch);
    void batchStored(quint64 batch, const QList<Messenger::Server::Update> &stored,
        const QHash<QString, QStringList> &audiences, bool complete);

public:
    // Several batches keep the database's cores busy while others are being
    // parsed and answered. On 2 cores, 10 senders: 1 in flight gave 1,950
    // msg/s, 2 gave 2,200-2,370, 4 gave 2,470.
    static constexpr int maxBatchesInFlight = 4;
    // Bounds a transaction's lock time and a batch's latency.
    static constexpr qsizetype maxBatchSize = 64;

private:
    struct Waiting
    {
        MessageService::PendingSend send;
        std::shared_ptr<QPromise<Result<Message>>> promise;
    };
    void dispatch();

    Database &m_db;
    RateLimiter &m_perUser;
    QList<Waiting> m_waiting;
    int m_batchesInFlight = 0;
    quint64 m_lastBatch = 0;
    FeedInterest m_audience = FeedInterest::nobody();
};

} // namespace Messenger::Server
