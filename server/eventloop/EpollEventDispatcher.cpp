#include "EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>
#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Messenger::Server {

namespace {

using namespace std::chrono;

// Qt's thresholds (QTimerInfoList): a coarse timer this short is precise, this long very coarse.
constexpr qint64 coarseIsPreciseUpToMs = 20;
constexpr qint64 coarseIsVeryCoarseFromMs = 20 * 1000;

// The events a notifier type is activated for. A hang-up or an error is what
// a reader must see (it reads the end of the stream or the error); a writer
// sees errors, and a hang-up when nobody reads, else level-triggered epoll
// would report the descriptor forever to no one.
constexpr quint32 readEvents = EPOLLIN | EPOLLHUP | EPOLLERR;
constexpr quint32 writeEvents = EPOLLOUT | EPOLLERR;
constexpr quint32 exceptionEvents = EPOLLPRI;

// How many ready descriptors one wake-up takes; more stay ready (level-
// triggered) and are taken on the next pass.
constexpr int readyBatch = 256;

// A coarse timer may fire up to 5% late: its deadline is rounded up to the
// largest of these boundaries within 5% of its interval, so timers of similar
// intervals fall due together and wake the thread once.
qint64 coarseGranularityMs(qint64 intervalMs)
{
    static constexpr std::array boundaries { 1000, 500, 250, 200, 100, 50, 25, 20, 10, 5 };
    const qint64 slack = intervalMs / 20;
    for (const int boundary : boundaries) {
        if (boundary <= slack)
            return boundary;
    }
    return 1;
}

steady_clock::time_point roundedUp(steady_clock::time_point time, milliseconds step)
{
    const auto sinceEpoch = time.time_since_epoch();
    const auto stepped = duration_cast<steady_clock::duration>(step);
    const auto steps = (sinceEpoch + stepped - steady_clock::duration(1)) / stepped;
    return steady_clock::time_point(steps * stepped);
}

} // namespace

quint32 EpollEventDispatcher::Watched::events() const
{
    return (read ? quint32(EPOLLIN) : 0) | (write ? quint32(EPOLLOUT) : 0)
        | (exception ? quint32(EPOLLPRI) : 0);
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUpFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_wakeUpFd < 0)
        qFatal(
            "EpollEventDispatcher: cannot create epoll or eventfd descriptors (errno %d)", errno);
    epoll_event wake {};
    wake.events = EPOLLIN;
    wake.data.fd = m_wakeUpFd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeUpFd, &wake) != 0)
        qFatal("EpollEventDispatcher: cannot watch the eventfd (errno %d)", errno);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeUpFd);
    ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // As QEventDispatcherUNIX: an interrupt() is for the pass in progress or
    // the next one; its wake-up keeps that one from blocking.
    m_interrupted.store(false);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    // Events posted meanwhile (here or from another thread) went through
    // wakeUp(), so the eventfd is readable and the wait returns at once.
    const bool mayBlock = flags.testFlag(QEventLoop::WaitForMoreEvents) && !m_interrupted.load();
    if (mayBlock)
        Q_EMIT aboutToBlock();
    if (m_interrupted.load())
        return false;

    int timeoutMs = mayBlock ? waitTimeoutMs(includeTimers) : 0;
    if (includeNotifiers && !m_alwaysReady.isEmpty())
        timeoutMs = 0;

    int processed = 0;
    if (includeNotifiers) {
        std::array<epoll_event, readyBatch> ready;
        const int count = epoll_wait(m_epoll, ready.data(), readyBatch, timeoutMs);
        if (count < 0 && errno != EINTR)
            qErrnoWarning("EpollEventDispatcher: epoll_wait failed");
        for (int i = 0; i < count; ++i) {
            const int fd = ready[i].data.fd;
            if (fd == m_wakeUpFd) {
                processed += drainWakeUps();
                continue;
            }
            const auto watched = m_watched.constFind(fd);
            if (watched == m_watched.cend())
                continue;
            const quint32 events = ready[i].events;
            if (watched->read && (events & readEvents))
                markPending(watched->read);
            if (watched->write && (events & (watched->read ? writeEvents : writeEvents | EPOLLHUP)))
                markPending(watched->write);
            if (watched->exception && (events & exceptionEvents))
                markPending(watched->exception);
        }
        for (const int fd : std::as_const(m_alwaysReady)) {
            const Watched &watched = m_watched[fd];
            if (watched.read)
                markPending(watched.read);
            if (watched.write)
                markPending(watched.write);
        }
        processed += activateSocketNotifiers();
    } else {
        pollfd wake { m_wakeUpFd, POLLIN, 0 };
        if (::poll(&wake, 1, timeoutMs) > 0)
            processed += drainWakeUps();
    }
    if (includeTimers)
        processed += activateTimers();
    return processed > 0;
}

// --- socket notifiers ---------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("QSocketNotifier: socket notifiers cannot be enabled from another thread");
        return;
    }
    const int fd = int(notifier->socket());
    const bool known = m_watched.contains(fd);
    Watched &watched = m_watched[fd];
    QSocketNotifier *&slot = notifierSlot(watched, notifier->type());
    if (slot && slot != notifier)
        qWarning("EpollEventDispatcher: several socket notifiers of one type for socket %d", fd);
    slot = notifier;
    updateInterest(fd, watched, known);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("QSocketNotifier: socket notifiers cannot be disabled from another thread");
        return;
    }
    m_pendingNotifiers.removeOne(notifier);
    const int fd = int(notifier->socket());
    const auto it = m_watched.find(fd);
    if (it == m_watched.end())
        return;
    QSocketNotifier *&slot = notifierSlot(*it, notifier->type());
    if (slot != notifier)
        return; // another notifier took its place (Qt warned when that one was registered)
    slot = nullptr;
    const Watched watched = *it;
    if (!watched.read && !watched.write && !watched.exception)
        m_watched.erase(it);
    updateInterest(fd, watched, true);
}

QSocketNotifier *&EpollEventDispatcher::notifierSlot(Watched &watched, QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return watched.read;
    case QSocketNotifier::Write:
        return watched.write;
    case QSocketNotifier::Exception:
        break;
    }
    return watched.exception;
}

void EpollEventDispatcher::updateInterest(int fd, const Watched &watched, bool known)
{
    const quint32 events = watched.events();
    if (m_alwaysReady.contains(fd)) {
        if (!events)
            m_alwaysReady.remove(fd);
        return;
    }
    if (!events) {
        // Fails harmlessly when the descriptor was closed first: the kernel
        // dropped it from the set with its last reference.
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        return;
    }
    epoll_event interest {};
    interest.events = events;
    interest.data.fd = fd;
    int op = known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(m_epoll, op, fd, &interest) == 0)
        return;
    // The descriptor was closed and its number reused (MOD: gone from the
    // set), or it is still in the set from a notifier that never said goodbye (ADD).
    if (errno == ENOENT || errno == EEXIST) {
        op = errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(m_epoll, op, fd, &interest) == 0)
            return;
    }
    if (errno == EPERM) {
        // Regular files cannot be in an epoll set; poll() reports them always
        // ready, and so do we.
        m_alwaysReady.insert(fd);
        return;
    }
    qErrnoWarning("EpollEventDispatcher: cannot watch socket %d", fd);
}

void EpollEventDispatcher::markPending(QSocketNotifier *notifier)
{
    // A nested loop (a slot that runs processEvents) sees the same ready
    // descriptors again; each notifier is activated once per pass.
    if (!m_pendingNotifiers.contains(notifier))
        m_pendingNotifiers.append(notifier);
}

int EpollEventDispatcher::activateSocketNotifiers()
{
    int activated = 0;
    while (!m_pendingNotifiers.isEmpty()) {
        QSocketNotifier *notifier = m_pendingNotifiers.takeFirst();
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;
    }
    return activated;
}

// --- timers -----------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qWarning("EpollEventDispatcher::registerTimer: invalid arguments");
        return;
    }
    if (object->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("QObject::startTimer: timers cannot be started from another thread");
        return;
    }
    if (timerType == Qt::CoarseTimer) {
        if (interval <= coarseIsPreciseUpToMs)
            timerType = Qt::PreciseTimer;
        else if (interval >= coarseIsVeryCoarseFromMs)
            timerType = Qt::VeryCoarseTimer;
    }
    Timer timer;
    timer.object = object;
    timer.type = timerType;
    // Very coarse timers count whole seconds, rounded to the nearest as Qt does.
    timer.interval = timerType == Qt::VeryCoarseTimer ? (interval + 500) / 1000 : interval;
    timer.key = { firstDeadline(timerType, timer.interval, Clock::now()), m_nextSerial++ };
    m_deadlines.emplace(timer.key, timerId);
    m_timersByObject.insert(object, timerId);
    m_timers.insert(timerId, timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    if (timerId < 1) {
        qWarning("EpollEventDispatcher::unregisterTimer: invalid argument");
        return false;
    }
    if (thread() != QThread::currentThread()) {
        qWarning("QObject::killTimer: timers cannot be stopped from another thread");
        return false;
    }
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    forgetTimer(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    if (!object) {
        qWarning("EpollEventDispatcher::unregisterTimers: invalid argument");
        return false;
    }
    if (object->thread() != thread() || thread() != QThread::currentThread()) {
        qWarning("QObject::killTimers: timers cannot be stopped from another thread");
        return false;
    }
    const QList<int> ids = m_timersByObject.values(object);
    for (const int id : ids) {
        if (const auto it = m_timers.find(id); it != m_timers.end())
            forgetTimer(it);
    }
    return !ids.isEmpty();
}

void EpollEventDispatcher::forgetTimer(QHash<int, Timer>::iterator it)
{
    m_deadlines.erase(it->key);
    m_timersByObject.remove(it->object, it.key());
    m_timers.erase(it);
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(
    QObject *object) const
{
    QList<TimerInfo> timers;
    if (!object) {
        qWarning("EpollEventDispatcher::registeredTimers: invalid argument");
        return timers;
    }
    for (auto id = m_timersByObject.constFind(object);
         id != m_timersByObject.cend() && id.key() == object; ++id) {
        const Timer timer = m_timers.value(*id);
        const qint64 intervalMs
            = timer.type == Qt::VeryCoarseTimer ? timer.interval * 1000 : timer.interval;
        timers.append(TimerInfo(*id, int(intervalMs), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    if (timerId < 1) {
        qWarning("EpollEventDispatcher::remainingTime: invalid argument");
        return -1;
    }
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    const auto left = duration_cast<milliseconds>(it->key.deadline - Clock::now());
    return int(std::clamp<qint64>(left.count(), 0, INT_MAX));
}

EpollEventDispatcher::Clock::time_point EpollEventDispatcher::firstDeadline(
    Qt::TimerType type, qint64 interval, Clock::time_point now)
{
    switch (type) {
    case Qt::PreciseTimer:
        return now + milliseconds(interval);
    case Qt::CoarseTimer:
        return roundedUp(now + milliseconds(interval), milliseconds(coarseGranularityMs(interval)));
    case Qt::VeryCoarseTimer:
        break;
    }
    return roundedUp(now + seconds(interval), seconds(1));
}

EpollEventDispatcher::Clock::time_point EpollEventDispatcher::nextDeadline(
    const Timer &timer, Clock::time_point now)
{
    // Qt's rule: a repeating timer keeps its rhythm, but a late one does not
    // fire again and again to catch up; it starts over from now.
    const auto period = timer.type == Qt::VeryCoarseTimer
        ? duration_cast<Clock::duration>(seconds(timer.interval))
        : duration_cast<Clock::duration>(milliseconds(timer.interval));
    Clock::time_point next = timer.key.deadline + period;
    if (next < now || (timer.type == Qt::VeryCoarseTimer && next <= now))
        return firstDeadline(timer.type, timer.interval, now);
    if (timer.type == Qt::CoarseTimer)
        return roundedUp(next, milliseconds(coarseGranularityMs(timer.interval)));
    return next;
}

int EpollEventDispatcher::waitTimeoutMs(bool includeTimers) const
{
    if (!includeTimers)
        return -1;
    // A timer whose event is still being delivered (its handler runs a nested
    // loop) is not waited for: it cannot fire again until that returns.
    for (const auto &[key, id] : m_deadlines) {
        if (m_timers.value(id).firing)
            continue;
        const auto left = key.deadline - Clock::now();
        if (left <= Clock::duration::zero())
            return 0;
        // Rounded up: waking a little early would only spin until the deadline.
        const auto ms = duration_cast<milliseconds>(left + milliseconds(1) - Clock::duration(1));
        return int(qMin<qint64>(ms.count(), INT_MAX));
    }
    return -1;
}

int EpollEventDispatcher::activateTimers()
{
    if (m_deadlines.empty())
        return 0;
    const Clock::time_point now = Clock::now();
    // The timers due now, taken before any fires: one started or restarted
    // by a timer event (a zero timer) waits for the next pass, so timers can
    // not starve everything else.
    struct Due
    {
        int id;
        quint64 serial;
    };
    QVarLengthArray<Due, 32> due;
    for (auto it = m_deadlines.cbegin(); it != m_deadlines.cend() && it->first.deadline <= now;
         ++it)
        due.append({ it->second, it->first.serial });

    int activated = 0;
    for (const Due &candidate : due) {
        auto it = m_timers.find(candidate.id);
        // Killed by an earlier timer event (its id maybe reused since), or
        // its own event is still being delivered.
        if (it == m_timers.end() || it->key.serial != candidate.serial || it->firing)
            continue;
        auto node = m_deadlines.extract(it->key);
        it->key.deadline = nextDeadline(*it, now);
        node.key() = it->key;
        m_deadlines.insert(std::move(node));
        it->firing = true;
        QTimerEvent event(candidate.id);
        QCoreApplication::sendEvent(it->object, &event);
        ++activated;
        // The event may have killed the timer or registered others (the hash
        // may have grown): look it up again.
        if (const auto after = m_timers.find(candidate.id);
            after != m_timers.end() && after->key.serial == candidate.serial)
            after->firing = false;
    }
    return activated;
}

// --- waking up --------------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    // One write per sleep is enough; postEvent() calls this for every event.
    if (m_wakeUpPending.exchange(true))
        return;
    const quint64 one = 1;
    if (::write(m_wakeUpFd, &one, sizeof one) != sizeof one && errno != EAGAIN)
        qErrnoWarning("EpollEventDispatcher: cannot write the eventfd");
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true);
    wakeUp();
}

int EpollEventDispatcher::drainWakeUps()
{
    quint64 count = 0;
    if (::read(m_wakeUpFd, &count, sizeof count) < 0 && errno != EAGAIN)
        qErrnoWarning("EpollEventDispatcher: cannot read the eventfd");
    m_wakeUpPending.store(false);
    return 1;
}

} // namespace Messenger::Server
