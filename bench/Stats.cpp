#include "Stats.h"

#include "ReportKeys.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>

#include <unistd.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Messenger::Bench {

void Stats::merge(const Stats &other)
{
    latenciesNs += other.latenciesNs;
    for (auto it = other.errors.cbegin(); it != other.errors.cend(); ++it)
        errors[it.key()] += it.value();
    operations += other.operations;
    delivered += other.delivered;
    expected += other.expected;
    misdelivered += other.misdelivered;
}

double Stats::percentileMs(double p) const
{
    if (latenciesNs.isEmpty())
        return 0;
    QList<qint64> sorted = latenciesNs;
    const qsizetype rank
        = std::clamp<qsizetype>(qsizetype(p / 100.0 * double(sorted.size())), 0, sorted.size() - 1);
    std::nth_element(sorted.begin(), sorted.begin() + rank, sorted.end());
    return double(sorted.at(rank)) / 1e6;
}

QJsonObject Stats::toJson() const
{
    QJsonObject errorKinds;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        errorKinds.insert(it.key(), it.value());
    QJsonObject result;
    result.insert(ReportKeys::operations, operations);
    result.insert(ReportKeys::seconds, seconds);
    result.insert(ReportKeys::throughputPerSecond, throughput());
    result.insert(ReportKeys::p50Ms, percentileMs(50));
    result.insert(ReportKeys::p90Ms, percentileMs(90));
    result.insert(ReportKeys::p99Ms, percentileMs(99));
    result.insert(ReportKeys::maxMs, percentileMs(100));
    result.insert(ReportKeys::errors, errorKinds);
    if (serverCpuPercent >= 0)
        result.insert(ReportKeys::serverCpuPercent, serverCpuPercent);
    if (expected > 0) {
        result.insert(ReportKeys::delivered, delivered);
        result.insert(ReportKeys::expected, expected);
        result.insert(ReportKeys::misdelivered, misdelivered);
    }
    return result;
}

qint64 serverCpuTicks(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return -1;
    // After the command name (which may hold spaces): utime and stime are fields 14 and 15.
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong();
}

qint64 serverResidentBytes(qint64 pid)
{
    QFile statm(u"/proc/%1/statm"_s.arg(pid));
    if (pid <= 0 || !statm.open(QIODevice::ReadOnly))
        return 0;
    return statm.readAll().split(' ').value(1).toLongLong() * ::sysconf(_SC_PAGESIZE);
}

namespace {
qint64 monotonicNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer timer;
        timer.start();
        return timer;
    }();
    return clock.nsecsElapsed();
}
} // namespace

CpuMeter::CpuMeter(qint64 pid)
    : m_pid(pid)
    , m_startTicks(serverCpuTicks(pid))
    , m_startNs(monotonicNs())
{ }

double CpuMeter::percent() const
{
    const qint64 ticks = serverCpuTicks(m_pid);
    const double seconds = double(monotonicNs() - m_startNs) / 1e9;
    if (m_startTicks < 0 || ticks < 0 || seconds <= 0)
        return -1;
    return 100.0 * double(ticks - m_startTicks) / double(::sysconf(_SC_CLK_TCK)) / seconds;
}

} // namespace Messenger::Bench
