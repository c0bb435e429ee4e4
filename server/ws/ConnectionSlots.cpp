#include "ConnectionSlots.h"

#include <utility>

namespace Messenger::Server {

struct ConnectionSlots::Slot::Counts
{
    QHash<QString, int> byUser;
    QHash<QString, int> byAddress;
};

namespace {

void decrement(QHash<QString, int> &counts, const QString &key)
{
    const auto it = counts.find(key);
    if (it != counts.end() && --it.value() <= 0)
        counts.erase(it);
}

} // namespace

ConnectionSlots::Slot::Slot(std::shared_ptr<Counts> counts, QString userId, QString address)
    : m_counts(std::move(counts))
    , m_userId(std::move(userId))
    , m_address(std::move(address))
{ }

void ConnectionSlots::Slot::release()
{
    if (std::exchange(m_released, true))
        return;
    decrement(m_counts->byUser, m_userId);
    decrement(m_counts->byAddress, m_address);
}

ConnectionSlots::ConnectionSlots(int maxPerUser, int maxPerAddress)
    : m_maxPerUser(maxPerUser)
    , m_maxPerAddress(maxPerAddress)
    , m_counts(std::make_shared<Slot::Counts>())
{ }

std::shared_ptr<ConnectionSlots::Slot> ConnectionSlots::reserve(
    const QString &userId, const QString &address, Refusal *refusal)
{
    if (ofUser(userId) >= m_maxPerUser) {
        *refusal = Refusal::TooManyForUser;
        return nullptr;
    }
    if (ofAddress(address) >= m_maxPerAddress) {
        *refusal = Refusal::TooManyFromAddress;
        return nullptr;
    }
    *refusal = Refusal::None;
    ++m_counts->byUser[userId];
    ++m_counts->byAddress[address];
    return std::shared_ptr<Slot>(new Slot(m_counts, userId, address));
}

int ConnectionSlots::ofUser(const QString &userId) const
{
    return m_counts->byUser.value(userId);
}

int ConnectionSlots::ofAddress(const QString &address) const
{
    return m_counts->byAddress.value(address);
}

} // namespace Messenger::Server
