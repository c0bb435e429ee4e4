#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Messenger::Bench {

// Latencies and outcomes of one scenario, merged across worker threads.
struct Stats
{
    QList<qint64> latenciesNs;
    QHash<QString, qint64> errors; // by kind: "http 503", "timeout", "network"...
    qint64 operations = 0;
    qint64 delivered = 0; // fan-out: frames that reached a member
    qint64 expected = 0;
    qint64 misdelivered = 0; // frames that reached a non-member
    double seconds = 0;
    double serverCpuPercent = -1; // over the measured phase, when the server's pid is known

    void merge(const Stats &other);
    void addError(const QString &kind) { ++errors[kind]; }
    // The p-th percentile (0..100) in milliseconds.
    double percentileMs(double p) const;
    double throughput() const { return seconds > 0 ? double(operations) / seconds : 0; }
    QJsonObject toJson() const;
};

// The server's CPU time over an interval, from /proc (Linux), as % of one core.
class CpuMeter
{
public:
    explicit CpuMeter(qint64 pid);
    double percent() const;

private:
    qint64 m_pid;
    qint64 m_startTicks;
    qint64 m_startNs;
};

qint64 serverCpuTicks(qint64 pid);
// The server's resident memory in bytes, from /proc (Linux); 0 where unknown.
qint64 serverResidentBytes(qint64 pid);

} // namespace Messenger::Bench
