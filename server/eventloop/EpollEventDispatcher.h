#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QList>
#include <QMultiHash>
#include <QSet>
#include <QSocketNotifier>

#include <atomic>
#include <chrono>
#include <map>

namespace Messenger::Server {

// An event dispatcher for Linux built on epoll, for threads that hold many
// mostly idle sockets.
//
// Qt 6.4's dispatchers (QEventDispatcherGlib, Debian's default, and
// QEventDispatcherUNIX) poll() an array of every enabled socket notifier on
// each wake-up, so one busy socket among 10,000 idle WebSockets costs work
// for all 10,000 every time. Here the sockets stay
// registered with the kernel (epoll, level-triggered, which is what
// QSocketNotifier means: "activated while there is something to read"), and a
// wake-up costs work for the sockets that are ready and the timers that are
// due only. Posted events, wakeUp() and interrupt() go through an eventfd.
//
// Timers follow Qt's documented accuracy: PreciseTimer to the millisecond;
// CoarseTimer up to 5% late (never early), aligned to boundaries so timers of
// similar intervals wake the thread together; VeryCoarseTimer in whole seconds.
// As in Qt, coarse timers of 20 ms or less are precise and of 20 s or more
// very coarse.
//
// Install before QCoreApplication (QCoreApplication::setEventDispatcher) or
// before QThread::start (QThread::setEventDispatcher).
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(
        int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    // The notifiers of one descriptor: Qt allows one of each type.
    struct Watched
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 events() const;
    };

    // Ordered by deadline; the registration serial breaks ties (first started fires first).
    struct DeadlineKey
    {
        Clock::time_point deadline;
        quint64 serial;
        auto operator<=>(const DeadlineKey &) const = default;
    };

    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0; // milliseconds, whole seconds for VeryCoarseTimer
        Qt::TimerType type = Qt::CoarseTimer;
        DeadlineKey key;
        bool firing = false; // its timer event is being delivered (a nested loop must skip it)
    };

    static QSocketNotifier *&notifierSlot(Watched &watched, QSocketNotifier::Type type);
    void updateInterest(int fd, const Watched &watched, bool known);
    void markPending(QSocketNotifier *notifier);
    int activateSocketNotifiers();
    int waitTimeoutMs(bool includeTimers) const;
    static Clock::time_point firstDeadline(
        Qt::TimerType type, qint64 interval, Clock::time_point now);
    static Clock::time_point nextDeadline(const Timer &timer, Clock::time_point now);
    int drainWakeUps();
    int activateTimers();
    void forgetTimer(QHash<int, Timer>::iterator it);

    int m_epoll = -1;
    int m_wakeUpFd = -1; // eventfd
    std::atomic<bool> m_wakeUpPending { false };
    std::atomic<bool> m_interrupted { false };

    QHash<int, Watched> m_watched; // by descriptor
    QSet<int> m_alwaysReady; // descriptors epoll refuses (regular files): ready, as poll() says
    // Ready notifiers still to be sent their activation; unregistering one
    // takes it out, so deleting a notifier from another one's slot is safe.
    QList<QSocketNotifier *> m_pendingNotifiers;

    QHash<int, Timer> m_timers; // by id
    QMultiHash<QObject *, int> m_timersByObject; // -> timer ids
    std::map<DeadlineKey, int> m_deadlines; // -> timer id
    quint64 m_nextSerial = 0;
};

} // namespace Messenger::Server
