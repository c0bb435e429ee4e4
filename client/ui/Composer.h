#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace Messenger::Client {

// The message field under the timeline: grows with its text up to a few
// lines, Enter sends, Shift+Enter starts a new line, the send button is off
// while there is nothing to send or the text is over the server's limit (a
// counter shows the length near and over it). Also edits an existing message
// in place, or sends a reply: a bar above the field shows which message, and
// Esc (or its close button) cancels either.
class Composer : public QWidget
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);

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

Q_SIGNALS:
    // `replyToId`: the message it answers, or empty.
    void sendRequested(const QString &text, const QString &replyToId);
    // Up in an empty composer: the user wants to edit their last message.
    void editLastRequested();
    void editSubmitted(const QString &messageId, const QString &text);
    // The user typed something (throttling is the connection's business).
    void typed();
    void textEdited(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void submit();
    void updateState();
    // Shows the bar for an edit (`reply` false) or a reply.
    void showBar(bool reply, const QString &title, const QString &preview);

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
};

} // namespace Messenger::Client
