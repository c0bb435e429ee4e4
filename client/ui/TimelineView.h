#pragma once

#include <QListView>
#include <QPersistentModelIndex>
#include <QPointer>

#include "client/models/MessageModel.h"

class QLabel;
class QTimer;
class QToolButton;

namespace Messenger::Client {

class FileCache;
class MessageDelegate;
struct BubbleGeometry;

// The open chat's messages: one QListView painted by MessageDelegate. It
// keeps to the bottom while the user is there, keeps its place when older
// history is inserted above, asks for older pages near the top and newer ones
// near the bottom (a chat opened at its first unread), opens links,
// lets the user select and copy text, and offers edit/delete for own messages
// and retry/edit/delete for those the server refused. Reactions: a click on a
// chip toggles the user's own, hovering it says who reacted, and the menu
// (also on the Menu key and Shift+F10) starts with a quick-reaction bar and
// "React…" for more emoji. Messages are chosen for Forward, Copy and Delete
// with Ctrl+click (one) and Shift+click (a range), or "Select" in the menu;
// while some are chosen a plain click chooses too, and Esc lets go of them.
class TimelineView : public QListView
{
    Q_OBJECT
public:
    explicit TimelineView(QWidget *parent = nullptr);

    void setMessageModel(MessageModel *model);
    // Shown over the timeline while the user is away from the newest message;
    // its text counts what arrived meanwhile. Clicking it goes to the newest.
    QToolButton *jumpToBottomButton() const { return m_jumpButton; }
    // Above that button while the chat has unread messages that mention the
    // user: "@", and a click shows the oldest of them that is loaded.
    QToolButton *jumpToMentionButton() const { return m_mentionButton; }
    // How many unread messages mention the user (the chat list's count), and
    // the read cursor they are after.
    void setUnreadMentions(qint64 count, qint64 lastReadSeq);
    // "No messages yet", over an empty chat once its history has loaded.
    QLabel *emptyChatLabel() const { return m_emptyLabel; }
    MessageModel *messageModel() const { return m_model; }
    // Shows `row` at the top (the "Unread messages" divider), or the bottom when -1.
    void scrollToRowOrBottom(int row);
    bool isAtBottom() const;
    // The newest message whose bubble is on screen, wholly or mostly; 0 if none.
    qint64 newestVisibleSeq() const;
    QString selectedText() const;
    // Shows a message in the middle of the screen, tinted for a moment; one
    // not loaded comes with the page around it (the rest follows as the user
    // scrolls). Clicking a reply's quote does this for the original; a
    // search result comes with the message's `seq`.
    void showMessage(const QString &messageId, qint64 seq = 0);
    // The message tinted by showMessage(), until the tint fades; else empty.
    QString highlightedMessageId() const;
    // Marks these words (a find in the chat's, lower-cased) in every bubble.
    void setMarkedWords(const QStringList &words);
    QStringList markedWords() const;
    // The chosen messages' ids, oldest first (deleted ones left out).
    QStringList selectedMessageIds() const;
    // Their texts, oldest first, a blank line between them (what Copy copies).
    QString selectedMessagesText() const;
    // Whether every chosen message is the user's (they may delete them).
    bool selectedMessagesAreMine() const;
    void clearMessageSelection();
    // Chooses the message in `row` too (or lets go of it when chosen), as Ctrl+click does.
    void toggleMessageSelection(int row);
    // Thumbnails and downloads for the bubbles (repainted as they come).
    void setFileCache(FileCache *files);
    struct MediaHit
    {
        QModelIndex index;
        int attachment = -1; // which of its files, -1 if none
        bool cancel = false; // the ✕ of an upload in progress
    };
    // The file (or the upload's ✕) at `point`, in viewport coordinates.
    MediaHit mediaAt(const QPoint &point) const;
    // Where the bubble of `row` shows its file `attachment`, in viewport
    // coordinates (tests click there); empty if not shown.
    QRect mediaRect(int row, int attachment) const;
    QRect uploadCancelRect(int row) const;
    // Whether the menu offers Pin/Unpin, and which message is pinned now.
    void setPinning(bool allowed, const QString &pinnedMessageId);

Q_SIGNALS:
    // Reply, from a message's context menu.
    void replyRequested(const QString &messageId, const QString &senderName, const QString &text);
    void editRequested(const QString &messageId, const QString &text);
    void deleteRequested(const QString &messageId);
    // Forward, from the menu: the message, or every chosen one when it is among them.
    void forwardRequested(const QStringList &messageIds);
    // Pin or (an empty id) Unpin, from the menu.
    void pinRequested(const QString &messageId);
    // The chosen messages changed; `count` of them now.
    void messageSelectionChanged(int count);
    // The user's `emoji` reaction to a message, to add or (when there) take back.
    void reactionRequested(const QString &messageId, const QString &emoji);
    // For a message the server refused (named by its client_id).
    void retryRequested(const QString &clientId);
    void editFailedRequested(const QString &clientId, const QString &text);
    void discardRequested(const QString &clientId);
    // Called as the user scrolls or messages arrive: what is now on screen.
    void visibleMessagesChanged();
    // A click on a photo (open it large) or on a file (download or open it).
    void imageActivated(const Messenger::Attachment &file);
    void fileActivated(const Messenger::Attachment &file);
    // "Save As…" from a file's or a photo's menu.
    void saveFileRequested(const Messenger::Attachment &file);
    // The ✕ over a pending send's uploads (named by its client_id).
    void uploadCancelRequested(const QString &clientId);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void updateGeometries() override;
    void verticalScrollbarValueChanged(int value) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    // With the keyboard focus (Tab reaches the timeline, for Ctrl+C) it is
    // framed in the accent colour.
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void paintFocusFrame(QWidget *surface);
    void contextMenuEvent(QContextMenuEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    // The delegate's layout of the message at `index`, whose row is `row`.
    const BubbleGeometry &geometryAt(const QModelIndex &index, const QRect &row) const;
    struct TextHit
    {
        QModelIndex index;
        int position = -1; // a cursor position in the message text, -1 if not on text
        QString link;
    };
    TextHit hitTest(const QPoint &point) const;
    // The id of the message whose quote is at `point` (a reply's), else empty.
    QString quoteAt(const QPoint &point) const;
    struct ChipHit
    {
        QString messageId;
        QString emoji;
        QRect rect; // in viewport coordinates
    };
    // The reaction chip at `point`; empty if none.
    ChipHit chipAt(const QPoint &point) const;
    // The message's menu at `point` (viewport coordinates) of `index`.
    void openMenu(const QModelIndex &index, const QPoint &point, const QPoint &globalPos);
    // The message a menu opened from the keyboard is about: the one a jump
    // tinted while it is on screen, else the newest one on screen.
    QModelIndex keyboardMenuTarget() const;
    // "React…": the picker of more emoji, under `globalPos`.
    void showReactionPicker(const QString &messageId, const QPoint &globalPos);
    void highlightRow(int row);
    void rememberAnchor();
    void requestOlderIfNearTop();
    void requestNewerIfNearBottom();
    // At the bottom of everything there is: new rows keep it there.
    bool isAtEnd() const;
    void updateOverlays();
    void jumpToBottom();
    void jumpToNextMention();
    void continueToNewest();
    void copyToClipboard(const QString &text) const;
    // A message that can be chosen (not a service line, deleted or unsent).
    bool isSelectable(const QModelIndex &index) const;
    // Ctrl+click, Shift+click, or any click while messages are chosen.
    bool selectByClick(const QModelIndex &index, Qt::KeyboardModifiers modifiers);

    QPointer<MessageModel> m_model;
    MessageDelegate *m_delegate;
    class FetchGate;
    FetchGate *m_gate;
    bool m_stickToBottom = true;
    // The go-to-newest button was pressed with newer pages not loaded: each
    // page that comes is followed by the next until the newest message.
    bool m_goingToNewest = false;
    QToolButton *m_jumpButton;
    QToolButton *m_mentionButton;
    qint64 m_unreadMentions = 0;
    qint64 m_lastReadSeq = 0;
    QLabel *m_emptyLabel;
    // Messages that arrived below while the user was reading further up.
    int m_arrivedBelow = 0;
    QPersistentModelIndex m_anchor;
    int m_anchorOffset = 0;
    QPersistentModelIndex m_pressIndex;
    int m_pressPosition = -1;
    bool m_selecting = false;
    QString m_pressQuote; // the quote a press started on: the release there opens it
    ChipHit m_pressChip; // the chip a press started on: the release there toggles it
    MediaHit m_pressMedia; // the file a press started on: the release there opens it
    QPointer<FileCache> m_files;
    QTimer *m_highlightTimer;
    QPersistentModelIndex m_selectionAnchor; // where a Shift+click range starts
    bool m_pressChose = false; // the press chose a message: its release does nothing else
    bool m_canPin = false;
    QString m_pinnedId;
};

} // namespace Messenger::Client
