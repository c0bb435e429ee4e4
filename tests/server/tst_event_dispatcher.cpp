#include "eventloop/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Messenger::Server::EpollEventDispatcher;

// EpollEventDispatcher against what Qt's own dispatcher tests expect
// (qtbase tests/auto/corelib/kernel/qeventdispatcher, qtimer,
// qsocketnotifier). This whole test runs on it: main() installs it before
// QCoreApplication, as the server does.
class TestEventDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isInstalled();
    void timersFireInOrderAndNotEarly();
    void coarseTimersFireWithinFivePercent();
    void veryCoarseTimerKeepsWholeSeconds();
    void zeroTimerDoesNotStarveOtherEvents();
    void timerKilledByAnEarlierTimerEventDoesNotFire();
    void unregisterTimersStopsAllOfAnObject();
    void registeredTimersReportWhatQtReports();
    void remainingTime();
    void readAndWriteActivation();
    void disabledNotifierIsNotActivatedUntilEnabledAgain();
    void readWriteAndExceptionNotifiersOnOneDescriptor();
    void notifierDeletedInsideActivation();
    void regularFileIsAlwaysReady();
    void excludeSocketNotifiers();
    void postedEventsAreDelivered();
    void wakeUpFromAnotherThreadEndsTheWait();
    void interruptEndsTheWait();
    void quitStopsAThreadRunningIt();
    void tcpAndWebSocketEcho();
    void oneActiveSocketAmongThousandsOfIdleOnes();
};

namespace {

// Both ends of a socketpair, closed when it goes.
struct SocketPair
{
    int fds[2] = { -1, -1 };
    SocketPair() { QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0); }
    ~SocketPair()
    {
        for (const int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    SocketPair(const SocketPair &) = delete;
    SocketPair &operator=(const SocketPair &) = delete;
    int here() const { return fds[0]; }
    int there() const { return fds[1]; }
    bool sendFromThere(char byte = 'x') const { return ::write(there(), &byte, 1) == 1; }
    bool readHere() const
    {
        char byte = 0;
        return ::read(here(), &byte, 1) == 1;
    }
};

EpollEventDispatcher *dispatcher()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

// Records the timer events it gets, in order.
class TimerLog : public QObject
{
public:
    QList<int> fired;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        fired.append(event->timerId());
        if (onTimer)
            onTimer(event->timerId());
    }
};

class PostedEventLog : public QObject
{
public:
    int received = 0;
    static QEvent::Type type()
    {
        static const auto registered = QEvent::Type(QEvent::registerEventType());
        return registered;
    }

protected:
    void customEvent(QEvent *event) override
    {
        if (event->type() == type())
            ++received;
    }
};

// A thread running on its own EpollEventDispatcher.
std::unique_ptr<QThread> epollThread(std::function<void()> run)
{
    std::unique_ptr<QThread> thread(QThread::create(std::move(run)));
    thread->setEventDispatcher(new EpollEventDispatcher);
    return thread;
}

} // namespace

void TestEventDispatcher::isInstalled()
{
    QVERIFY(dispatcher());
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    thread.start();
    QVERIFY(qobject_cast<EpollEventDispatcher *>(thread.eventDispatcher()));
    thread.quit();
    QVERIFY(thread.wait(10000));
}

void TestEventDispatcher::timersFireInOrderAndNotEarly()
{
    QElapsedTimer clock;
    clock.start();
    QList<int> order;
    QHash<int, qint64> firedAfter;
    const QList<int> intervals { 50, 10, 30, 0 };
    for (const int interval : intervals) {
        QTimer::singleShot(interval, Qt::PreciseTimer, this, [&, interval] {
            order.append(interval);
            firedAfter.insert(interval, clock.elapsed());
        });
    }
    QTRY_COMPARE(order.size(), intervals.size());
    QCOMPARE(order, (QList<int> { 0, 10, 30, 50 }));
    for (const int interval : intervals)
        QVERIFY2(firedAfter[interval] >= interval, qPrintable(QString::number(interval)));
}

void TestEventDispatcher::coarseTimersFireWithinFivePercent()
{
    // Never early; late by up to 5% plus the machine's own delay, which is
    // not what this checks: only that they are not early and come in order.
    QElapsedTimer clock;
    clock.start();
    QList<int> order;
    QHash<int, qint64> firedAfter;
    for (const int interval : { 400, 100, 200 }) {
        QTimer::singleShot(interval, Qt::CoarseTimer, this, [&, interval] {
            order.append(interval);
            firedAfter.insert(interval, clock.elapsed());
        });
    }
    QTRY_COMPARE(order.size(), 3);
    QCOMPARE(order, (QList<int> { 100, 200, 400 }));
    for (const int interval : { 100, 200, 400 })
        QVERIFY2(firedAfter[interval] >= interval, qPrintable(QString::number(interval)));
}

void TestEventDispatcher::veryCoarseTimerKeepsWholeSeconds()
{
    QElapsedTimer clock;
    clock.start();
    qint64 firedAfter = -1;
    // 1400 ms rounds to one second, as in Qt.
    QTimer::singleShot(1400, Qt::VeryCoarseTimer, this, [&] { firedAfter = clock.elapsed(); });
    QTRY_VERIFY_WITH_TIMEOUT(firedAfter >= 0, 10000);
    QVERIFY2(firedAfter >= 1000, qPrintable(QString::number(firedAfter)));
}

void TestEventDispatcher::zeroTimerDoesNotStarveOtherEvents()
{
    int zeroTicks = 0;
    QTimer zero;
    zero.setInterval(0);
    connect(&zero, &QTimer::timeout, this, [&] { ++zeroTicks; });
    zero.start();

    bool preciseFired = false;
    QTimer::singleShot(20, Qt::PreciseTimer, this, [&] { preciseFired = true; });
    bool queuedCallRan = false;
    QMetaObject::invokeMethod(
        this, [&] { queuedCallRan = true; }, Qt::QueuedConnection);
    SocketPair pair;
    QSocketNotifier notifier(pair.here(), QSocketNotifier::Read);
    QSignalSpy activated(&notifier, &QSocketNotifier::activated);
    QVERIFY(pair.sendFromThere());

    QTRY_VERIFY(preciseFired && queuedCallRan && !activated.isEmpty());
    QVERIFY(zeroTicks > 1);
}

void TestEventDispatcher::timerKilledByAnEarlierTimerEventDoesNotFire()
{
    // Two timers due in the same pass; the first kills the second and
    // starts a new one, which may well get the killed one's id.
    TimerLog log;
    const int first = log.startTimer(0, Qt::PreciseTimer);
    const int second = log.startTimer(0, Qt::PreciseTimer);
    int restarted = -1;
    log.onTimer = [&](int id) {
        if (id == first) {
            log.killTimer(first);
            log.killTimer(second);
            restarted = log.startTimer(60 * 1000, Qt::PreciseTimer);
        }
    };
    // Something that fires after that pass: the killed timer would have by then.
    bool later = false;
    QTimer::singleShot(30, Qt::PreciseTimer, this, [&] { later = true; });
    QTRY_VERIFY(later);
    QCOMPARE(log.fired, (QList<int> { first }));
    QVERIFY(restarted > 0);
    QVERIFY(dispatcher()->remainingTime(restarted) > 50 * 1000);
    log.killTimer(restarted);
}

void TestEventDispatcher::unregisterTimersStopsAllOfAnObject()
{
    TimerLog log;
    const int a = dispatcher()->registerTimer(0, Qt::PreciseTimer, &log);
    const int b = dispatcher()->registerTimer(5, Qt::CoarseTimer, &log);
    const int c = dispatcher()->registerTimer(2000, Qt::VeryCoarseTimer, &log);
    TimerLog other;
    const int kept = dispatcher()->registerTimer(10, Qt::PreciseTimer, &other);
    QCOMPARE(dispatcher()->registeredTimers(&log).size(), 3);

    QVERIFY(dispatcher()->unregisterTimers(&log));
    QVERIFY(dispatcher()->registeredTimers(&log).isEmpty());
    QVERIFY(!dispatcher()->unregisterTimers(&log));
    for (const int id : { a, b, c })
        QCOMPARE(dispatcher()->remainingTime(id), -1);

    QTRY_VERIFY(other.fired.size() >= 2);
    QVERIFY(log.fired.isEmpty());
    QVERIFY(dispatcher()->unregisterTimer(kept));
    QVERIFY(!dispatcher()->unregisterTimer(kept));
}

void TestEventDispatcher::registeredTimersReportWhatQtReports()
{
    TimerLog log;
    QHash<int, QAbstractEventDispatcher::TimerInfo> expected;
    const auto add = [&](qint64 interval, Qt::TimerType type, int reportedInterval,
                         Qt::TimerType reportedType) {
        const int id = dispatcher()->registerTimer(interval, type, &log);
        expected.insert(id, { id, reportedInterval, reportedType });
    };
    add(10, Qt::PreciseTimer, 10, Qt::PreciseTimer);
    add(200, Qt::CoarseTimer, 200, Qt::CoarseTimer);
    add(1000, Qt::VeryCoarseTimer, 1000, Qt::VeryCoarseTimer);
    add(1600, Qt::VeryCoarseTimer, 2000, Qt::VeryCoarseTimer); // whole seconds
    add(15, Qt::CoarseTimer, 15, Qt::PreciseTimer); // short coarse timers are precise
    add(30000, Qt::CoarseTimer, 30000, Qt::VeryCoarseTimer); // long ones very coarse

    const auto timers = dispatcher()->registeredTimers(&log);
    QCOMPARE(timers.size(), expected.size());
    for (const auto &timer : timers) {
        const auto wanted = expected.constFind(timer.timerId);
        QVERIFY(wanted != expected.cend());
        QCOMPARE(timer.interval, wanted->interval);
        QCOMPARE(timer.timerType, wanted->timerType);
    }
    QVERIFY(dispatcher()->unregisterTimers(&log));
}

void TestEventDispatcher::remainingTime()
{
    TimerLog log;
    const int id = dispatcher()->registerTimer(2000, Qt::PreciseTimer, &log);
    const int left = dispatcher()->remainingTime(id);
    QVERIFY2(left > 1000 && left <= 2000, qPrintable(QString::number(left)));
    QCOMPARE(dispatcher()->remainingTime(id + 1000), -1);

    // A timer that is due and not yet delivered has none left.
    const int due = dispatcher()->registerTimer(0, Qt::PreciseTimer, &log);
    QCOMPARE(dispatcher()->remainingTime(due), 0);
    QVERIFY(dispatcher()->unregisterTimers(&log));
}

void TestEventDispatcher::readAndWriteActivation()
{
    SocketPair pair;
    QSocketNotifier reader(pair.here(), QSocketNotifier::Read);
    QSocketNotifier writer(pair.here(), QSocketNotifier::Write);
    QSignalSpy readable(&reader, &QSocketNotifier::activated);
    QSignalSpy writable(&writer, &QSocketNotifier::activated);
    // Writable at once (an empty buffer); readable once a byte arrives.
    QTRY_VERIFY(!writable.isEmpty());
    writer.setEnabled(false);
    QVERIFY(pair.sendFromThere());
    QTRY_VERIFY(!readable.isEmpty());
    QCOMPARE(readable.first().at(0).value<QSocketDescriptor>(), QSocketDescriptor(pair.here()));
    QCOMPARE(readable.first().at(1).value<QSocketNotifier::Type>(), QSocketNotifier::Read);
    QVERIFY(pair.readHere());
}

void TestEventDispatcher::disabledNotifierIsNotActivatedUntilEnabledAgain()
{
    SocketPair quiet;
    SocketPair witness;
    QSocketNotifier disabled(quiet.here(), QSocketNotifier::Read);
    QSocketNotifier enabled(witness.here(), QSocketNotifier::Read);
    QSignalSpy disabledActivated(&disabled, &QSocketNotifier::activated);
    QSignalSpy witnessActivated(&enabled, &QSocketNotifier::activated);
    disabled.setEnabled(false);

    QVERIFY(quiet.sendFromThere());
    QVERIFY(witness.sendFromThere());
    // Both are readable; the witness is activated, the disabled one not.
    QTRY_VERIFY(!witnessActivated.isEmpty());
    QVERIFY(witness.readHere());
    QCoreApplication::processEvents();
    QVERIFY(disabledActivated.isEmpty());

    disabled.setEnabled(true);
    QTRY_VERIFY(!disabledActivated.isEmpty());
    QVERIFY(quiet.readHere());
}

void TestEventDispatcher::readWriteAndExceptionNotifiersOnOneDescriptor()
{
    QTest::failOnWarning(QRegularExpression(u".*"_s));
    SocketPair pair;
    QSocketNotifier reader(pair.here(), QSocketNotifier::Read);
    QSocketNotifier writer(pair.here(), QSocketNotifier::Write);
    QSocketNotifier exception(pair.here(), QSocketNotifier::Exception);
    QSignalSpy readable(&reader, &QSocketNotifier::activated);
    QSignalSpy writable(&writer, &QSocketNotifier::activated);
    QVERIFY(pair.sendFromThere());
    QTRY_VERIFY(!readable.isEmpty() && !writable.isEmpty());

    // Taking one away keeps the others.
    writer.setEnabled(false);
    exception.setEnabled(false);
    QVERIFY(pair.readHere());
    readable.clear();
    QVERIFY(pair.sendFromThere());
    QTRY_VERIFY(!readable.isEmpty());
    QVERIFY(pair.readHere());

    // And taking them all away and back.
    reader.setEnabled(false);
    writer.setEnabled(true);
    writable.clear();
    QTRY_VERIFY(!writable.isEmpty());
}

void TestEventDispatcher::notifierDeletedInsideActivation()
{
    // Both ready in one pass; whichever is activated first deletes both,
    // so the other must not be activated (it would be a dangling pointer).
    SocketPair pair;
    QPointer<QSocketNotifier> reader = new QSocketNotifier(pair.here(), QSocketNotifier::Read);
    QPointer<QSocketNotifier> writer = new QSocketNotifier(pair.here(), QSocketNotifier::Write);
    int activations = 0;
    const auto deleteBoth = [&] {
        ++activations;
        delete reader;
        delete writer;
    };
    connect(reader, &QSocketNotifier::activated, this, deleteBoth);
    connect(writer, &QSocketNotifier::activated, this, deleteBoth);
    QVERIFY(pair.sendFromThere());
    QTRY_VERIFY(!reader && !writer);

    // Later activity is still delivered, and the deleted ones stay quiet.
    SocketPair witness;
    QSocketNotifier next(witness.here(), QSocketNotifier::Read);
    QSignalSpy nextActivated(&next, &QSocketNotifier::activated);
    QVERIFY(witness.sendFromThere());
    QTRY_VERIFY(!nextActivated.isEmpty());
    QCOMPARE(activations, 1);
}

void TestEventDispatcher::regularFileIsAlwaysReady()
{
    // epoll refuses regular files; poll() says they are always ready.
    QTemporaryFile file;
    QVERIFY(file.open());
    QVERIFY(file.write("data") == 4);
    QVERIFY(file.flush());
    QSocketNotifier reader(file.handle(), QSocketNotifier::Read);
    QSignalSpy readable(&reader, &QSocketNotifier::activated);
    QTRY_VERIFY(!readable.isEmpty());
    reader.setEnabled(false);
}

void TestEventDispatcher::excludeSocketNotifiers()
{
    SocketPair pair;
    QSocketNotifier reader(pair.here(), QSocketNotifier::Read);
    QSignalSpy readable(&reader, &QSocketNotifier::activated);
    QVERIFY(pair.sendFromThere());
    // The byte is there before either call.
    dispatcher()->processEvents(QEventLoop::ExcludeSocketNotifiers);
    dispatcher()->processEvents(QEventLoop::ExcludeSocketNotifiers);
    QVERIFY(readable.isEmpty());
    dispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(readable.size(), 1);
    QVERIFY(pair.readHere());
}

void TestEventDispatcher::postedEventsAreDelivered()
{
    PostedEventLog log;
    QCoreApplication::postEvent(&log, new QEvent(PostedEventLog::type()));
    QCoreApplication::postEvent(&log, new QEvent(PostedEventLog::type()));
    QVERIFY(log.received == 0);
    dispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(log.received, 2);

    // From another thread, to this one blocked in a loop.
    QEventLoop loop;
    const auto poster = epollThread([&] {
        QCoreApplication::postEvent(&log, new QEvent(PostedEventLog::type()));
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    poster->start();
    loop.exec();
    QVERIFY(poster->wait(10000));
    QCOMPARE(log.received, 3);
}

void TestEventDispatcher::wakeUpFromAnotherThreadEndsTheWait()
{
    // A thread with nothing to wait for blocks until woken.
    QSemaphore blocking;
    std::atomic<bool> woken = false;
    const auto sleeper = epollThread([&] {
        auto *own = QAbstractEventDispatcher::instance();
        connect(
            own, &QAbstractEventDispatcher::aboutToBlock, own, [&] { blocking.release(); },
            Qt::DirectConnection);
        woken = own->processEvents(QEventLoop::WaitForMoreEvents);
    });
    sleeper->start();
    QVERIFY(blocking.tryAcquire(1, 10000));
    QAbstractEventDispatcher::instance(sleeper.get())->wakeUp();
    QVERIFY(sleeper->wait(10000));
    QVERIFY(woken);
}

void TestEventDispatcher::interruptEndsTheWait()
{
    // Interrupted before it blocks: it does not block.
    QAbstractEventDispatcher::instance()->interrupt();
    TimerLog guard; // should the interrupt be lost, this ends the wait (and the test fails)
    const int guardTimer = guard.startTimer(30 * 1000);
    dispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
    QVERIFY(guard.fired.isEmpty());
    guard.killTimer(guardTimer);

    // Interrupted from another thread while blocked.
    QSemaphore blocking;
    const auto sleeper = epollThread([&] {
        auto *own = QAbstractEventDispatcher::instance();
        connect(
            own, &QAbstractEventDispatcher::aboutToBlock, own, [&] { blocking.release(); },
            Qt::DirectConnection);
        own->processEvents(QEventLoop::WaitForMoreEvents);
    });
    sleeper->start();
    QVERIFY(blocking.tryAcquire(1, 10000));
    QAbstractEventDispatcher::instance(sleeper.get())->interrupt();
    QVERIFY(sleeper->wait(10000));
}

void TestEventDispatcher::quitStopsAThreadRunningIt()
{
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    auto *worker = new QObject;
    worker->moveToThread(&thread);
    connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
    QPointer<QObject> watchWorker = worker;
    thread.start();
    // Work done in that thread's loop, then quit from here.
    QSemaphore ran;
    QMetaObject::invokeMethod(
        worker, [&] { ran.release(); }, Qt::QueuedConnection);
    QVERIFY(ran.tryAcquire(1, 10000));
    thread.quit();
    QVERIFY(thread.wait(10000));
    QVERIFY(!watchWorker); // its deleteLater ran in that thread as it finished
}

void TestEventDispatcher::tcpAndWebSocketEcho()
{
    QTcpServer tcpServer;
    QVERIFY(tcpServer.listen(QHostAddress::LocalHost));
    connect(&tcpServer, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *peer = tcpServer.nextPendingConnection();
        connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    });
    QTcpSocket tcpClient;
    tcpClient.connectToHost(QHostAddress::LocalHost, tcpServer.serverPort());
    QVERIFY(tcpClient.waitForConnected(10000));
    QByteArray echoed;
    connect(&tcpClient, &QTcpSocket::readyRead, this, [&] { echoed += tcpClient.readAll(); });
    const QByteArray payload(64 * 1024, 'p'); // more than one write
    tcpClient.write(payload);
    QTRY_COMPARE(echoed.size(), payload.size());
    QCOMPARE(echoed, payload);

    QWebSocketServer wsServer(u"echo"_s, QWebSocketServer::NonSecureMode);
    QVERIFY(wsServer.listen(QHostAddress::LocalHost));
    connect(&wsServer, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *peer = wsServer.nextPendingConnection();
        connect(peer, &QWebSocket::textMessageReceived, peer,
            [peer](const QString &text) { peer->sendTextMessage(text); });
    });
    QWebSocket wsClient;
    QStringList received;
    connect(&wsClient, &QWebSocket::textMessageReceived, this,
        [&](const QString &text) { received.append(text); });
    wsClient.open(QUrl(u"ws://127.0.0.1:%1"_s.arg(wsServer.serverPort())));
    QTRY_COMPARE(wsClient.state(), QAbstractSocket::ConnectedState);
    wsClient.sendTextMessage(u"hello"_s);
    wsClient.sendTextMessage(u"again"_s);
    QTRY_COMPARE(received, (QStringList { u"hello"_s, u"again"_s }));
    wsClient.close();
}

void TestEventDispatcher::oneActiveSocketAmongThousandsOfIdleOnes()
{
    // As the server with thousands of idle WebSockets: correctness only.
    rlimit files {};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &files) == 0);
    files.rlim_cur = files.rlim_max;
    QVERIFY(setrlimit(RLIMIT_NOFILE, &files) == 0);
    const int idleCount = int(qMin<rlim_t>(5000, (files.rlim_cur - 200) / 2));
    QVERIFY2(idleCount >= 1000, "too few descriptors allowed to be meaningful");

    std::vector<std::unique_ptr<SocketPair>> idle;
    std::vector<std::unique_ptr<QSocketNotifier>> idleNotifiers;
    int idleActivations = 0;
    for (int i = 0; i < idleCount; ++i) {
        idle.push_back(std::make_unique<SocketPair>());
        idleNotifiers.push_back(
            std::make_unique<QSocketNotifier>(idle.back()->here(), QSocketNotifier::Read));
        connect(idleNotifiers.back().get(), &QSocketNotifier::activated, this,
            [&, pair = idle.back().get()] {
                ++idleActivations;
                QVERIFY(pair->readHere()); // level-triggered: it fires until read
            });
    }

    // Ping-pong over the active pair: each byte read is answered.
    SocketPair active;
    QSocketNotifier activeNotifier(active.here(), QSocketNotifier::Read);
    int rounds = 0;
    connect(&activeNotifier, &QSocketNotifier::activated, this, [&] {
        QVERIFY(active.readHere());
        ++rounds;
        char byte = 'y';
        QCOMPARE(::write(active.here(), &byte, 1), ssize_t(1));
    });
    for (int i = 0; i < 20; ++i) {
        QVERIFY(active.sendFromThere());
        QTRY_COMPARE(rounds, i + 1);
        char answer = 0;
        // Read once: QTRY_ evaluates its condition again after it holds.
        QTRY_VERIFY(answer != 0 || ::read(active.there(), &answer, 1) == 1);
        QCOMPARE(answer, 'y');
    }
    // And one of the idle ones, chosen from the middle, wakes up.
    QVERIFY(idle[idleCount / 2]->sendFromThere());
    QTRY_COMPARE(idleActivations, 1);
    // Read and quiet again: the active pair still round-trips, and no idle one stirs.
    QVERIFY(active.sendFromThere());
    QTRY_COMPARE(rounds, 21);
    QCOMPARE(idleActivations, 1);
}

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_event_dispatcher.moc"
