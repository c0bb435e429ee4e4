#pragma once

#include <QTimer>
#include <QWidget>

class QLabel;

namespace Messenger::Client {

class LiveConnection;

// A quiet line over the chat list while the live connection is not up,
// as Telegram Desktop does it: "Connecting...", or "Reconnecting in 5 s...
// Try now". Hidden while connected.
class ConnectionBanner : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionBanner(LiveConnection *connection, QWidget *parent = nullptr);
    QString text() const;

private:
    void refresh();

    LiveConnection *m_connection;
    QLabel *m_label;
    QTimer m_countdown;
};

} // namespace Messenger::Client
