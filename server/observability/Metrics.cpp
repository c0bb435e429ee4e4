#include "Metrics.h"

#include <QFile>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 10);
}

// Label values escaped as the text format wants (backslash, quote, newline).
QByteArray labelValue(const QByteArray &raw)
{
    QByteArray escaped = raw;
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return escaped;
}

void header(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += "# HELP "_ba + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

void gauge(
    QByteArray &out, const char *name, const char *help, qint64 value, const char *type = "gauge")
{
    header(out, name, type, help);
    out += QByteArray(name) + ' ' + QByteArray::number(value) + '\n';
}

// Resident memory from /proc (Linux), in bytes; 0 where unavailable.
qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * ::sysconf(_SC_PAGESIZE) : 0;
}

} // namespace

void Histogram::observe(qint64 nanoseconds)
{
    const double seconds = double(nanoseconds) / 1e9;
    size_t bucket = 0;
    while (bucket < bounds.size() && seconds > bounds[bucket])
        ++bucket;
    ++m_buckets[bucket];
    m_sumNanoseconds += quint64(std::max<qint64>(0, nanoseconds));
    ++m_count;
}

void Histogram::render(QByteArray &out, const QByteArray &name, const QByteArray &labels) const
{
    const QByteArray prefix = labels.isEmpty() ? QByteArray() : labels + ',';
    quint64 cumulative = 0;
    for (size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += m_buckets[i];
        const QByteArray le = i < bounds.size() ? number(bounds[i]) : "+Inf"_ba;
        out += name + "_bucket{" + prefix + "le=\"" + le + "\"} " + QByteArray::number(cumulative)
            + '\n';
    }
    const QByteArray braces = labels.isEmpty() ? QByteArray() : '{' + labels + '}';
    out += name + "_sum" + braces + ' ' + number(double(m_sumNanoseconds) / 1e9) + '\n';
    out += name + "_count" + braces + ' ' + QByteArray::number(m_count.load()) + '\n';
}

Metrics &Metrics::global()
{
    static Metrics metrics;
    return metrics;
}

void Metrics::recordRequest(
    const QByteArray &method, const QString &route, int status, qint64 nanoseconds)
{
    Histogram *duration = nullptr;
    {
        const QMutexLocker lock(&m_mutex);
        ++m_requests[{ method, route, status }];
        duration = m_requestDuration.value(route);
        if (!duration) {
            duration = new Histogram; // lives as long as the process: one per route
            m_requestDuration.insert(route, duration);
        }
    }
    duration->observe(nanoseconds);
}

QByteArray Metrics::render() const
{
    QByteArray out;
    {
        const QMutexLocker lock(&m_mutex);
        header(out, "messenger_http_requests_total", "counter",
            "HTTP requests answered, by method, route template and status.");
        for (auto it = m_requests.cbegin(); it != m_requests.cend(); ++it) {
            out += "messenger_http_requests_total{method=\"" + labelValue(it.key().method)
                + "\",route=\"" + labelValue(it.key().route.toUtf8()) + "\",status=\""
                + QByteArray::number(it.key().status) + "\"} " + QByteArray::number(it.value())
                + '\n';
        }
        header(out, "messenger_http_request_duration_seconds", "histogram",
            "Time from request to answer written, by route template.");
        for (auto it = m_requestDuration.cbegin(); it != m_requestDuration.cend(); ++it) {
            it.value()->render(out, "messenger_http_request_duration_seconds",
                "route=\"" + labelValue(it.key().toUtf8()) + '"');
        }
    }
    gauge(out, "messenger_websocket_connections", "Open WebSocket connections.",
        webSocketConnections);
    gauge(out, "messenger_http_connections", "Open HTTP connections (not WebSockets).",
        httpConnections);
    gauge(out, "messenger_http_connections_stalled",
        "HTTP connections not read while their clients leave answers unread.",
        httpConnectionsStalled);
    gauge(out, "messenger_http_unsent_bytes",
        "Answers written but not yet sent on HTTP connections (bytes, each second).",
        httpUnsentBytes);
    gauge(out, "messenger_messages_stored_total", "Messages stored (not counting retries).",
        qint64(messagesStored.load()), "counter");
    gauge(out, "messenger_messages_delivered_total",
        "Message events written to WebSocket connections.", qint64(messagesDelivered.load()),
        "counter");
    gauge(out, "messenger_db_pool_size", "Database worker connections.", databasePoolSize);
    gauge(out, "messenger_db_connections_in_use", "Database workers busy right now.",
        databaseConnectionsInUse);
    header(out, "messenger_db_query_duration_seconds", "histogram",
        "Time of each unit of database work (one request's queries).");
    m_queryDuration.render(out, "messenger_db_query_duration_seconds", {});
    gauge(out, "messenger_password_hashes_in_flight", "argon2id hashes being computed.",
        passwordHashesInFlight);
    gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", residentBytes());
    return out;
}

} // namespace Messenger::Server
