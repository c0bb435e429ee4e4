#pragma once

#include "TrayController.h"
#include "shared/Files.h"

#include <QKeySequence>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QLabel;
class QLineEdit;
class QMenu;
class QListView;
class QSplitter;
class QStackedWidget;
class QToolButton;

namespace Messenger::Client {

class ChatInfoPanel;
class ChatSearchModel;
class ClientSession;
class Composer;
class ConnectionBanner;
class FindBar;
class PinnedBanner;
class SelectionBar;
class TimelineView;

// The signed-in app: the chat list on the left, the open chat on the right
// (header, timeline, composer, optional info panel), in a splitter whose
// layout and the window's geometry are remembered.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // `tray`: whether a system tray exists (Detect asks the desktop; tests,
    // offscreen, say what they need).
    explicit MainWindow(ClientSession *session, QWidget *parent = nullptr,
        TrayController::Availability tray = TrayController::Availability::Detect);
    ~MainWindow() override;

    void openChat(const QString &chatId);
    // Opens the chat at a message (a search result's): scrolled to it and
    // tinted for a moment, the history around it loaded when it is not.
    void openChatAt(const QString &chatId, const QString &messageId, qint64 seq);
    // Every keyboard shortcut of the window: what the Keyboard Shortcuts
    // dialog lists and what is bound, from one table.
    struct Shortcut
    {
        QKeySequence keys;
        QString description;
    };
    QList<Shortcut> shortcuts() const;
    void showShortcuts();
    // Ctrl+K: the quick switcher (a chat or a person by name).
    void showQuickSwitcher();
    QString currentChatId() const { return m_chatId; }
    // The chat list's context menu for a chat: mute, pin, archive, mark
    // unread (the caller owns it).
    QMenu *chatContextMenu(const QString &chatId);
    // The main list, or the archived chats (the "Archive" row at the top
    // opens them; Esc or the row again goes back).
    void showArchive(bool archive);
    bool showsArchive() const;
    QToolButton *archiveRow() const { return m_archiveRow; }

    // For tests and screenshots.
    QListView *chatListView() const { return m_chatList; }
    // The open chat's photo in the header, and its info panel (the ⓘ button).
    QLabel *headerAvatar() const { return m_headerAvatar; }
    ChatInfoPanel *infoPanel() const { return m_info; }
    QToolButton *infoButton() const { return m_infoButton; }
    TimelineView *timeline() const { return m_timeline; }
    Composer *composer() const { return m_composer; }
    QLineEdit *searchField() const { return m_search; }
    // Ctrl+F's find in the open chat.
    FindBar *findBar() const { return m_findBar; }
    // The open chat's pinned message, under the header.
    PinnedBanner *pinnedBanner() const { return m_pinnedBanner; }
    // In place of the composer while messages are chosen.
    SelectionBar *selectionBar() const { return m_selectionBar; }
    // Forward: the chat picker for these messages (open() it; for the menu,
    // the selection bar and tests).
    void showForwardDialog(const QStringList &messageIds);
    TrayController *tray() const { return m_tray; }
    // Whether what is on screen is about to be marked read (scrolling stopped
    // less than the debounce interval ago).
    bool isMarkReadPending() const { return m_markReadTimer.isActive(); }

    // A photo opened large (ImageViewer); a file downloaded into the
    // account's cache, then offered (Open, Show in Folder), or a second
    // click while it comes stops it; Save As… to a place the user picks.
    void openImage(const Messenger::Attachment &file);
    void openFile(const Messenger::Attachment &file);
    void saveFileAs(const Messenger::Attachment &file);

Q_SIGNALS:
    // openFile() has the file on this machine (at `path`) and offers it.
    void fileDownloaded(const QString &path);
    void signOutRequested();
    void settingsRequested();
    // Ctrl+Q: the whole app ends (DesktopApp quits).
    void quitRequested();

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void offerDownloadedFile(const QString &path);
    QWidget *buildChatListPanel();
    QWidget *buildChatPanel();
    // Moves the search's highlight to `row` of the filtered list (clamped).
    void highlightSearchResult(int row);
    // The chat `step` rows up (-1) or down (+1) from the open one in the list.
    void openNeighbourChat(int step);
    // Opens a row of the chat list or search results: the chat, or a new
    // personal chat with the person found.
    void openResult(const QModelIndex &index);
    // openChat(), at a message when `messageId` is given.
    void showChat(const QString &chatId, const QString &messageId = {}, qint64 seq = 0);
    void editLastMessage();
    // Ctrl+Up (-1) and Ctrl+Down (+1): the reply moves to an older or newer message.
    void replyToNeighbour(int step);
    void bindShortcuts();
    void showNewChatDialog(bool group);
    void updateHeader();
    // The timeline's `@` button: the open chat's unread mentions.
    void updateMentionButton();
    // The banner and the timeline's Pin/Unpin, from the open chat's pinned message.
    void updatePinned();
    void updateSelectionBar(int count);
    void deleteSelectedMessages();
    void updateWindowTitle();
    // Called whenever what is on screen may have changed: marks it read shortly.
    void scheduleMarkRead();
    void markVisibleAsRead();
    // The "Archive" row: how many archived chats have something unread; in
    // the archive, the way back.
    void updateArchiveRow();
    void saveLayout() const;
    void restoreLayout();

    ClientSession *m_session;
    QString m_chatId;
    QSplitter *m_splitter = nullptr;
    QLineEdit *m_search = nullptr;
    QListView *m_chatList = nullptr;
    QToolButton *m_archiveRow = nullptr;
    // What the list shows: chats, then people, then messages found.
    ChatSearchModel *m_results = nullptr;
    ConnectionBanner *m_banner = nullptr;
    QStackedWidget *m_chatStack = nullptr;
    QLabel *m_emptyList = nullptr;
    QLabel *m_headerAvatar = nullptr;
    QLabel *m_headerTitle = nullptr;
    QLabel *m_headerSubtitle = nullptr;
    QToolButton *m_infoButton = nullptr;
    FindBar *m_findBar = nullptr;
    PinnedBanner *m_pinnedBanner = nullptr;
    SelectionBar *m_selectionBar = nullptr;
    TimelineView *m_timeline = nullptr;
    Composer *m_composer = nullptr;
    ChatInfoPanel *m_info = nullptr;
    TrayController *m_tray = nullptr;
    // Marking read waits until the scrolling stops, and until the open chat
    // is shown where it opens (its unread part), not while it loads.
    QTimer m_markReadTimer;
    bool m_chatPositioned = false;
};

} // namespace Messenger::Client
