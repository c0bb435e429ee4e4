#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>

namespace Messenger::Server {

// Token buckets by key (an account, an address, a user): each key may spend
// `burst` at once and earns `perSecond` back, as Synapse's limiters do.
// Thread-safe: logins finish on hashing threads. Memory is bounded: past
// maxKeys, buckets that have refilled (which hold no information) are
// dropped, and if that frees nothing the oldest half goes.
class RateLimiter
{
public:
    struct Rule
    {
        double perSecond = 0; // 0: no limit
        double burst = 0;
        bool enabled() const { return perSecond > 0; }
        // "0.17/3" (per second / burst) or "off".
        static std::optional<Rule> parse(const QString &text);
        QString toString() const;
    };

    explicit RateLimiter(Rule rule, qsizetype maxKeys = 100000);

    const Rule &rule() const { return m_rule; }
    // Spends one token; nullopt when allowed, else whole seconds until a
    // token is back (the Retry-After).
    std::optional<int> acquire(const QString &key);
    // Spends `cost` tokens at once (a forward: one per copy), all or none. A
    // cost above the burst needs a full bucket and leaves it in debt, so the
    // average rate holds for any cost.
    std::optional<int> acquire(const QString &key, int cost);
    // Gives back a token acquire() took (the attempt did not count after all).
    void refund(const QString &key);
    qsizetype keyCount() const;

private:
    struct Bucket
    {
        double tokens;
        qint64 updatedMs;
    };
    Bucket &refilled(const QString &key, qint64 now);
    int secondsUntilToken(const Bucket &bucket) const;
    void prune(qint64 now);

    const Rule m_rule;
    const qsizetype m_maxKeys;
    mutable QMutex m_mutex;
    QHash<QString, Bucket> m_buckets;
    QElapsedTimer m_clock;
};

class LoginGuard;

// The server's limiters, shared by REST and WebSocket.
struct RateLimits
{
    RateLimits(RateLimiter::Rule failedLogins, RateLimiter::Rule registrations,
        RateLimiter::Rule messages, RateLimiter::Rule failedLoginsPerAccount = {},
        RateLimiter::Rule searches = { 1, 30 }, RateLimiter::Rule chatChanges = {},
        RateLimiter::Rule reactions = {});
    ~RateLimits();
    std::unique_ptr<LoginGuard> logins;
    RateLimiter registrationsByAddress;
    RateLimiter messagesByUser;
    RateLimiter searchesByUser; // user search: no one pages through the directory
    // Group management: each change is sent to every member and stored.
    RateLimiter chatChangesByUser;
    // Reactions: each change is stored and sent to every member.
    RateLimiter reactionsByUser;
};

} // namespace Messenger::Server
