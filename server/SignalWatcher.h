#pragma once

#include <QObject>

class QSocketNotifier;

namespace Messenger::Server {

// Turns SIGTERM and SIGINT (stop) and SIGHUP (reopen the log file) into Qt
// signals on the event-loop thread (the self-pipe trick: the handler only
// writes a byte).
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);
    void reopenLogsRequested();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Messenger::Server
