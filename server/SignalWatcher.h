#pragma once

#include <QObject>

class QSocketNotifier;

namespace Messenger::Server {

// Turns SIGTERM and SIGINT into a Qt signal on the event-loop thread (the
// self-pipe trick: the handler only writes a byte).
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Messenger::Server
