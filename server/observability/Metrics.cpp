#include "Metrics.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <sys/resource.h>
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

// The process's numbers as Prometheus's client libraries name them, from
// /proc (Linux); what cannot be read is left out.
void processMetrics(QByteArray &out)
{
    const double ticks = double(::sysconf(_SC_CLK_TCK));
    QFile statFile(u"/proc/self/stat"_s);
    if (statFile.open(QIODevice::ReadOnly)) {
        // The fields after the command's closing parenthesis (the command may
        // hold spaces): state is field 3, utime 14, stime 15, starttime 22, rss 24.
        const QByteArray stat = statFile.readAll();
        const QList<QByteArray> fields
            = stat.mid(stat.lastIndexOf(')') + 2).simplified().split(' ');
        const auto field = [&fields](int number) { return fields.value(number - 3).toDouble(); };
        if (fields.size() >= 22 && ticks > 0) {
            header(out, "process_cpu_seconds_total", "counter",
                "Total user and system CPU time spent in seconds.");
            out += "process_cpu_seconds_total " + number((field(14) + field(15)) / ticks) + '\n';
            gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
                qint64(field(24)) * ::sysconf(_SC_PAGESIZE));
            QFile system(u"/proc/stat"_s);
            if (system.open(QIODevice::ReadOnly)) {
                for (const QByteArray &line : system.readAll().split('\n')) {
                    if (line.startsWith("btime ")) {
                        header(out, "process_start_time_seconds", "gauge",
                            "Start time of the process since unix epoch in seconds.");
                        out += "process_start_time_seconds "
                            + number(line.mid(6).trimmed().toDouble() + field(22) / ticks) + '\n';
                    }
                }
            }
        }
    }
    const qint64 openFds = QDir(u"/proc/self/fd"_s).entryList(QDir::Files | QDir::System).size();
    if (openFds > 0)
        gauge(out, "process_open_fds", "Number of open file descriptors.", openFds);
    rlimit files {};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
            qint64(files.rlim_cur));
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

void LabeledCounter::add(const QByteArray &label, quint64 count)
{
    const QMutexLocker lock(&m_mutex);
    m_counts[label] += count;
}

quint64 LabeledCounter::value(const QByteArray &label) const
{
    const QMutexLocker lock(&m_mutex);
    return m_counts.value(label);
}

void LabeledCounter::render(
    QByteArray &out, const QByteArray &name, const QByteArray &labelName) const
{
    const QMutexLocker lock(&m_mutex);
    for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it) {
        out += name + '{' + labelName + "=\"" + labelValue(it.key()) + "\"} "
            + QByteArray::number(it.value()) + '\n';
    }
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

void Metrics::setBackend(const QByteArray &backend)
{
    const QMutexLocker lock(&m_mutex);
    m_backend = backend;
}

QByteArray Metrics::render() const
{
    QByteArray out;
    {
        const QMutexLocker lock(&m_mutex);
        header(
            out, "messenger_build_info", "gauge", "Always 1; the labels say which server this is.");
        out += "messenger_build_info{version=\""
            + labelValue(QCoreApplication::applicationVersion().toUtf8()) + "\",qt=\""
            + labelValue(qVersion()) + "\",backend=\"" + labelValue(m_backend) + "\"} 1\n";
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
    gauge(out, "messenger_sends_waiting",
        "Sends queued for the next batch while earlier batches are being written.",
        sendsWaiting.load());
    gauge(out, "messenger_messages_stored_total", "Messages stored (not counting retries).",
        qint64(messagesStored.load()), "counter");
    gauge(out, "messenger_messages_delivered_total",
        "Message events written to WebSocket connections.", qint64(messagesDelivered.load()),
        "counter");
    gauge(out, "messenger_feed_polls_total", "Reads of the committed log by the event feed.",
        qint64(feedPolls.load()), "counter");
    gauge(out, "messenger_feed_rows_read_total",
        "Messages and events the event feed read in full: those of chats with a member, and "
        "those addressed to a user, with a socket on this instance.",
        qint64(feedRowsRead.load()), "counter");
    gauge(out, "messenger_feed_rows_handed_total",
        "Messages sent on this instance that its event feed delivered as the send stored them, "
        "without reading them back.",
        qint64(feedRowsHanded.load()), "counter");
    gauge(out, "messenger_db_pool_size", "Database worker connections.", databasePoolSize);
    gauge(out, "messenger_db_connections_in_use", "Database workers busy right now.",
        databaseConnectionsInUse);
    header(out, "messenger_db_query_duration_seconds", "histogram",
        "Time of each unit of database work (one request's queries).");
    m_queryDuration.render(out, "messenger_db_query_duration_seconds", {});
    gauge(out, "messenger_password_hashes_in_flight", "argon2id hashes being computed.",
        passwordHashesInFlight);
    gauge(out, "messenger_websocket_opened_total", "WebSocket connections let in.",
        qint64(webSocketsOpened.load()), "counter");
    header(out, "messenger_websocket_closed_total", "counter",
        "WebSocket connections closed, by close code.");
    webSocketsClosed.render(out, "messenger_websocket_closed_total", "code");
    header(out, "messenger_websocket_refused_total", "counter",
        "WebSocket connections refused, by reason.");
    webSocketsRefused.render(out, "messenger_websocket_refused_total", "reason");
    header(out, "messenger_rate_limited_total", "counter",
        "Requests and commands refused by a rate limit, by the refusal's code.");
    rateLimited.render(out, "messenger_rate_limited_total", "code");
    header(out, "messenger_db_errors_total", "counter",
        "Failed units of database work, by kind (connection, busy, query).");
    databaseErrors.render(out, "messenger_db_errors_total", "kind");
    header(out, "messenger_event_feed_lag_seconds", "histogram",
        "Seconds from an update's commit (its row's timestamp, from the writing instance's "
        "clock) to its delivery to this instance's sockets.");
    m_feedLag.render(out, "messenger_event_feed_lag_seconds", {});
    gauge(out, "messenger_cluster_link_connected",
        "1 while the LISTEN/NOTIFY link to other instances is connected, else 0 (always 0 "
        "on SQLite, which has no other instances).",
        clusterLinkConnected);
    processMetrics(out);
    return out;
}

} // namespace Messenger::Server
