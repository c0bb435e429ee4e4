// Client figures for the README: rendering (in this process) and the real
// messenger-desktop's cold start and memory (launched from a prepared local
// cache). Run: QT_QPA_PLATFORM=offscreen build/ci/tests/client/bench_client
// ctest runs it as a smoke run (one launch, one iteration of each benchmark):
// it checks that the app reported a painted chat list and an opened chat with
// every row, never how fast.
#include "client/api/SessionStore.h"
#include "client/models/ChatListModel.h"
#include "client/models/LocalCache.h"
#include "client/models/MessageModel.h"
#include "client/ui/ChatListDelegate.h"
#include "client/ui/TimelineView.h"

#include <QDirIterator>
#include <QListView>
#include <QProcess>
#include <QScrollBar>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Messenger;
using namespace Messenger::Client;

namespace {
const QString me = u"00000000-0000-4000-8000-00000000000a"_s;
const QString chatOfTimeline = u"00000000-0000-4000-8000-00000000000c"_s;

QList<ChatSummary> chats(int count)
{
    QList<ChatSummary> result;
    for (int i = 0; i < count; ++i) {
        ChatSummary summary;
        summary.chat.id = u"00000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0'));
        summary.chat.type = i % 3 ? ChatType::Personal : ChatType::Group;
        summary.chat.name = u"Group number %1"_s.arg(i);
        summary.chat.members = { { me, u"me@x.io"_s, u"Me"_s },
            { summary.chat.id, u"p@x.io"_s, u"Person Number %1"_s.arg(i) } };
        LastMessage last;
        last.id = summary.chat.id;
        last.senderId = summary.chat.id;
        last.senderName = u"Person Number %1"_s.arg(i);
        last.text
            = u"The last thing said in chat %1, long enough to be elided in the list"_s.arg(i);
        last.timestamp = (QDateTime::currentMSecsSinceEpoch() - qint64(i) * 3600'000) * 1000;
        last.seq = 100000 - i;
        summary.lastMessage = last;
        summary.unreadCount = i % 5;
        result.append(summary);
    }
    return result;
}

// A chat's history, oldest first: mostly one-liners, every seventh a few
// lines long with a link.
QList<Message> history(const QString &chatId, int count)
{
    QList<Message> result;
    result.reserve(count);
    for (int i = 1; i <= count; ++i) {
        Message message;
        message.id = u"10000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0'));
        message.chatId = chatId;
        // As LocalCache reads them back: ids are UUIDs. In chats() the other
        // member of a personal chat has the chat's id.
        message.senderId = i % 3 ? me : chatId;
        message.sender = { message.senderId, u"p@x.io"_s, u"Other Person"_s };
        message.text = i % 7 ? u"Message number %1"_s.arg(i)
                             : u"A longer message %1 that wraps over a few lines in the "
                               "timeline, with a link https://example.com/%1 in it"_s.arg(i);
        message.timestamp
            = (QDateTime::currentMSecsSinceEpoch() - qint64(count - i) * 60'000) * 1000;
        message.seq = i;
        message.chatSeq = i;
        result.append(message);
    }
    return result;
}

int environmentNumber(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok && value > 0 ? value : fallback;
}

// What one launch of messenger-desktop reported (see client/app/StartupReport.h).
struct ColdStart
{
    qint64 launchToPaintMs = -1; // from QProcess::start() here to the painted list
    qint64 sinceMainMs = -1; // from the app's main() to the painted list
    qint64 listRssKb = 0;
    int listRows = 0;
    qint64 openMs = -1; // the chat: openChat() to painted at its top
    qint64 openRssKb = 0;
    qint64 peakRssKb = 0;
    int openRows = 0;
};

// "name key=value key=value" → the value of `key`, or -1.
qint64 reportValue(const QByteArray &line, QByteArrayView key)
{
    for (const QByteArray &field : line.split(' ')) {
        if (field.startsWith(key) && field.size() > key.size() && field.at(key.size()) == '=')
            return field.mid(key.size() + 1).toLongLong();
    }
    return -1;
}

template <typename T> T median(QList<T> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? T {} : values.at(values.size() / 2);
}

template <typename T> T worst(const QList<T> &values)
{
    return values.isEmpty() ? T {} : *std::max_element(values.begin(), values.end());
}

void copyTree(const QString &from, const QString &to)
{
    QDirIterator files(from, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString source = files.next();
        const QString target = to + source.mid(from.size());
        QDir().mkpath(QFileInfo(target).absolutePath());
        QFile::copy(source, target);
    }
}
} // namespace

class BenchClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void coldStartFromTheCache();
    void chatListOf1000AppearsOnScreen();
    void timelineOf10000FirstPaint();
    void timelineOf10000ScrollFrame();
    void timelineOf10000LiveMessage();

private:
    static void fillTimeline(MessageModel &model, int count)
    {
        for (const Message &message : history(chatOfTimeline, count))
            model.applyMessage(message);
    }
    ColdStart launch(int run);

    // Sizes and launches; ctest's smoke run asks for one launch.
    const int m_chatCount = environmentNumber("MESSENGER_BENCH_CHATS", 1000);
    const int m_messageCount = environmentNumber("MESSENGER_BENCH_MESSAGES", 10000);
    const int m_launches = environmentNumber("MESSENGER_BENCH_LAUNCHES", 9);
    QTemporaryDir m_homes;
    QString m_chatId; // the chat with m_messageCount messages, on top of the list
};

// A signed-in account as messenger-desktop finds it on disk (its settings,
// its remembered session, its local cache of m_chatCount chats and of
// m_messageCount messages in the newest one), in a home of XDG folders of its
// own: the "prepared" home, copied for every launch (quitting writes the
// cache back, trimmed to what the app keeps). The server is down (a port
// nothing listens on): an offline start, from the cache alone.
void BenchClient::initTestCase()
{
    QVERIFY(m_homes.isValid());
    // Before anything in this process reads a setting or a standard path:
    // the SessionStore and LocalCache below then write where the app reads.
    const QString home = m_homes.filePath(u"prepared"_s);
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(home + u"/config"_s));
    qputenv("XDG_DATA_HOME", QFile::encodeName(home + u"/data"_s));
    qputenv("XDG_CACHE_HOME", QFile::encodeName(home + u"/cache"_s));
    QCoreApplication::setOrganizationName(u"Messenger"_s); // as messenger-desktop's main()
    QCoreApplication::setApplicationName(u"Messenger"_s);

    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const QString serverUrl = u"http://127.0.0.1:%1"_s.arg(closed.serverPort());
    closed.close();

    SessionStore store;
    store.setKeychainEnabled(false);
    store.saveServerUrl(serverUrl);
    store.saveUserId(me);
    store.saveRefreshToken(u"refresh-token-of-the-bench"_s);

    const auto list = chats(m_chatCount);
    m_chatId = list.first().chat.id; // the newest: the top row
    User user;
    user.id = me;
    user.email = u"me@x.io"_s;
    user.name = u"Me"_s;
    {
        LocalCache cache(LocalCache::pathFor(serverUrl, me));
        // More than the app keeps by itself (LocalCache::defaultMessagesPerChat):
        // opening the chat then holds all of them, as after scrolling up
        // through its whole history with the server.
        cache.setMessagesPerChat(m_messageCount);
        cache.saveUser(user);
        cache.saveChats(list);
        cache.saveMessages(m_chatId, history(m_chatId, m_messageCount));
    } // committed and closed
}

ColdStart BenchClient::launch(int run)
{
    ColdStart result;
    const QString home = m_homes.filePath(u"launch-%1"_s.arg(run));
    copyTree(m_homes.filePath(u"prepared"_s), home);
    const QString reportPath = home + u"/startup-report.txt"_s;

    QProcess app;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    environment.insert(u"XDG_CONFIG_HOME"_s, home + u"/config"_s);
    environment.insert(u"XDG_DATA_HOME"_s, home + u"/data"_s);
    environment.insert(u"XDG_CACHE_HOME"_s, home + u"/cache"_s);
    environment.insert(u"MESSENGER_STARTUP_REPORT"_s, reportPath);
    environment.insert(u"MESSENGER_STARTUP_OPEN_CHAT"_s, m_chatId);
    app.setProcessEnvironment(environment);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer launched;
    launched.start();
    app.start(QStringLiteral(MESSENGER_DESKTOP_BIN), {});
    [&] {
        QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));
        QVERIFY2(app.waitForFinished(30000), "messenger-desktop did not quit after its report");
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
    }();
    if (QTest::currentTestFailed()) {
        app.kill();
        app.waitForFinished();
        return result;
    }
    QFile report(reportPath);
    [&] { QVERIFY2(report.open(QIODevice::ReadOnly), "messenger-desktop wrote no report"); }();
    for (const QByteArray &line : report.readAll().split('\n')) {
        if (line.startsWith("chat-list-painted ")) {
            result.launchToPaintMs = reportValue(line, "clock_ms") - launched.msecsSinceReference();
            result.sinceMainMs = reportValue(line, "ms_since_main");
            result.listRssKb = reportValue(line, "rss_kb");
            result.listRows = int(reportValue(line, "rows"));
        } else if (line.startsWith("chat-opened ")) {
            result.openMs = reportValue(line, "open_ms");
            result.openRssKb = reportValue(line, "rss_kb");
            result.peakRssKb = reportValue(line, "peak_rss_kb");
            result.openRows = int(reportValue(line, "rows"));
        }
    }
    QDir(home).removeRecursively();
    return result;
}

// The real binary, started again and again on the same cache: from launch to
// the chat list painted with its rows, and the memory it holds then and once
// the big chat is open and scrolled to its top.
void BenchClient::coldStartFromTheCache()
{
    QList<qint64> launchToPaint, sinceMain, listRss, openMs, openRss, peakRss;
    for (int run = 0; run < m_launches; ++run) {
        const ColdStart start = launch(run);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(start.sinceMainMs >= 0, "no chat-list-painted line in the report");
        QCOMPARE(start.listRows, m_chatCount);
        QVERIFY2(start.openMs >= 0, "no chat-opened line in the report");
        QVERIFY(start.openRows >= m_messageCount); // every cached message (and day lines)
        qInfo("launch %d: list painted %lld ms after launch (%lld ms after main()), RSS %lld kB; "
              "chat opened in %lld ms, RSS %lld kB, peak %lld kB",
            run + 1, start.launchToPaintMs, start.sinceMainMs, start.listRssKb, start.openMs,
            start.openRssKb, start.peakRssKb);
        launchToPaint.append(start.launchToPaintMs);
        sinceMain.append(start.sinceMainMs);
        listRss.append(start.listRssKb);
        openMs.append(start.openMs);
        openRss.append(start.openRssKb);
        peakRss.append(start.peakRssKb);
    }
    qInfo("%d launches, %d chats, %d messages in the open chat:", m_launches, m_chatCount,
        m_messageCount);
    qInfo("  cold start to the painted chat list: median %lld ms, worst %lld ms after launch "
          "(median %lld ms, worst %lld ms after main())",
        median(launchToPaint), worst(launchToPaint), median(sinceMain), worst(sinceMain));
    qInfo("  RSS with the list painted: median %.1f MB; with the chat open at its top: median "
          "%.1f MB, worst %.1f MB, peak %.1f MB (opened in median %lld ms)",
        median(listRss) / 1024.0, median(openRss) / 1024.0, worst(openRss) / 1024.0,
        worst(peakRss) / 1024.0, median(openMs));
}

void BenchClient::chatListOf1000AppearsOnScreen()
{
    const auto list = chats(1000);
    QListView view;
    view.setItemDelegate(new ChatListDelegate(nullptr, &view));
    view.setUniformItemSizes(true);
    view.resize(320, 720);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QBENCHMARK
    {
        ChatListModel model;
        model.setCurrentUserId(me);
        view.setModel(&model);
        model.resetChats(list); // the list has arrived...
        view.grab(); // ...and is laid out and painted
        view.setModel(nullptr);
    }
}

void BenchClient::timelineOf10000FirstPaint()
{
    MessageModel model(nullptr, chatOfTimeline, me, true);
    fillTimeline(model, 10000);
    QBENCHMARK
    {
        TimelineView view;
        view.resize(680, 720);
        view.setMessageModel(&model);
        view.show();
        view.scrollToRowOrBottom(-1);
        view.grab();
    }
}

void BenchClient::timelineOf10000ScrollFrame()
{
    MessageModel model(nullptr, chatOfTimeline, me, true);
    fillTimeline(model, 10000);
    TimelineView view;
    view.resize(680, 720);
    view.setMessageModel(&model);
    view.show();
    view.scrollToRowOrBottom(-1);
    view.grab();
    QScrollBar *bar = view.verticalScrollBar();
    QBENCHMARK
    { // one frame of scrolling up by a wheel step
        bar->setValue(bar->value() > 200 ? bar->value() - 120 : bar->maximum());
        view.grab();
    }
}

void BenchClient::timelineOf10000LiveMessage()
{
    MessageModel model(nullptr, chatOfTimeline, me, true);
    fillTimeline(model, 10000);
    TimelineView view;
    view.resize(680, 720);
    view.setMessageModel(&model);
    view.show();
    view.scrollToRowOrBottom(-1);
    view.grab();
    qint64 seq = 10000;
    QBENCHMARK
    { // a live message arrives and is shown at the bottom
        Message message = model.messageAt(model.rowCount() - 1);
        ++seq;
        message.id = u"20000000-0000-4000-8000-%1"_s.arg(seq, 12, 10, QChar(u'0'));
        message.seq = seq;
        message.chatSeq = seq;
        model.applyMessage(message);
        view.grab();
    }
}

QTEST_MAIN(BenchClient)
#include "bench_client.moc"
