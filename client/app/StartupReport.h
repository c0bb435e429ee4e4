#pragma once

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>

#include <memory>

class QListView;

namespace Messenger::Client {

class DesktopApp;

// The app measuring its own start, for bench_client (never in normal use).
// With MESSENGER_STARTUP_REPORT=<file> it appends a line to the file when the
// main window's chat list is first painted with rows:
//   chat-list-painted ms_since_main=… clock_ms=… rss_kb=… rows=…
// ms_since_main counts from a QElapsedTimer started first thing in main()
// (so it leaves out exec, the dynamic linker and static initialisers);
// clock_ms is CLOCK_MONOTONIC (QElapsedTimer's reference on Linux), which the
// process that launched the app compares with its own clock at launch for the
// whole cold start. rss_kb is VmRSS from /proc/self/status.
// With MESSENGER_STARTUP_OPEN_CHAT=<chat id> it then opens that chat, scrolls
// its timeline to the top once, and appends when that has been painted:
//   chat-opened open_ms=… rss_kb=… peak_rss_kb=… rows=…
// Then the app quits.
class StartupReport : public QObject
{
    Q_OBJECT
public:
    // Null unless the environment asks for a report.
    static std::unique_ptr<StartupReport> fromEnvironment(
        const QElapsedTimer &sinceMain, DesktopApp *app);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    StartupReport(const QString &path, const QString &chatId, const QElapsedTimer &sinceMain,
        DesktopApp *app);
    enum class Stage { WaitingForList, WaitingForTimeline, WaitingForTop, Done };
    // The view of the stage, once it exists and has rows; else null.
    QListView *watchedView() const;
    // Called once the paint of the stage's view has finished (queued after it).
    void painted();
    void write(const QString &line);
    void finish();

    QFile m_file;
    QString m_chatId;
    QElapsedTimer m_sinceMain;
    QElapsedTimer m_sinceOpen;
    QPointer<DesktopApp> m_app;
    Stage m_stage = Stage::WaitingForList;
    bool m_paintSeen = false;
};

} // namespace Messenger::Client
