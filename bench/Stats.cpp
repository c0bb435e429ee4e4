#include "Stats.h"

#include <QJsonArray>

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
    QJsonObject result { { u"operations"_s, operations }, { u"seconds"_s, seconds },
        { u"throughput_per_s"_s, throughput() }, { u"p50_ms"_s, percentileMs(50) },
        { u"p90_ms"_s, percentileMs(90) }, { u"p99_ms"_s, percentileMs(99) },
        { u"max_ms"_s, percentileMs(100) }, { u"errors"_s, errorKinds } };
    if (expected > 0) {
        result.insert(u"delivered"_s, delivered);
        result.insert(u"expected"_s, expected);
        result.insert(u"misdelivered"_s, misdelivered);
    }
    return result;
}

} // namespace Messenger::Bench
