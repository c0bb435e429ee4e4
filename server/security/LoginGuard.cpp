#include "LoginGuard.h"

#include <QMutexLocker>

namespace Messenger::Server {

LoginGuard::LoginGuard(RateLimiter::Rule perAccountAndAddress, RateLimiter::Rule perAccount)
    : m_byAccountAndAddress(perAccountAndAddress)
    , m_byAddress(perAccountAndAddress)
    , m_byAccount(perAccount)
{ }

QString LoginGuard::pairKey(const QString &account, const QString &address)
{
    return account + u'\n' + address;
}

bool LoginGuard::isKnown(const QString &pair) const
{
    const QMutexLocker lock(&m_knownMutex);
    return m_knownPairs.contains(pair);
}

void LoginGuard::remember(const QString &pair)
{
    const QMutexLocker lock(&m_knownMutex);
    if (m_knownPairs.size() >= maxKnownPairs)
        m_knownPairs.clear();
    m_knownPairs.insert(pair);
}

LoginGuard::Admission LoginGuard::admit(const QString &account, const QString &address)
{
    const QString pair = pairKey(account, address);
    QList<QPair<RateLimiter *, QString>> budgets { { &m_byAccountAndAddress, pair } };
    if (!isKnown(pair))
        budgets += { { &m_byAddress, address }, { &m_byAccount, account } };
    std::shared_ptr<Attempt> attempt(new Attempt(*this, account, address));
    for (const auto &[limiter, key] : std::as_const(budgets)) {
        if (const auto wait = limiter->acquire(key)) {
            attempt->refund(); // what it took so far
            return { nullptr, *wait };
        }
        attempt->m_taken.append({ limiter, key });
    }
    return { attempt, 0 };
}

LoginGuard::Attempt::Attempt(LoginGuard &guard, QString account, QString address)
    : m_guard(guard)
    , m_account(std::move(account))
    , m_address(std::move(address))
{ }

LoginGuard::Attempt::~Attempt()
{
    refund();
}

void LoginGuard::Attempt::refund()
{
    if (std::exchange(m_settled, true))
        return;
    for (const auto &[limiter, key] : std::as_const(m_taken))
        limiter->refund(key);
}

void LoginGuard::Attempt::failed()
{
    m_settled = true;
}

void LoginGuard::Attempt::succeeded()
{
    refund();
    m_guard.remember(pairKey(m_account, m_address));
}

} // namespace Messenger::Server
