#include "StartupReport.h"

#include "client/ui/DesktopApp.h"
#include "client/ui/MainWindow.h"
#include "client/ui/TimelineView.h"

#include <QCoreApplication>
#include <QEvent>
#include <QListView>
#include <QLoggingCategory>
#include <QScrollBar>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStartup, "messenger.client.startup-report")

namespace Messenger::Client {

namespace {

// A "Vm…:   1234 kB" line of /proc/self/status, in kB; 0 where there is none.
qint64 statusKb(QByteArrayView field)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field) && line.size() > field.size() && line.at(field.size()) == ':')
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// CLOCK_MONOTONIC on Linux: comparable with the launching process's clock.
qint64 monotonicMs()
{
    QElapsedTimer now;
    now.start();
    return now.msecsSinceReference();
}

} // namespace

std::unique_ptr<StartupReport> StartupReport::fromEnvironment(
    const QElapsedTimer &sinceMain, DesktopApp *app)
{
    const QString path = qEnvironmentVariable("MESSENGER_STARTUP_REPORT");
    if (path.isEmpty())
        return nullptr;
    return std::unique_ptr<StartupReport>(new StartupReport(
        path, qEnvironmentVariable("MESSENGER_STARTUP_OPEN_CHAT"), sinceMain, app));
}

StartupReport::StartupReport(
    const QString &path, const QString &chatId, const QElapsedTimer &sinceMain, DesktopApp *app)
    : m_file(path)
    , m_chatId(chatId)
    , m_sinceMain(sinceMain)
    , m_app(app)
{
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
        qCWarning(lcStartup) << "cannot write the startup report" << path << m_file.errorString();
    // Application-wide: the chat list's viewport does not exist yet. Removed
    // once the report is complete.
    qApp->installEventFilter(this);
}

QListView *StartupReport::watchedView() const
{
    MainWindow *window = m_app ? m_app->mainWindow() : nullptr;
    if (!window)
        return nullptr;
    QListView *view = m_stage == Stage::WaitingForList
        ? window->chatListView()
        : static_cast<QListView *>(window->timeline());
    return view && view->model() && view->model()->rowCount() > 0 ? view : nullptr;
}

bool StartupReport::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::Paint || m_paintSeen || m_stage == Stage::Done)
        return false;
    QListView *view = watchedView();
    if (view && watched == view->viewport()) {
        // The filter sees the paint before the view does: what follows it in
        // the queue runs once it has been drawn and flushed.
        m_paintSeen = true;
        QMetaObject::invokeMethod(this, &StartupReport::painted, Qt::QueuedConnection);
    }
    return false;
}

void StartupReport::painted()
{
    m_paintSeen = false;
    QListView *view = watchedView();
    switch (m_stage) {
    case Stage::WaitingForList:
        write(u"chat-list-painted ms_since_main=%1 clock_ms=%2 rss_kb=%3 rows=%4"_s
                  .arg(m_sinceMain.elapsed())
                  .arg(monotonicMs())
                  .arg(statusKb("VmRSS"))
                  .arg(view ? view->model()->rowCount() : 0));
        if (m_chatId.isEmpty()) {
            finish();
            return;
        }
        m_stage = Stage::WaitingForTimeline;
        m_sinceOpen.start();
        m_app->mainWindow()->openChat(m_chatId);
        return;
    case Stage::WaitingForTimeline:
        if (!view)
            return; // emptied since it was painted: the next paint with rows
        // Opened at the newest message; the top makes every row's height
        // and the oldest bubbles' layouts needed once.
        m_stage = Stage::WaitingForTop;
        if (view->verticalScrollBar()->value() != 0) {
            view->verticalScrollBar()->setValue(0);
            return; // the scroll repaints
        }
        Q_FALLTHROUGH();
    case Stage::WaitingForTop:
        write(
            u"chat-opened open_ms=%1 rss_kb=%2 peak_rss_kb=%3 rows=%4"_s.arg(m_sinceOpen.elapsed())
                .arg(statusKb("VmRSS"))
                .arg(statusKb("VmHWM"))
                .arg(view ? view->model()->rowCount() : 0));
        finish();
        return;
    case Stage::Done:
        return;
    }
}

void StartupReport::write(const QString &line)
{
    m_file.write(line.toUtf8() + '\n');
    m_file.flush();
}

void StartupReport::finish()
{
    m_stage = Stage::Done;
    qApp->removeEventFilter(this);
    m_file.close();
    QCoreApplication::quit();
}

} // namespace Messenger::Client
