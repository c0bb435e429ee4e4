#pragma once

#include "shared/User.h"

#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QListView;
class QPlainTextEdit;
class QStandardItemModel;
class QTemporaryDir;
class QToolButton;

namespace Messenger::Client {

// The message field under the timeline: grows with its text up to a few
// lines, Enter sends, Shift+Enter starts a new line, the send button is off
// while there is nothing to send or the text is over the server's limit (a
// counter shows the length near and over it). Also edits an existing message
// in place, or sends a reply: a bar above the field shows which message, and
// Esc (or its close button) cancels either.
//
// `@` at the start or after a space opens a list of the people who can be
// mentioned, by name, filtered by what follows it (a name's word starting
// so); Up and Down choose, Enter, Tab or a click insert "@Full Name ", Esc
// closes it. A send carries the ids of the inserted mentions still in the text.
class Composer : public QWidget
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);
    ~Composer() override;

    QString text() const;
    void setText(const QString &text);
    void clear();
    void focusInput();
    // Puts the composer in edit mode for one of the user's messages.
    void beginEdit(const QString &messageId, const QString &text);
    void cancelEdit();
    bool isEditing() const { return !m_editingId.isEmpty(); }
    // The next send answers `messageId`; the bar quotes its sender and text.
    void beginReply(const QString &messageId, const QString &senderName, const QString &text);
    void cancelReply();
    bool isReplying() const { return !m_replyToId.isEmpty(); }
    QString replyToId() const { return m_replyToId; }
    // The bar above the field while editing or replying, with its title
    // ("Edit message", or the quoted sender), preview and close button.
    QWidget *contextBar() const { return m_editBar; }
    QLabel *contextTitle() const { return m_barTitle; }
    QLabel *contextPreview() const { return m_editPreview; }
    QToolButton *contextCloseButton() const { return m_barClose; }
    QPlainTextEdit *input() const { return m_input; }
    QToolButton *sendButton() const { return m_sendButton; }
    // "4,000 / 4,096" near the server's limit, hidden well below it.
    QLabel *counter() const { return m_counter; }

    // Who `@` offers: the chat's members but the user (none: no list), asked
    // each time the list opens, so it is always the chat's current members.
    void setMentionCandidates(std::function<QList<Messenger::User>()> candidates)
    {
        m_mentionCandidates = std::move(candidates);
    }
    // Where the `@` list's photos come from (an avatarUrl to its image, null
    // while it has not come); none: initials only.
    void setAvatarSource(std::function<QImage(const QString &avatarUrl)> avatars)
    {
        m_avatars = std::move(avatars);
    }
    // The `@` list (hidden when closed); its rows' Qt::UserRole is the user id.
    QListView *mentionPopup() const { return m_mentionPopup; }
    // The ids the next send would mention: inserted mentions whose "@Name"
    // is still in the text, of people who can be mentioned here.
    QStringList mentions() const;

    // Files to send with the next message (up to
    // Limits::attachmentsPerMessageMax; more are left out): shown above the
    // field as chips with ✕, the typed text their caption. The paper clip
    // (chooseFiles), files dropped on the chat (acceptDropsOn) and a pasted
    // image (saved as a PNG) add them.
    void addAttachments(const QStringList &paths);
    void removeAttachment(int index);
    QStringList attachments() const { return m_attachments; }
    QToolButton *attachButton() const { return m_attachButton; }
    QWidget *attachmentBar() const { return m_attachmentBar; }
    // Files dragged onto `widget` (the timeline) are attached too.
    void acceptDropsOn(QWidget *widget);
    // Pastes the clipboard: an image becomes a PNG file attached, files are
    // attached, text goes into the field.
    void paste();

public Q_SLOTS:
    // The paper clip: a file dialog for one or more files.
    void chooseFiles();

Q_SIGNALS:
    // `replyToId`: the message it answers, or empty; `mentions`: the ids of
    // the members it mentions.
    void sendRequested(const QString &text, const QString &replyToId, const QStringList &mentions);
    // The same with files: `text` is their caption (it may be empty).
    void sendFilesRequested(const QString &text, const QStringList &files, const QString &replyToId,
        const QStringList &mentions);
    // Up in an empty composer: the user wants to edit their last message.
    void editLastRequested();
    void editSubmitted(const QString &messageId, const QString &text);
    // The user typed something (throttling is the connection's business).
    void typed();
    void textEdited(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    // The `@` list follows the field when the window resizes, and goes
    // with the composer when it hides (choosing messages).
    void resizeEvent(QResizeEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void submit();
    void updateState();
    void updateAttachmentBar();
    // Shows the bar for an edit (`reply` false) or a reply.
    void showBar(bool reply, const QString &title, const QString &preview);
    // Opens, refilters or closes the `@` list for the word at the cursor.
    void updateMentionPopup();
    void closeMentionPopup();
    // Replaces the `@query` at the cursor with the chosen person's mention.
    void insertMention(const QModelIndex &row);
    // Where the `@` of the word being typed is, or -1 when there is none.
    int mentionStart() const;

    QWidget *m_editBar;
    QLabel *m_barIcon;
    QLabel *m_barTitle;
    QLabel *m_editPreview;
    QToolButton *m_barClose;
    QPlainTextEdit *m_input;
    QToolButton *m_sendButton;
    QLabel *m_counter;
    QString m_editingId;
    QString m_replyToId;
    QString m_draftBeforeEdit;
    std::function<QList<Messenger::User>()> m_mentionCandidates;
    std::function<QImage(const QString &)> m_avatars;
    QListView *m_mentionPopup;
    QStandardItemModel *m_mentionRows;
    // The `@` whose list Esc closed: it stays closed while that word is typed.
    int m_dismissedMentionAt = -1;
    struct InsertedMention
    {
        QString userId;
        QString text; // "@Full Name" as inserted
    };
    QList<InsertedMention> m_inserted;
    QToolButton *m_attachButton;
    QWidget *m_attachmentBar;
    QStringList m_attachments;
    // Where pasted images are written; they stay until the app quits (their
    // upload may take that long).
    std::unique_ptr<QTemporaryDir> m_pastedImages;
    QList<QWidget *> m_dropTargets;
};

} // namespace Messenger::Client
