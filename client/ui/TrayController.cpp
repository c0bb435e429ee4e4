#include "TrayController.h"

#include "MainWindow.h"
#include "Theme.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/Presentation.h"
#include "shared/Message.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QPainter>
#include <QSettings>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
const auto mutedKey = u"notifications/muted"_s;
const auto closeToTrayKey = u"ui/closeToTray"_s;
const auto closeToTrayExplainedKey = u"ui/closeToTrayExplained"_s;
constexpr int notificationMilliseconds = 5000;
// Beyond this the badge says "99+" (and all such counts share one icon).
constexpr qint64 badgeMaximum = 99;
} // namespace

TrayController::TrayController(
    ClientSession *session, MainWindow *window, Availability availability)
    : QObject(window)
    , m_session(session)
    , m_window(window)
    , m_available(availability == Availability::Detect ? QSystemTrayIcon::isSystemTrayAvailable()
                                                       : availability == Availability::Available)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(std::make_unique<QMenu>())
{
    m_open = m_menu->addAction(tr("Open Messenger"), this, &TrayController::showWindow);
    m_mute = m_menu->addAction(tr("Mute notifications"));
    m_mute->setCheckable(true);
    m_mute->setChecked(isMuted());
    connect(m_mute, &QAction::toggled, this, &TrayController::setMuted);
    m_menu->addSeparator();
    m_quit = m_menu->addAction(tr("Quit Messenger"), this, &TrayController::quitRequested);
    m_tray->setContextMenu(m_menu.get());

    connect(m_tray, &QSystemTrayIcon::activated, this,
        [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                showWindow();
        });
    // The tray shows one message at a time: a click is on the latest.
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showWindow();
        if (m_window && !m_pendingChat.isEmpty())
            m_window->openChat(m_pendingChat);
    });
    connect(m_session, &ClientSession::messageArrived, this, &TrayController::onMessageArrived);
    connect(m_session->chats(), &ChatListModel::unreadTotalChanged, this,
        &TrayController::updateUnread);
    updateUnread();
    if (m_available)
        m_tray->show();
}

TrayController::~TrayController() = default;

bool TrayController::closesToTray() const
{
    return m_available && closeToTraySetting();
}

void TrayController::windowHiddenToTray()
{
    QSettings settings;
    if (settings.value(closeToTrayExplainedKey).toBool())
        return;
    settings.setValue(closeToTrayExplainedKey, true);
    showMessage(QString(), tr("Messenger is still running"),
        tr("Messenger is still running in the tray and will notify you of new messages. "
           "Use Quit in the tray menu to end it."));
}

bool TrayController::isMuted() const
{
    return QSettings().value(mutedKey, false).toBool();
}

void TrayController::setMuted(bool muted)
{
    QSettings().setValue(mutedKey, muted);
    if (m_mute->isChecked() != muted)
        m_mute->setChecked(muted);
}

bool TrayController::closeToTraySetting()
{
    return QSettings().value(closeToTrayKey, true).toBool();
}

void TrayController::setCloseToTraySetting(bool enabled)
{
    QSettings().setValue(closeToTrayKey, enabled);
}

void TrayController::onMessageArrived(const Message &message, const QString &chatTitle)
{
    if (isMuted() || !m_window)
        return;
    // Being read right now: the chat is open in the window in front.
    if (m_window->isActiveWindow() && message.chatId == m_window->currentChatId())
        return;
    // The user muted this chat (until muted_until, or for good); a mention
    // of the user still notifies, as in Telegram.
    const bool mentionsMe = message.mentions.contains(m_session->currentUser().id);
    if (const auto summary = m_session->chats()->summary(message.chatId);
        !mentionsMe && summary && summary->chat.settings && summary->chat.settings->isMutedNow())
        return;
    const QString text = Presentation::messageSummary(message.text, message.attachments);
    showMessage(message.chatId, chatTitle,
        message.sender.name == chatTitle ? text : message.sender.name + u": "_s + text);
}

void TrayController::showMessage(const QString &chatId, const QString &title, const QString &text)
{
    m_pendingChat = chatId;
    if (m_available && m_tray->isVisible())
        m_tray->showMessage(title, text.left(200), m_window ? m_window->windowIcon() : QIcon(),
            notificationMilliseconds);
    if (m_window && !chatId.isEmpty())
        QApplication::alert(m_window);
    Q_EMIT notified(chatId, title, text);
}

void TrayController::updateUnread()
{
    const qint64 unread = m_session->chats()->unreadTotal();
    m_tray->setToolTip(
        unread > 0 ? tr("Messenger — %n unread", nullptr, int(unread)) : tr("Messenger"));
    m_tray->setIcon(iconFor(unread));
}

void TrayController::showWindow()
{
    if (!m_window)
        return;
    if (m_window->isMinimized())
        m_window->showNormal();
    else
        m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

QIcon TrayController::iconFor(qint64 unread)
{
    const qint64 key = std::clamp<qint64>(unread, 0, badgeMaximum + 1);
    if (const auto cached = m_icons.constFind(key); cached != m_icons.cend())
        return *cached;
    const QIcon app(u":/icons/messenger.svg"_s);
    QIcon icon;
    if (key == 0) {
        icon = app;
    } else {
        const QString label = key > badgeMaximum ? u"99+"_s : QString::number(key);
        // Each size painted for itself, so the figure stays legible in a 16 px tray.
        for (const int size : { 16, 22, 24, 32, 48, 64 }) {
            QPixmap pixmap(size, size);
            pixmap.fill(Qt::transparent);
            QPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.drawPixmap(0, 0, app.pixmap(size, size));
            const qreal diameter = size * 0.6;
            QFont font = QApplication::font();
            font.setBold(true);
            font.setPixelSize(qMax(6, qRound(diameter * (label.size() > 2 ? 0.5 : 0.7))));
            painter.setFont(font);
            const qreal width = std::max(
                diameter, painter.fontMetrics().horizontalAdvance(label) + diameter * 0.4);
            const QRectF badge(size - width, 0, width, diameter);
            painter.setPen(Qt::NoPen);
            painter.setBrush(Theme::error);
            painter.drawRoundedRect(badge, diameter / 2, diameter / 2);
            painter.setPen(Qt::white);
            painter.drawText(badge, Qt::AlignCenter, label);
            painter.end();
            icon.addPixmap(pixmap);
        }
    }
    m_icons.insert(key, icon);
    return icon;
}

} // namespace Messenger::Client
