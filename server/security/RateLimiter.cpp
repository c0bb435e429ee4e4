#include "RateLimiter.h"

#include "LoginGuard.h"

#include <QLoggingCategory>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcLimits, "messenger.server.limits")

namespace Messenger::Server {

std::optional<RateLimiter::Rule> RateLimiter::Rule::parse(const QString &text)
{
    const QString trimmed = text.trimmed().toLower();
    if (trimmed == u"off"_s || trimmed == u"0"_s)
        return Rule {};
    const QStringList parts = trimmed.split(u'/');
    if (parts.size() != 2)
        return std::nullopt;
    bool rateOk = false;
    bool burstOk = false;
    const double perSecond = parts[0].toDouble(&rateOk);
    const double burst = parts[1].toDouble(&burstOk);
    if (!rateOk || !burstOk || !(perSecond > 0) || !(burst >= 1) || perSecond > 1e6 || burst > 1e6)
        return std::nullopt;
    return Rule { perSecond, burst };
}

QString RateLimiter::Rule::toString() const
{
    return enabled() ? u"%1/%2"_s.arg(perSecond).arg(burst) : u"off"_s;
}

RateLimiter::RateLimiter(Rule rule, qsizetype maxKeys)
    : m_rule(rule)
    , m_maxKeys(maxKeys)
{
    m_clock.start();
}

RateLimiter::Bucket &RateLimiter::refilled(const QString &key, qint64 now)
{
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxKeys)
            prune(now);
        return m_buckets.insert(key, { m_rule.burst, now }).value();
    }
    Bucket &bucket = it.value();
    bucket.tokens = std::min(
        m_rule.burst, bucket.tokens + double(now - bucket.updatedMs) / 1000.0 * m_rule.perSecond);
    bucket.updatedMs = now;
    return bucket;
}

int RateLimiter::secondsUntilToken(const Bucket &bucket) const
{
    return std::max(1, int(std::ceil((1.0 - bucket.tokens) / m_rule.perSecond)));
}

std::optional<int> RateLimiter::acquire(const QString &key)
{
    return acquire(key, 1);
}

std::optional<int> RateLimiter::acquire(const QString &key, int cost)
{
    if (!m_rule.enabled())
        return std::nullopt;
    const QMutexLocker lock(&m_mutex);
    Bucket &bucket = refilled(key, m_clock.elapsed());
    const double needed = std::min(double(cost), m_rule.burst);
    if (bucket.tokens < needed)
        return std::max(1, int(std::ceil((needed - bucket.tokens) / m_rule.perSecond)));
    bucket.tokens -= double(cost);
    return std::nullopt;
}

void RateLimiter::refund(const QString &key)
{
    if (!m_rule.enabled())
        return;
    const QMutexLocker lock(&m_mutex);
    Bucket &bucket = refilled(key, m_clock.elapsed());
    bucket.tokens = std::min(m_rule.burst, bucket.tokens + 1.0);
}

qsizetype RateLimiter::keyCount() const
{
    const QMutexLocker lock(&m_mutex);
    return m_buckets.size();
}

void RateLimiter::prune(qint64 now)
{
    // A bucket that has refilled behaves exactly like a missing one.
    const double fullAfterMs = m_rule.burst / m_rule.perSecond * 1000.0;
    m_buckets.removeIf(
        [&](const auto &entry) { return double(now - entry.value().updatedMs) >= fullAfterMs; });
    if (m_buckets.size() < m_maxKeys)
        return;
    // Every key is active (an attack from very many addresses): keep the
    // newer half rather than grow without bound.
    QList<qint64> times;
    times.reserve(m_buckets.size());
    for (const Bucket &bucket : std::as_const(m_buckets))
        times.append(bucket.updatedMs);
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    const qint64 median = times.at(times.size() / 2);
    m_buckets.removeIf([median](const auto &entry) { return entry.value().updatedMs < median; });
    qCWarning(lcLimits) << "rate limiter full:" << m_maxKeys << "keys; dropped the older half";
}

RateLimits::RateLimits(RateLimiter::Rule failedLogins, RateLimiter::Rule registrations,
    RateLimiter::Rule messages, RateLimiter::Rule failedLoginsPerAccount,
    RateLimiter::Rule searches, RateLimiter::Rule chatChanges, RateLimiter::Rule reactions)
    : logins(std::make_unique<LoginGuard>(failedLogins, failedLoginsPerAccount))
    , registrationsByAddress(registrations)
    , messagesByUser(messages)
    , searchesByUser(searches)
    , chatChangesByUser(chatChanges)
    , reactionsByUser(reactions)
{ }

RateLimits::~RateLimits() = default;

} // namespace Messenger::Server
