#pragma once

#include "shared/Chat.h"

#include <QWidget>

class QLabel;
class QToolButton;

namespace Messenger::Client {

// Under the chat's header, while a message is pinned: "Pinned message", its
// sender and the start of its text on one line, as in Telegram. A click
// shows the message; the × (for those who may unpin) unpins it.
class PinnedBanner : public QWidget
{
    Q_OBJECT
public:
    explicit PinnedBanner(QWidget *parent = nullptr);

    // Hidden without a pinned message.
    void setPinned(const std::optional<Messenger::PinnedMessage> &pinned, bool canUnpin);
    std::optional<Messenger::PinnedMessage> pinned() const { return m_pinned; }
    QLabel *previewLabel() const { return m_preview; }
    QToolButton *unpinButton() const { return m_unpin; }

Q_SIGNALS:
    void clicked(const QString &messageId, qint64 seq);
    void unpinRequested();

protected:
    void mouseReleaseEvent(QMouseEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void updatePreview();

    std::optional<Messenger::PinnedMessage> m_pinned;
    QLabel *m_title;
    QLabel *m_preview;
    QToolButton *m_unpin;
};

} // namespace Messenger::Client
