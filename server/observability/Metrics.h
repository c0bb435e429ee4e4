#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <array>
#include <atomic>

namespace Messenger::Server {

// Counts seconds into Prometheus-style cumulative buckets; safe from any thread.
class Histogram
{
public:
    static constexpr std::array<double, 12> bounds { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1.0, 5.0 };
    void observe(qint64 nanoseconds);
    // `name{labels,le="..."}` lines plus _sum and _count.
    void render(QByteArray &out, const QByteArray &name, const QByteArray &labels) const;

private:
    std::array<std::atomic<quint64>, bounds.size() + 1> m_buckets {}; // the last is +Inf
    std::atomic<quint64> m_sumNanoseconds { 0 };
    std::atomic<quint64> m_count { 0 };
};

// Counts by one label whose values the server chooses (a reason, a kind,
// never what a client sent); safe from any thread.
class LabeledCounter
{
public:
    void add(const QByteArray &label, quint64 count = 1);
    quint64 value(const QByteArray &label) const;
    // `name{labelName="..."} count` lines, one per label seen.
    void render(QByteArray &out, const QByteArray &name, const QByteArray &labelName) const;

private:
    mutable QMutex m_mutex;
    QHash<QByteArray, quint64> m_counts;
};

// The server's numbers for GET /metrics, in Prometheus text format. One per
// process: what it counts (requests, sockets, queries, hashes) happens all over
// the server and on several threads, so the parts update it directly.
class Metrics
{
public:
    static Metrics &global();

    // `route` is the route as OpenAPI names it ("/api/v1/chats/{chat_id}"), or
    // "unmatched", never a raw path: ids and a client's inventions do not
    // become label values.
    void recordRequest(
        const QByteArray &method, const QString &route, int status, qint64 nanoseconds);
    void recordQuery(qint64 nanoseconds) { m_queryDuration.observe(nanoseconds); }
    // Seconds from an update's commit (its row's timestamp, taken by the
    // instance that wrote it just before committing) to its delivery to this
    // instance's sockets.
    void recordFeedLag(qint64 nanoseconds) { m_feedLag.observe(nanoseconds); }

    // The database in use ("sqlite", "postgres"): a label of messenger_build_info.
    void setBackend(const QByteArray &backend);

    std::atomic<quint64> webSocketsOpened { 0 };
    // By close code (the standard ones; "other" for the rest).
    LabeledCounter webSocketsClosed;
    // By reason (invalid_token, not_member, too_many_for_user, ...).
    LabeledCounter webSocketsRefused;
    // By the 429's code (too_many_messages, too_many_failed_logins, ...).
    LabeledCounter rateLimited;
    // By kind: connection (lost or refused), busy (SQLite locked), query (any other failure).
    LabeledCounter databaseErrors;
    // The LISTEN/NOTIFY connection to the other instances (PostgreSQL only).
    std::atomic<qint64> clusterLinkConnected { 0 };

    std::atomic<qint64> webSocketConnections { 0 };
    std::atomic<qint64> httpConnections { 0 };
    // Connections not read because their clients leave answers unread.
    std::atomic<qint64> httpConnectionsStalled { 0 };
    std::atomic<qint64> httpUnsentBytes { 0 }; // as of the last sweep
    std::atomic<quint64> messagesStored { 0 };
    std::atomic<quint64> messagesDelivered { 0 };
    // The event feed: its reads of the log, the messages and events it
    // read in full (those of chats and users with a socket here), and the
    // messages sends made here handed it without a read.
    std::atomic<quint64> feedPolls { 0 };
    std::atomic<quint64> feedRowsRead { 0 };
    std::atomic<quint64> feedRowsHanded { 0 };
    std::atomic<qint64> databaseConnectionsInUse { 0 };
    // Sends queued for the next batch while earlier batches hold the
    // database (SendQueue): growing, the database cannot keep up.
    std::atomic<qint64> sendsWaiting { 0 };
    std::atomic<qint64> passwordHashesInFlight { 0 };
    std::atomic<qint64> databasePoolSize { 0 };

    QByteArray render() const;

private:
    struct RequestKey
    {
        QByteArray method;
        QString route;
        int status;
        bool operator==(const RequestKey &) const = default;
    };
    friend size_t qHash(const RequestKey &key, size_t seed)
    {
        return qHashMulti(seed, key.method, key.route, key.status);
    }

    mutable QMutex m_mutex; // guards the two hashes below and m_backend
    QHash<RequestKey, quint64> m_requests;
    QHash<QString, Histogram *> m_requestDuration; // by route; never removed
    Histogram m_queryDuration;
    Histogram m_feedLag;
    QByteArray m_backend; // guarded by m_mutex
};

// Counts something in flight for as long as it lives.
class InFlight
{
public:
    explicit InFlight(std::atomic<qint64> &gauge)
        : m_gauge(gauge)
    {
        ++m_gauge;
    }
    ~InFlight() { --m_gauge; }
    InFlight(const InFlight &) = delete;
    InFlight &operator=(const InFlight &) = delete;

private:
    std::atomic<qint64> &m_gauge;
};

} // namespace Messenger::Server
