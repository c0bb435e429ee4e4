#include "Composer.h"

#include "Theme.h"
#include "client/models/Presentation.h"
#include "shared/Limits.h"

#include <QApplication>
#include <QClipboard>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMimeData>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QToolButton>
#include <QUuid>

#include <algorithm>

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

// The `@` list: this many people at most, each row an avatar and a name.
constexpr int mentionRowsMax = 8;
constexpr int mentionAvatarSize = 28;
constexpr int mentionRowHeight = 36;
constexpr int mentionPopupWidth = 260;

// What the user typed after `@` finds a name that starts so, or one of its words.
bool nameMatches(const QString &name, const QString &query)
{
    if (query.isEmpty() || name.startsWith(query, Qt::CaseInsensitive))
        return true;
    const QStringList words = name.split(u' ', Qt::SkipEmptyParts);
    return std::any_of(words.cbegin(), words.cend(),
        [&query](const QString &word) { return word.startsWith(query, Qt::CaseInsensitive); });
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
    , m_mentionPopup(new QListView(this))
    , m_mentionRows(new QStandardItemModel(this))
    , m_attachButton(new QToolButton(this))
    , m_attachmentBar(new QWidget(this))
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

    // The files to send, as chips above the field.
    auto *chips = new QHBoxLayout(m_attachmentBar);
    chips->setContentsMargins(12, 6, 6, 0);
    chips->setSpacing(6);
    chips->addStretch(1);
    m_attachmentBar->hide();
    outer->addWidget(m_attachmentBar);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(6, 4, 6, 4);
    m_attachButton->setIcon(QIcon(u":/icons/attach.svg"_s));
    m_attachButton->setIconSize(QSize(24, 24));
    m_attachButton->setAutoRaise(true);
    m_attachButton->setAccessibleName(tr("Attach files"));
    m_attachButton->setToolTip(tr("Attach files"));
    connect(m_attachButton, &QToolButton::clicked, this, &Composer::chooseFiles);
    row->addWidget(m_attachButton, 0, Qt::AlignBottom);
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
    connect(m_input, &QPlainTextEdit::cursorPositionChanged, this, &Composer::updateMentionPopup);

    // The list floats over the window (reparented there when it opens) and
    // never takes the focus: the field keeps it, and its keys drive the list.
    m_mentionPopup->setModel(m_mentionRows);
    m_mentionPopup->setFocusPolicy(Qt::NoFocus);
    m_mentionPopup->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_mentionPopup->setSelectionMode(QAbstractItemView::SingleSelection);
    m_mentionPopup->setIconSize(QSize(mentionAvatarSize, mentionAvatarSize));
    m_mentionPopup->setUniformItemSizes(true);
    m_mentionPopup->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_mentionPopup->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_mentionPopup->setFrameShape(QFrame::StyledPanel);
    // The chosen row lightly shaded, as Telegram's list has it, not in the
    // selection blue.
    QPalette rows = m_mentionPopup->palette();
    rows.setColor(QPalette::Highlight, Theme::hoverRow.darker(104));
    rows.setColor(QPalette::HighlightedText, Theme::textPrimary);
    m_mentionPopup->setPalette(rows);
    m_mentionPopup->setAccessibleName(tr("Mention someone"));
    m_mentionPopup->hide();
    connect(m_mentionPopup, &QListView::clicked, this, &Composer::insertMention);
    m_counter->setFont(Theme::withPointSizeDelta(font(), -1));
    m_counter->setAccessibleName(tr("Message length"));
    m_counter->hide();
    row->addWidget(m_input, 1);
    row->addWidget(m_counter, 0, Qt::AlignBottom);
    row->addWidget(m_sendButton, 0, Qt::AlignBottom);
    outer->addLayout(row);
    updateState();
}

Composer::~Composer() = default;

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
    if (m_dropTargets.contains(watched) || watched == m_input) {
        // Files dragged from a file manager onto the chat are attached.
        if (event->type() == QEvent::DragEnter || event->type() == QEvent::DragMove) {
            auto *drag = static_cast<QDragMoveEvent *>(event);
            if (drag->mimeData()->hasUrls() && !isEditing()) {
                drag->acceptProposedAction();
                return true;
            }
        } else if (event->type() == QEvent::Drop) {
            auto *drop = static_cast<QDropEvent *>(event);
            QStringList files;
            for (const QUrl &url : drop->mimeData()->urls()) {
                if (url.isLocalFile())
                    files.append(url.toLocalFile());
            }
            if (!files.isEmpty() && !isEditing()) {
                addAttachments(files);
                drop->acceptProposedAction();
                focusInput();
                return true;
            }
        }
    }
    if (watched == m_input && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Paste) && !isEditing()) {
        paste(); // an image or files become attachments
        return true;
    }
    if (watched == m_input && event->type() == QEvent::FocusOut)
        closeMentionPopup();
    if (watched == m_input && event->type() == QEvent::KeyPress && m_mentionPopup->isVisible()) {
        // The open `@` list has the keys first: Esc closes it and nothing else.
        const auto *key = static_cast<QKeyEvent *>(event);
        const int rows = m_mentionRows->rowCount();
        const int current = m_mentionPopup->currentIndex().row();
        switch (key->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down: {
            const int step = key->key() == Qt::Key_Up ? -1 : 1;
            m_mentionPopup->setCurrentIndex(
                m_mentionRows->index((current + step + rows) % rows, 0));
            return true;
        }
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Tab:
            insertMention(m_mentionPopup->currentIndex());
            return true;
        case Qt::Key_Escape:
            m_dismissedMentionAt = mentionStart();
            closeMentionPopup();
            return true;
        default:
            break;
        }
    }
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

void Composer::chooseFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Attach files"), QStandardPaths::writableLocation(QStandardPaths::HomeLocation));
    addAttachments(files);
    focusInput();
}

void Composer::addAttachments(const QStringList &paths)
{
    for (const QString &path : paths) {
        if (m_attachments.size() >= Limits::attachmentsPerMessageMax)
            break;
        const QFileInfo info(path);
        if (info.isFile() && !m_attachments.contains(info.absoluteFilePath()))
            m_attachments.append(info.absoluteFilePath());
    }
    updateAttachmentBar();
    updateState();
}

void Composer::removeAttachment(int index)
{
    if (index < 0 || index >= m_attachments.size())
        return;
    m_attachments.removeAt(index);
    updateAttachmentBar();
    updateState();
}

void Composer::updateAttachmentBar()
{
    auto *chips = static_cast<QHBoxLayout *>(m_attachmentBar->layout());
    while (chips->count() > 1) { // the stretch stays, last
        QLayoutItem *item = chips->takeAt(0);
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < m_attachments.size(); ++i) {
        const QString name = QFileInfo(m_attachments.at(i)).fileName();
        auto *chip = new QToolButton(m_attachmentBar);
        chip->setText(tr("📎 %1").arg(fontMetrics().elidedText(name, Qt::ElideMiddle, 160)));
        chip->setIcon(QIcon(u":/icons/close.svg"_s));
        chip->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        chip->setLayoutDirection(Qt::RightToLeft); // the ✕ after the name
        chip->setToolTip(tr("Remove %1").arg(name));
        chip->setAccessibleName(tr("Remove %1").arg(name));
        chip->setAutoRaise(true);
        chip->setStyleSheet(u"QToolButton { background: #e8f2fc; border-radius: 10px;"
                            " padding: 2px 6px; }"_s);
        connect(chip, &QToolButton::clicked, this, [this, i] { removeAttachment(i); });
        chips->insertWidget(i, chip);
    }
    m_attachmentBar->setVisible(!m_attachments.isEmpty());
}

void Composer::acceptDropsOn(QWidget *widget)
{
    widget->setAcceptDrops(true);
    widget->installEventFilter(this);
    m_dropTargets.append(widget);
}

void Composer::paste()
{
    const QMimeData *clipboard = QApplication::clipboard()->mimeData();
    if (!clipboard)
        return;
    if (clipboard->hasUrls()) {
        QStringList files;
        for (const QUrl &url : clipboard->urls()) {
            if (url.isLocalFile())
                files.append(url.toLocalFile());
        }
        if (!files.isEmpty()) {
            addAttachments(files);
            return;
        }
    }
    if (clipboard->hasImage()) {
        const QImage image = qvariant_cast<QImage>(clipboard->imageData());
        if (!m_pastedImages)
            m_pastedImages = std::make_unique<QTemporaryDir>();
        const QString path = m_pastedImages->filePath(tr("Pasted image") + u' '
            + QUuid::createUuid().toString(QUuid::Id128).left(8) + u".png"_s);
        if (!image.isNull() && m_pastedImages->isValid() && image.save(path, "PNG"))
            addAttachments({ path });
        return;
    }
    m_input->paste();
}

void Composer::submit()
{
    const QString text = m_input->toPlainText().trimmed();
    if (!m_attachments.isEmpty() && !isEditing() && text.size() <= Limits::messageTextMax) {
        // The files with the text as their caption, in one message.
        const QString replyToId = std::exchange(m_replyToId, {});
        const QStringList mentioned = mentions();
        const QStringList files = std::exchange(m_attachments, {});
        m_inserted.clear();
        m_editBar->hide();
        updateAttachmentBar();
        clear();
        Q_EMIT textEdited({});
        Q_EMIT sendFilesRequested(text, files, replyToId, mentioned);
        return;
    }
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
    const QStringList mentioned = mentions();
    m_inserted.clear();
    m_editBar->hide();
    clear();
    Q_EMIT textEdited({});
    Q_EMIT sendRequested(text, replyToId, mentioned);
}

QStringList Composer::mentions() const
{
    const QString text = m_input->toPlainText();
    QStringList members;
    if (m_mentionCandidates) {
        for (const User &member : m_mentionCandidates())
            members.append(member.id);
    }
    QStringList ids;
    for (const InsertedMention &mention : m_inserted) {
        // Deleted or edited away, or from the draft of another chat: not mentioned.
        if (members.contains(mention.userId) && !ids.contains(mention.userId)
            && !Presentation::mentionRanges(text, mention.text).isEmpty())
            ids.append(mention.userId);
    }
    return ids;
}

int Composer::mentionStart() const
{
    const QTextCursor cursor = m_input->textCursor();
    if (cursor.hasSelection())
        return -1;
    const QString block = cursor.block().text();
    for (int at = cursor.positionInBlock() - 1; at >= 0; --at) {
        if (block.at(at) == u'@')
            return at == 0 || block.at(at - 1).isSpace() ? cursor.block().position() + at : -1;
        if (block.at(at).isSpace())
            return -1;
    }
    return -1;
}

void Composer::updateMentionPopup()
{
    const int start = mentionStart();
    if (start < 0)
        m_dismissedMentionAt = -1; // a later `@` opens the list again
    if (start < 0 || start == m_dismissedMentionAt || !m_mentionCandidates) {
        closeMentionPopup();
        return;
    }
    const QString query
        = m_input->toPlainText().mid(start + 1, m_input->textCursor().position() - start - 1);
    const QString currentId = m_mentionPopup->isVisible()
        ? m_mentionPopup->currentIndex().data(Qt::UserRole).toString()
        : QString();
    m_mentionRows->clear();
    QList<User> candidates = m_mentionCandidates();
    std::sort(candidates.begin(), candidates.end(), [](const User &a, const User &b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
    for (const User &member : std::as_const(candidates)) {
        if (m_mentionRows->rowCount() == mentionRowsMax)
            break;
        if (!nameMatches(member.name, query))
            continue;
        // The same avatar when chosen: the view would tint a plain pixmap.
        const QPixmap avatar = Theme::avatarPixmap(member.id, member.name,
            m_avatars ? m_avatars(member.avatarUrl.value_or(QString())) : QImage(),
            mentionAvatarSize);
        QIcon icon;
        icon.addPixmap(avatar, QIcon::Normal);
        icon.addPixmap(avatar, QIcon::Selected);
        auto *row = new QStandardItem(icon, member.name);
        row->setData(member.id, Qt::UserRole);
        row->setSizeHint(QSize(0, mentionRowHeight));
        row->setToolTip(member.name);
        m_mentionRows->appendRow(row);
    }
    if (m_mentionRows->rowCount() == 0) {
        closeMentionPopup();
        return;
    }
    // The one chosen before stays chosen while the list narrows.
    const auto kept = m_mentionRows->match(m_mentionRows->index(0, 0), Qt::UserRole, currentId);
    m_mentionPopup->setCurrentIndex(kept.isEmpty() ? m_mentionRows->index(0, 0) : kept.first());

    QWidget *host = window();
    if (m_mentionPopup->parentWidget() != host)
        m_mentionPopup->setParent(host);
    const int frame = 2 * m_mentionPopup->frameWidth();
    const QSize size(mentionPopupWidth, m_mentionRows->rowCount() * mentionRowHeight + frame);
    // Under the caret when it fits in the window, as a completer does; the
    // composer is at the window's bottom, so usually above it.
    const QRect caret = m_input->cursorRect();
    QPoint at = m_input->viewport()->mapTo(host, caret.bottomLeft() + QPoint(0, 2));
    if (at.y() + size.height() > host->height())
        at = m_input->viewport()->mapTo(host, caret.topLeft()) - QPoint(0, size.height() + 2);
    at.setX(
        std::clamp(at.x() - mentionAvatarSize / 2, 0, std::max(0, host->width() - size.width())));
    at.setY(std::max(0, at.y()));
    m_mentionPopup->setGeometry(QRect(at, size));
    m_mentionPopup->show();
    m_mentionPopup->raise();
}

void Composer::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_mentionPopup->isVisible())
        updateMentionPopup();
}

void Composer::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    closeMentionPopup();
}

void Composer::closeMentionPopup()
{
    m_mentionPopup->hide();
}

void Composer::insertMention(const QModelIndex &row)
{
    const int start = mentionStart();
    if (start < 0 || !row.isValid())
        return;
    const QString mention = u'@' + row.data(Qt::DisplayRole).toString();
    m_inserted.append({ row.data(Qt::UserRole).toString(), mention });
    QTextCursor cursor = m_input->textCursor();
    cursor.setPosition(start, QTextCursor::KeepAnchor);
    cursor.insertText(mention + u' ');
    m_input->setTextCursor(cursor);
    closeMentionPopup();
}

void Composer::updateState()
{
    const qsizetype length = sendableLength(m_input->toPlainText());
    const bool tooLong = length > Limits::messageTextMax;
    m_sendButton->setEnabled((length > 0 || !m_attachments.isEmpty()) && !tooLong);
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
