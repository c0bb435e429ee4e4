#include <QElapsedTimer>
#include <QLockFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

// Two desktop apps of one user shared the session file, the settings and the
// local cache, each overwriting the other. Now a second start asks the
// running app to show its window and exits; after the first has gone (even
// killed) a start runs again. Real processes of the built app, offscreen.
class TestSingleInstance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void secondStartShowsTheFirstAndExits();

private:
    // The app with its own home (settings, data, runtime), on no display.
    std::unique_ptr<QProcess> start(const QTemporaryDir &home)
    {
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, home.path());
        env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
        env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
        env.insert(u"XDG_CACHE_HOME"_s, home.filePath(u"cache"_s));
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"QT_LOGGING_RULES"_s, u"messenger.client.instance.info=true"_s);
        process->setProcessEnvironment(env);
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->start(QStringLiteral(MESSENGER_DESKTOP_BIN), {});
        return process;
    }
    // Whether `running` holds the instance lock (a start before that would
    // race it for the lock).
    static bool holdsTheLock(const QTemporaryDir &home, const QProcess &running)
    {
        QLockFile lock(home.filePath(u"data/Messenger/Messenger/instance.lock"_s));
        qint64 pid = 0;
        QString host;
        QString application;
        return lock.getLockInfo(&pid, &host, &application) && pid == running.processId();
    }
    // Starts the app again until it finds `running` listening (it may still
    // be starting): true when a start exited at once saying it asked it.
    bool laterStartDefersTo(const QTemporaryDir &home, QProcess &running)
    {
        QElapsedTimer waited;
        waited.start();
        while (!holdsTheLock(home, running) && waited.elapsed() < 20000)
            QTest::qWait(50);
        for (int attempt = 0; attempt < 50; ++attempt) {
            auto later = start(home);
            if (!later->waitForFinished(10000))
                return false; // it ran as if alone
            const QByteArray said = later->readAll();
            if (later->exitCode() == 0 && said.contains("asked it to show its window")) {
                running.waitForReadyRead(5000);
                return true;
            }
            QTest::qWait(100); // the running one has the lock, not yet the socket
        }
        return false;
    }
};

void TestSingleInstance::secondStartShowsTheFirstAndExits()
{
    QTemporaryDir home;
    auto first = start(home);
    QVERIFY(first->waitForStarted(10000));
    QVERIFY(laterStartDefersTo(home, *first));
    // The first heard it and stays.
    QByteArray said;
    QTRY_VERIFY_WITH_TIMEOUT(
        (said += first->readAll()).contains("another start asked for this window")
            || first->state() != QProcess::Running,
        10000);
    QVERIFY2(first->state() == QProcess::Running, said.constData());

    // Killed, it leaves its lock behind: the next start runs all the same,
    // and a start after that defers to it.
    first->kill();
    QVERIFY(first->waitForFinished(10000));
    auto next = start(home);
    QVERIFY(next->waitForStarted(10000));
    QVERIFY(laterStartDefersTo(home, *next));
    QCOMPARE(next->state(), QProcess::Running);
    next->terminate();
    next->waitForFinished(10000);
}

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_single_instance.moc"
