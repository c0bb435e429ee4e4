#pragma once

#include <QLocalServer>
#include <QLockFile>
#include <QObject>

namespace Messenger::Client {

// One desktop app per user on a machine: two would share the session file,
// the settings and the local cache, and each would overwrite what the other
// wrote. The first start holds a lock file in the app's data directory and
// listens on a local socket; a later start asks it to come to the front and
// exits.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(QObject *parent = nullptr);
    ~SingleInstance() override;

    // True when no other instance runs: this one then answers later starts.
    // False when one does; it has been asked to show its window (if it could
    // be reached in time).
    bool claim();
    // Lets a new instance start (a restart): the lock and the socket go.
    void release();

Q_SIGNALS:
    // Another start wants this instance's window in front.
    void activationRequested();

private:
    QString m_serverName;
    QLockFile m_lock;
    QLocalServer m_server;
};

} // namespace Messenger::Client
