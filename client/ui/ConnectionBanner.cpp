#include "ConnectionBanner.h"

#include "Theme.h"
#include "client/api/LiveConnection.h"

#include <QHBoxLayout>
#include <QLabel>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

ConnectionBanner::ConnectionBanner(LiveConnection *connection, QWidget *parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_label(new QLabel(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 4, 12, 4);
    layout->addWidget(m_label);
    m_label->setTextFormat(Qt::RichText);
    // The chat list is narrow, and in Russian the line is long: it wraps
    // rather than cutting "Try now" off.
    m_label->setWordWrap(true);
    QPalette grey = m_label->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_label->setPalette(grey);
    connect(
        m_label, &QLabel::linkActivated, m_connection, [this] { m_connection->reconnectNow(); });
    connect(m_connection, &LiveConnection::stateChanged, this, &ConnectionBanner::refresh);
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &ConnectionBanner::refresh);
    refresh();
}

QString ConnectionBanner::text() const
{
    return m_label->text();
}

void ConnectionBanner::refresh()
{
    switch (m_connection->state()) {
    case LiveConnection::State::Connected:
        m_countdown.stop();
        hide();
        return;
    case LiveConnection::State::Disconnected:
        m_countdown.stop();
        hide();
        return;
    case LiveConnection::State::Connecting:
        m_countdown.stop();
        m_label->setText(tr("Connecting..."));
        break;
    case LiveConnection::State::WaitingToReconnect:
        m_countdown.start();
        // Said first: the window may show cached chats, and nothing is live.
        m_label->setText(tr("Offline.") + u' '
            + tr("Reconnecting in %n s...", nullptr,
                std::max(1, m_connection->secondsUntilReconnect()))
            + u" <a href=\"retry\" style=\"color:#168acd;text-decoration:none\">"_s + tr("Try now")
            + u"</a>"_s);
        break;
    }
    show();
}

} // namespace Messenger::Client
