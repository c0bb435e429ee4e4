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
    // Starts the app again until it finds the running one listening (it
    // takes the lock a moment before it listens; each start is the pause
    // between tries): true when a start exited at once saying it asked it.
    bool laterStartDefers(const QTemporaryDir &home)
    {
        for (int attempt = 0; attempt < 50; ++attempt) {
            auto later = start(home);
            if (!later->waitForFinished(10000))
                return false; // it ran as if alone
            if (later->exitCode() == 0 && later->readAll().contains("asked it to show its window"))
                return true;
        }
        return false;
    }
};

void TestSingleInstance::secondStartShowsTheFirstAndExits()
{
    QTemporaryDir home;
    auto first = start(home);
    QVERIFY(first->waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(holdsTheLock(home, *first), 20000); // else a later start races it
    QVERIFY(laterStartDefers(home));
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
    QTRY_VERIFY_WITH_TIMEOUT(holdsTheLock(home, *next), 20000);
    QVERIFY(laterStartDefers(home));
    QCOMPARE(next->state(), QProcess::Running);
    next->terminate();
    next->waitForFinished(10000);
}

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_single_instance.moc"
