#pragma once

#include <QHash>
#include <QIcon>
#include <QObject>
#include <QPointer>

#include <memory>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace Messenger {
struct Message;
}

namespace Messenger::Client {

class ClientSession;
class MainWindow;

// The app's presence outside its window: the tray icon (with the unread count
// painted on it, in its tooltip, and a menu: open, mute, quit), the
// notifications for new messages (a click opens their chat), and whether
// closing the window only hides it. MainWindow owns one and wires it.
//
// Everything but showing the icon works without a system tray, so tests
// (offscreen, where there is none) construct it with the availability they
// need and drive the real QSystemTrayIcon object it creates.
class TrayController : public QObject
{
    Q_OBJECT
public:
    enum class Availability { Detect, Available, Unavailable };

    TrayController(ClientSession *session, MainWindow *window,
        Availability availability = Availability::Detect);
    ~TrayController() override;

    bool isTrayAvailable() const { return m_available; }
    // Closing the window hides it to the tray: a tray exists and the setting is on.
    bool closesToTray() const;
    // Called by the window's close event when closesToTray(): the first time,
    // a tray message explains that the app is still running.
    void windowHiddenToTray();

    bool isMuted() const;
    void setMuted(bool muted);

    // The window in front, restored if hidden to the tray or minimised: the
    // tray's Open, a notification's click, another start of the app.
    void showWindow();

    // The setting in Settings; on unless switched off.
    static bool closeToTraySetting();
    static void setCloseToTraySetting(bool enabled);

    // For tests: the real objects, whether or not a tray shows them.
    QSystemTrayIcon *trayIcon() const { return m_tray; }
    QMenu *menu() const { return m_menu.get(); }
    QAction *openAction() const { return m_open; }
    QAction *muteAction() const { return m_mute; }
    QAction *quitAction() const { return m_quit; }
    // The chat the last notification was about ("" for none or a notice).
    QString pendingNotificationChat() const { return m_pendingChat; }
    // The tray icon for `unread` messages: the app icon with a badge (cached per count).
    QIcon iconFor(qint64 unread);

Q_SIGNALS:
    // A notification was shown (or would have been, where no tray shows it);
    // `chatId` is empty for notices about the app itself.
    void notified(const QString &chatId, const QString &title, const QString &text);
    void quitRequested();

private:
    void onMessageArrived(const Messenger::Message &message, const QString &chatTitle);
    void showMessage(const QString &chatId, const QString &title, const QString &text);
    void updateUnread();

    ClientSession *m_session;
    QPointer<MainWindow> m_window;
    bool m_available;
    QSystemTrayIcon *m_tray;
    // A widget without a parent (its owner is no widget): deleted with this.
    std::unique_ptr<QMenu> m_menu;
    QAction *m_open;
    QAction *m_mute;
    QAction *m_quit;
    QString m_pendingChat;
    QHash<qint64, QIcon> m_icons;
};

} // namespace Messenger::Client
