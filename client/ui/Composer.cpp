#include "Composer.h"

#include "Theme.h"
#include "shared/Limits.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
constexpr int maxVisibleLines = 8;
// The length counter shows from here on: within 10% of the server's limit.
constexpr int counterFrom = Limits::messageTextMax - Limits::messageTextMax / 10;

// What the server counts: the text without surrounding whitespace.
qsizetype sendableLength(const QString &text)
{
    return text.trimmed().size();
}
} // namespace

Composer::Composer(QWidget *parent)
    : QWidget(parent)
    , m_editBar(new QWidget(this))
    , m_barIcon(new QLabel(m_editBar))
    , m_barTitle(new QLabel(m_editBar))
    , m_editPreview(new QLabel(m_editBar))
    , m_barClose(new QToolButton(m_editBar))
    , m_input(new QPlainTextEdit(this))
    , m_sendButton(new QToolButton(this))
    , m_counter(new QLabel(this))
{
    setAutoFillBackground(true);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);

    auto *editLayout = new QHBoxLayout(m_editBar);
    editLayout->setContentsMargins(12, 6, 6, 0);
    QPalette accent = m_barTitle->palette();
    accent.setColor(QPalette::WindowText, Theme::accentText);
    m_barTitle->setPalette(accent);
    m_barTitle->setFont(Theme::withPointSizeDelta(font(), 0, true));
    m_barTitle->setTextFormat(Qt::PlainText);
    m_editPreview->setTextFormat(Qt::PlainText);
    m_barClose->setIcon(QIcon(u":/icons/close.svg"_s));
    m_barClose->setAutoRaise(true);
    connect(m_barClose, &QToolButton::clicked, this, [this] {
        if (isEditing())
            cancelEdit();
        else
            cancelReply();
    });
    auto *editText = new QVBoxLayout;
    editText->setSpacing(0);
    editText->addWidget(m_barTitle);
    editText->addWidget(m_editPreview);
    editLayout->addWidget(m_barIcon);
    editLayout->addLayout(editText, 1);
    editLayout->addWidget(m_barClose);
    m_editBar->hide();
    outer->addWidget(m_editBar);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(12, 4, 6, 4);
    m_input->setPlaceholderText(tr("Write a message..."));
    m_input->setFrameShape(QFrame::NoFrame);
    m_input->setTabChangesFocus(true);
    m_input->installEventFilter(this);
    m_input->setAccessibleName(tr("Message"));
    m_sendButton->setIcon(QIcon(u":/icons/send.svg"_s));
    m_sendButton->setIconSize(QSize(26, 26));
    m_sendButton->setAutoRaise(true);
    m_sendButton->setAccessibleName(tr("Send"));
    connect(m_sendButton, &QToolButton::clicked, this, &Composer::submit);
    connect(m_input, &QPlainTextEdit::textChanged, this, [this] {
        updateState();
        if (!m_input->toPlainText().isEmpty())
            Q_EMIT typed();
        if (!isEditing())
            Q_EMIT textEdited(m_input->toPlainText());
    });
    m_counter->setFont(Theme::withPointSizeDelta(font(), -1));
    m_counter->setAccessibleName(tr("Message length"));
    m_counter->hide();
    row->addWidget(m_input, 1);
    row->addWidget(m_counter, 0, Qt::AlignBottom);
    row->addWidget(m_sendButton, 0, Qt::AlignBottom);
    outer->addLayout(row);
    updateState();
}

QString Composer::text() const
{
    return m_input->toPlainText();
}

void Composer::setText(const QString &text)
{
    const QSignalBlocker noTyping(m_input);
    m_input->setPlainText(text);
    m_input->moveCursor(QTextCursor::End);
    updateState();
}

void Composer::clear()
{
    setText({});
}

void Composer::focusInput()
{
    m_input->setFocus(Qt::OtherFocusReason);
}

void Composer::showBar(bool reply, const QString &title, const QString &preview)
{
    m_barIcon->setPixmap(
        QIcon(reply ? u":/icons/reply.svg"_s : u":/icons/edit.svg"_s).pixmap(20, 20));
    m_barTitle->setText(title);
    m_editPreview->setText(
        fontMetrics().elidedText(QString(preview).replace(u'\n', u' '), Qt::ElideRight, 400));
    m_barClose->setToolTip(reply ? tr("Cancel reply") : tr("Cancel editing"));
    m_barClose->setAccessibleName(m_barClose->toolTip());
    m_editBar->show();
}

void Composer::beginEdit(const QString &messageId, const QString &text)
{
    cancelReply(); // one at a time, as in Telegram
    if (!isEditing())
        m_draftBeforeEdit = m_input->toPlainText();
    m_editingId = messageId;
    showBar(false, tr("Edit message"), text);
    setText(text);
    focusInput();
}

void Composer::cancelEdit()
{
    if (!isEditing())
        return;
    m_editingId.clear();
    m_editBar->hide();
    setText(m_draftBeforeEdit);
}

void Composer::beginReply(const QString &messageId, const QString &senderName, const QString &text)
{
    cancelEdit();
    m_replyToId = messageId;
    showBar(true, tr("Reply to %1").arg(senderName), text);
    focusInput();
}

void Composer::cancelReply()
{
    if (!isReplying())
        return;
    m_replyToId.clear();
    m_editBar->hide();
}

bool Composer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && !(key->modifiers() & Qt::ShiftModifier)) {
            submit();
            return true;
        }
        if (key->key() == Qt::Key_Escape && (isEditing() || isReplying())) {
            if (isEditing())
                cancelEdit();
            else
                cancelReply();
            return true;
        }
        if (key->key() == Qt::Key_Up && key->modifiers() == Qt::NoModifier && !isEditing()
            && m_input->toPlainText().isEmpty()) {
            Q_EMIT editLastRequested();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void Composer::submit()
{
    const QString text = m_input->toPlainText().trimmed();
    if (text.isEmpty() || text.size() > Limits::messageTextMax)
        return; // the counter already says why
    if (isEditing()) {
        const QString id = std::exchange(m_editingId, {});
        m_editBar->hide();
        setText(m_draftBeforeEdit);
        Q_EMIT editSubmitted(id, text);
        return;
    }
    const QString replyToId = std::exchange(m_replyToId, {});
    m_editBar->hide();
    clear();
    Q_EMIT textEdited({});
    Q_EMIT sendRequested(text, replyToId);
}

void Composer::updateState()
{
    const qsizetype length = sendableLength(m_input->toPlainText());
    const bool tooLong = length > Limits::messageTextMax;
    m_sendButton->setEnabled(length > 0 && !tooLong);
    m_sendButton->setToolTip(tooLong ? tr("Too long to send: at most %1 characters")
                                           .arg(locale().toString(Limits::messageTextMax))
                                     : tr("Send (Enter)"));
    m_counter->setVisible(length >= counterFrom);
    if (length >= counterFrom) {
        m_counter->setText(tr("%1 / %2").arg(
            locale().toString(length), locale().toString(Limits::messageTextMax)));
        QPalette palette = m_counter->palette();
        palette.setColor(QPalette::WindowText, tooLong ? Theme::error : Theme::textSecondary);
        m_counter->setPalette(palette);
    }
    // Grow with the text, up to a few lines, then scroll.
    const int lines = std::clamp(int(m_input->document()->size().height()), 1, maxVisibleLines);
    const int height = lines * m_input->fontMetrics().lineSpacing()
        + int(m_input->document()->documentMargin() * 2) + 4;
    m_input->setFixedHeight(height);
}

} // namespace Messenger::Client
