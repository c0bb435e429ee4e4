#pragma once

#include <QHash>
#include <QString>

#include <memory>

namespace Messenger::Server {

// The caps on open WebSockets per user and per client address. A socket takes
// its place synchronously, as soon as its token names the user and before any
// asynchronous check: sockets opening at the same moment cannot all pass a
// check that counted none of them. The place is the Slot's until it is
// released (or destroyed), whichever way the socket ends. Event-loop thread only.
class ConnectionSlots
{
public:
    enum class Refusal { None, TooManyForUser, TooManyFromAddress };

    class Slot
    {
    public:
        ~Slot() { release(); }
        Slot(const Slot &) = delete;
        Slot &operator=(const Slot &) = delete;
        // Gives the place back; later calls do nothing.
        void release();

    private:
        friend class ConnectionSlots;
        struct Counts;
        Slot(std::shared_ptr<Counts> counts, QString userId, QString address);
        std::shared_ptr<Counts> m_counts; // outlives the gateway if a socket does
        QString m_userId;
        QString m_address;
        bool m_released = false;
    };

    ConnectionSlots(int maxPerUser, int maxPerAddress);

    // A place for this user's socket from this address, or null with the cap
    // that refused it.
    std::shared_ptr<Slot> reserve(const QString &userId, const QString &address, Refusal *refusal);
    int ofUser(const QString &userId) const;
    int ofAddress(const QString &address) const;

private:
    int m_maxPerUser;
    int m_maxPerAddress;
    std::shared_ptr<Slot::Counts> m_counts;
};

} // namespace Messenger::Server
