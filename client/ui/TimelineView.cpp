#include "TimelineView.h"

#include "MessageDelegate.h"
#include "ReactionPicker.h"
#include "Theme.h"
#include "client/models/FileCache.h"
#include "client/models/MessageModel.h"
#include "client/models/Presentation.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QWidgetAction>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

// QAbstractItemView fetches more whenever the *last* row is visible, which in
// a timeline (always at the bottom) would page in the whole history. The view
// sees the model through this gate, which hides canFetchMore(); the view asks
// for older pages itself when the user nears the top.
class TimelineView::FetchGate : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;
    bool canFetchMore(const QModelIndex &) const override { return false; }
    void fetchMore(const QModelIndex &) override { }
};

namespace {
// How close to the top (in pixels) the next older page is requested.
constexpr int prefetchDistance = 600;
} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QListView(parent)
    , m_delegate(new MessageDelegate(this))
    , m_gate(new FetchGate(this))
    , m_jumpButton(new QToolButton(this))
    , m_mentionButton(new QToolButton(this))
    , m_emptyLabel(new QLabel(tr("No messages yet"), this))
    , m_highlightTimer(new QTimer(this))
{
    m_highlightTimer->setSingleShot(true);
    m_highlightTimer->setInterval(1500);
    connect(m_highlightTimer, &QTimer::timeout, this, [this] {
        m_delegate->setHighlighted({});
        viewport()->update();
    });
    setItemDelegate(m_delegate);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setFrameShape(QFrame::NoFrame);
    setUniformItemSizes(false);
    setResizeMode(QListView::Adjust);
    verticalScrollBar()->setSingleStep(24);
    QPalette background = palette();
    background.setColor(QPalette::Base, Theme::timelineBackground);
    background.setColor(QPalette::Window, Theme::timelineBackground);
    setPalette(background);
    setAutoFillBackground(true);
    setModel(m_gate);

    m_jumpButton->setObjectName(u"jumpToBottom"_s);
    m_jumpButton->setIcon(QIcon(u":/icons/arrow-down.svg"_s));
    m_jumpButton->setIconSize(QSize(24, 24));
    m_jumpButton->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    m_jumpButton->setToolTip(tr("Go to the newest message"));
    m_jumpButton->setCursor(Qt::PointingHandCursor);
    m_jumpButton->setStyleSheet(
        u"QToolButton { background: white; border: none; border-radius: 22px;"
        " color: #3390ec; font-weight: bold; min-width: 44px;"
        " min-height: 44px; }"_s);
    m_jumpButton->hide();
    connect(m_jumpButton, &QToolButton::clicked, this, &TimelineView::jumpToBottom);
    m_mentionButton->setObjectName(u"jumpToMention"_s);
    m_mentionButton->setText(u"@"_s);
    m_mentionButton->setToolTip(tr("Go to the next message that mentions you"));
    m_mentionButton->setAccessibleName(m_mentionButton->toolTip());
    m_mentionButton->setCursor(Qt::PointingHandCursor);
    m_mentionButton->setStyleSheet(
        u"QToolButton { background: white; border: none; border-radius: 22px;"
        " color: #3390ec; font-weight: bold; font-size: 20px; min-width: 44px;"
        " min-height: 44px; }"_s);
    m_mentionButton->hide();
    connect(m_mentionButton, &QToolButton::clicked, this, &TimelineView::jumpToNextMention);
    m_emptyLabel->setObjectName(u"emptyChat"_s);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    QPalette grey = m_emptyLabel->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_emptyLabel->setPalette(grey);
    m_emptyLabel->hide();
    connect(
        m_gate, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first) {
            // Arrivals at the end while the user reads further up are counted.
            if (first > 0 && first == m_gate->rowCount() - 1 && !m_stickToBottom)
                ++m_arrivedBelow;
            updateOverlays();
        });
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
        [this] { Q_EMIT messageSelectionChanged(int(selectedMessageIds().size())); });
    // A chosen message deleted meanwhile (by its sender, elsewhere) is let go of.
    connect(m_gate, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
            if (!selectionModel()->hasSelection())
                return;
            for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
                const QModelIndex index = m_gate->index(row, 0);
                if (selectionModel()->isSelected(index) && !isSelectable(index))
                    selectionModel()->select(index, QItemSelectionModel::Deselect);
            }
        });
    connect(m_gate, &QAbstractItemModel::rowsRemoved, this, &TimelineView::updateOverlays);
    connect(m_gate, &QAbstractItemModel::modelReset, this, &TimelineView::updateOverlays);
    connect(m_gate, &QAbstractItemModel::rowsAboutToBeInserted, this,
        [this](const QModelIndex &, int first) {
            // Older history arrives above what the user is reading: keep it still.
            if (first == 0 && m_gate->rowCount() > 0 && !m_stickToBottom)
                rememberAnchor();
        });
}

void TimelineView::setMessageModel(MessageModel *model)
{
    m_model = model;
    m_delegate->setSelection({}, 0, 0);
    m_anchor = QPersistentModelIndex();
    m_stickToBottom = true;
    m_arrivedBelow = 0;
    m_gate->setSourceModel(model);
    selectionModel()->clear();
    m_selectionAnchor = QPersistentModelIndex();
    Q_EMIT messageSelectionChanged(0);
    m_goingToNewest = false;
    if (model) {
        connect(model, &MessageModel::initialLoaded, this, &TimelineView::updateOverlays,
            Qt::UniqueConnection);
        connect(model, &MessageModel::newerLoaded, this, &TimelineView::continueToNewest,
            Qt::UniqueConnection);
    }
    updateOverlays();
}

void TimelineView::updateOverlays()
{
    const bool loaded = m_model && m_model->isLoaded();
    m_emptyLabel->setVisible(loaded && m_gate->rowCount() == 0);
    // Inside the focus frame's width, which stays visible around it.
    m_emptyLabel->setGeometry(viewport()->geometry().adjusted(2, 2, -2, -2));
    QScrollBar *bar = verticalScrollBar();
    // More than a screen's worth of scrolling up, or newer pages not loaded.
    const bool away = loaded && m_gate->rowCount() > 0
        && (bar->maximum() - bar->value() > viewport()->height() / 2 || !m_model->isAtEnd());
    if (!away)
        m_arrivedBelow = 0;
    m_jumpButton->setText(m_arrivedBelow > 0 ? QLocale().toString(m_arrivedBelow) : QString());
    m_jumpButton->setToolButtonStyle(
        m_arrivedBelow > 0 ? Qt::ToolButtonTextUnderIcon : Qt::ToolButtonIconOnly);
    m_jumpButton->adjustSize();
    const QRect area = viewport()->geometry();
    m_jumpButton->move(
        area.right() - m_jumpButton->width() - 16, area.bottom() - m_jumpButton->height() - 16);
    m_jumpButton->setVisible(away);
    m_jumpButton->raise();
    m_mentionButton->adjustSize();
    const int mentionBottom = away ? m_jumpButton->y() - 8 : area.bottom() - 16;
    m_mentionButton->move(
        area.right() - m_mentionButton->width() - 16, mentionBottom - m_mentionButton->height());
    m_mentionButton->setVisible(loaded && m_unreadMentions > 0);
    m_mentionButton->raise();
}

void TimelineView::setUnreadMentions(qint64 count, qint64 lastReadSeq)
{
    m_unreadMentions = count;
    m_lastReadSeq = lastReadSeq;
    updateOverlays();
}

void TimelineView::jumpToNextMention()
{
    // The oldest unread one first, as Telegram goes through them; reading
    // it moves the cursor past it, and the next click finds the next.
    if (!m_model)
        return;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row);
        if (index.data(MessageModel::MentionsMeRole).toBool()
            && index.data(MessageModel::SeqRole).toLongLong() > m_lastReadSeq) {
            showMessage(index.data(MessageModel::IdRole).toString(),
                index.data(MessageModel::SeqRole).toLongLong());
            return;
        }
    }
    jumpToBottom(); // not loaded: they are newer than anything here
}

void TimelineView::jumpToBottom()
{
    // The user asked for the newest: follow the bottom, and the pages below
    // what is loaded come in one after another until it is reached.
    m_arrivedBelow = 0;
    m_goingToNewest = m_model && !m_model->isAtEnd();
    scrollToRowOrBottom(-1);
    updateOverlays();
}

void TimelineView::continueToNewest()
{
    if (!m_goingToNewest || !m_model || sender() != m_model)
        return;
    m_goingToNewest = !m_model->isAtEnd();
    scrollToRowOrBottom(-1); // and the next page, while there is one
    updateOverlays();
}

void TimelineView::scrollToRowOrBottom(int row)
{
    doItemsLayout();
    if (row < 0 || !m_model || row >= m_model->rowCount()) {
        m_stickToBottom = true;
        scrollToBottom();
    } else {
        scrollTo(m_gate->index(row, 0), QAbstractItemView::PositionAtTop);
        m_stickToBottom = isAtEnd();
    }
    requestNewerIfNearBottom();
    Q_EMIT visibleMessagesChanged();
}

bool TimelineView::isAtBottom() const
{
    return verticalScrollBar()->value() >= verticalScrollBar()->maximum() - 4;
}

bool TimelineView::isAtEnd() const
{
    // Below the loaded part there may be more: following the loaded bottom
    // would skip past it (and mark it read unseen).
    return isAtBottom() && (!m_model || m_model->isAtEnd());
}

qint64 TimelineView::newestVisibleSeq() const
{
    if (!m_model || m_gate->rowCount() == 0)
        return 0;
    const QRect screen = viewport()->rect();
    QModelIndex bottom = indexAt(QPoint(screen.width() / 2, screen.height() - 1));
    if (!bottom.isValid())
        bottom = m_gate->index(m_gate->rowCount() - 1, 0);
    // From the bottom of the screen up: the first message whose bubble is
    // mostly on screen (half of it, or half the screen for a very long one).
    // Pending messages have no seq and are skipped.
    for (int row = bottom.row(); row >= 0; --row) {
        const QModelIndex index = m_gate->index(row, 0);
        const QRect rowRect = visualRect(index);
        if (rowRect.bottom() < screen.top())
            break;
        const qint64 seq = index.data(MessageModel::SeqRole).toLongLong();
        if (seq <= 0)
            continue;
        const QRect bubble
            = m_delegate->geometry(
                            index, QRect(rowRect.topLeft(), QSize(screen.width(), 0)), font())
                  .bubble.translated(rowRect.topLeft());
        const int shown = bubble.intersected(screen).height();
        if (shown > 0 && (2 * shown >= bubble.height() || 2 * shown >= screen.height()))
            return seq;
    }
    return 0;
}

QString TimelineView::selectedText() const
{
    return m_delegate->selectedText();
}

void TimelineView::showMessage(const QString &messageId, qint64 seq)
{
    if (!m_model || messageId.isEmpty())
        return;
    const int row = m_model->rowOfId(messageId);
    if (row >= 0) {
        highlightRow(row);
        return;
    }
    connect(
        m_model, &MessageModel::aroundLoaded, this,
        [this, messageId](const QString &loaded) {
            if (loaded == messageId && m_model)
                highlightRow(m_model->rowOfId(messageId));
        },
        Qt::SingleShotConnection);
    m_model->loadAroundMessage(messageId, seq);
}

void TimelineView::highlightRow(int row)
{
    if (row < 0)
        return;
    const QModelIndex index = m_gate->index(row, 0);
    m_goingToNewest = false;
    doItemsLayout();
    m_anchor = QPersistentModelIndex();
    scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_stickToBottom = isAtEnd();
    m_delegate->setHighlighted(index);
    m_highlightTimer->start();
    viewport()->update();
    updateOverlays();
    Q_EMIT visibleMessagesChanged();
}

QString TimelineView::highlightedMessageId() const
{
    const QPersistentModelIndex index = m_delegate->highlighted();
    return index.isValid() ? index.data(MessageModel::IdRole).toString() : QString();
}

void TimelineView::setMarkedWords(const QStringList &words)
{
    if (words == m_delegate->markedWords())
        return;
    m_delegate->setMarkedWords(words);
    viewport()->update();
}

QStringList TimelineView::markedWords() const
{
    return m_delegate->markedWords();
}

QString TimelineView::quoteAt(const QPoint &point) const
{
    const QModelIndex index = indexAt(point);
    if (!index.isValid())
        return {};
    const QRect row = visualRect(index);
    const BubbleGeometry &g = geometryAt(index, row);
    return g.quote.contains(point - row.topLeft())
        ? index.data(MessageModel::ReplyToIdRole).toString()
        : QString();
}

void TimelineView::setFileCache(FileCache *files)
{
    if (m_files == files)
        return;
    if (m_files)
        m_files->disconnect(this);
    m_files = files;
    m_delegate->setFileCache(files);
    if (!files)
        return;
    const auto repaint = [this] { viewport()->update(); };
    connect(files, &FileCache::thumbnailReady, this, repaint);
    connect(files, &FileCache::downloadProgressChanged, this, repaint);
    connect(files, &FileCache::downloadFinished, this, repaint);
    connect(files, &FileCache::downloadFailed, this, repaint);
}

const BubbleGeometry &TimelineView::geometryAt(const QModelIndex &index, const QRect &row) const
{
    return m_delegate->geometry(index, QRect(row.topLeft(), QSize(viewport()->width(), 0)), font());
}

TimelineView::MediaHit TimelineView::mediaAt(const QPoint &point) const
{
    const QModelIndex index = indexAt(point);
    if (!index.isValid())
        return {};
    const QRect row = visualRect(index);
    const BubbleGeometry &g = geometryAt(index, row);
    const QPoint at = point - row.topLeft();
    if (g.uploadCancel.contains(at) && index.data(MessageModel::UploadProgressRole).toDouble() >= 0)
        return { index, 0, true };
    for (const BubbleGeometry::Media &media : g.media) {
        if (media.rect.contains(at))
            return { index, media.attachment, false };
    }
    return {};
}

QRect TimelineView::mediaRect(int row, int attachment) const
{
    const QModelIndex index = m_gate->index(row, 0);
    if (!index.isValid())
        return {};
    const QRect rowRect = visualRect(index);
    const BubbleGeometry &g = geometryAt(index, rowRect);
    for (const BubbleGeometry::Media &media : g.media) {
        if (media.attachment == attachment)
            return media.rect.translated(rowRect.topLeft());
    }
    return {};
}

QRect TimelineView::uploadCancelRect(int row) const
{
    const QModelIndex index = m_gate->index(row, 0);
    if (!index.isValid())
        return {};
    const QRect rowRect = visualRect(index);
    const BubbleGeometry &g = geometryAt(index, rowRect);
    return g.uploadCancel.isNull() ? QRect() : g.uploadCancel.translated(rowRect.topLeft());
}

TimelineView::ChipHit TimelineView::chipAt(const QPoint &point) const
{
    const QModelIndex index = indexAt(point);
    if (!index.isValid())
        return {};
    const QRect row = visualRect(index);
    const BubbleGeometry &g = geometryAt(index, row);
    for (const BubbleGeometry::Chip &chip : g.chips) {
        if (chip.rect.contains(point - row.topLeft()))
            return { index.data(MessageModel::IdRole).toString(), chip.emoji,
                chip.rect.translated(row.topLeft()) };
    }
    return {};
}

bool TimelineView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && m_model) {
        auto *help = static_cast<QHelpEvent *>(event);
        const ChipHit chip = chipAt(help->pos());
        if (!chip.emoji.isEmpty()) {
            QToolTip::showText(help->globalPos(), m_model->reactorsText(chip.messageId, chip.emoji),
                viewport(), chip.rect);
            return true;
        }
    }
    return QListView::viewportEvent(event);
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    const bool atBottom = m_stickToBottom;
    m_delegate->setViewWidth(viewport()->width());
    QListView::resizeEvent(event);
    doItemsLayout();
    if (atBottom)
        scrollToBottom();
    updateOverlays();
}

void TimelineView::updateGeometries()
{
    // A short conversation sits at the bottom, next to the composer, as in
    // every messenger: the empty space goes above it.
    const int contentHeight = contentsSize().height();
    const int spare = std::max(0, viewport()->height() + viewportMargins().top() - contentHeight);
    if (spare != viewportMargins().top())
        setViewportMargins(0, spare, 0, 0);
    QListView::updateGeometries();
    QScrollBar *bar = verticalScrollBar();
    if (m_anchor.isValid()) {
        const int moved = visualRect(m_anchor).top() - m_anchorOffset;
        m_anchor = QPersistentModelIndex();
        bar->setValue(bar->value() + moved);
    } else if (m_stickToBottom) {
        bar->setValue(bar->maximum());
    }
    requestNewerIfNearBottom();
    // New rows may be on screen without any scrolling (a short chat).
    Q_EMIT visibleMessagesChanged();
}

void TimelineView::verticalScrollbarValueChanged(int)
{
    // Deliberately not QAbstractItemView's: that fetches at the bottom.
    m_stickToBottom = isAtEnd();
    requestOlderIfNearTop();
    requestNewerIfNearBottom();
    updateOverlays();
    Q_EMIT visibleMessagesChanged();
}

void TimelineView::requestOlderIfNearTop()
{
    if (m_model && verticalScrollBar()->value() < prefetchDistance && m_model->canFetchMore({}))
        m_model->fetchMore({});
}

void TimelineView::requestNewerIfNearBottom()
{
    QScrollBar *bar = verticalScrollBar();
    if (m_model && bar->maximum() - bar->value() < prefetchDistance && m_model->canFetchNewer())
        m_model->fetchNewer();
}

void TimelineView::rememberAnchor()
{
    const QModelIndex top = indexAt(QPoint(viewport()->width() / 2, 1));
    if (!top.isValid())
        return;
    m_anchor = top;
    m_anchorOffset = visualRect(top).top();
}

TimelineView::TextHit TimelineView::hitTest(const QPoint &point) const
{
    TextHit hit;
    hit.index = indexAt(point);
    if (!hit.index.isValid())
        return hit;
    const QRect row = visualRect(hit.index);
    const BubbleGeometry &g = geometryAt(hit.index, row);
    const QPointF local = QPointF(point - row.topLeft()) - g.textOrigin;
    const QRectF textBounds = g.layout->boundingRect();
    if (!g.bubble.contains(point - row.topLeft()) || local.y() < 0
        || local.y() > textBounds.height())
        return hit;
    for (int i = 0; i < g.layout->lineCount(); ++i) {
        const QTextLine line = g.layout->lineAt(i);
        if (local.y() >= line.y() && local.y() < line.y() + line.height()) {
            hit.position = line.xToCursor(local.x());
            if (local.x() <= line.naturalTextWidth()) {
                for (const auto &link : g.links) {
                    if (hit.position >= link.start && hit.position < link.start + link.length)
                        hit.link = link.url;
                }
            }
            break;
        }
    }
    return hit;
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    if (event->button() != Qt::LeftButton) {
        QListView::mousePressEvent(event);
        return;
    }
    m_pressChose = selectByClick(indexAt(event->position().toPoint()), event->modifiers());
    if (m_pressChose) {
        m_pressIndex = QPersistentModelIndex();
        m_delegate->setSelection({}, 0, 0);
        viewport()->update();
        return;
    }
    m_pressQuote = quoteAt(event->position().toPoint());
    m_pressChip = chipAt(event->position().toPoint());
    m_pressMedia = mediaAt(event->position().toPoint());
    const TextHit hit = hitTest(event->position().toPoint());
    m_pressIndex = hit.index;
    m_pressPosition = hit.position;
    m_selecting = false;
    m_delegate->setSelection({}, 0, 0);
    viewport()->update();
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    const TextHit hit = hitTest(event->position().toPoint());
    const bool onQuote = !quoteAt(event->position().toPoint()).isEmpty()
        || !chipAt(event->position().toPoint()).emoji.isEmpty()
        || mediaAt(event->position().toPoint()).index.isValid();
    viewport()->setCursor(!hit.link.isEmpty() || onQuote ? Qt::PointingHandCursor
            : hit.position >= 0                          ? Qt::IBeamCursor
                                                         : Qt::ArrowCursor);
    if (!(event->buttons() & Qt::LeftButton) || !m_pressIndex.isValid() || m_pressPosition < 0)
        return;
    // Selection stays within the message it started in.
    int position = hit.position;
    if (hit.index != m_pressIndex) {
        const QString text = m_pressIndex.data(MessageModel::TextRole).toString();
        position
            = event->position().y() > visualRect(m_pressIndex).center().y() ? int(text.size()) : 0;
    }
    if (position < 0)
        return;
    m_selecting = position != m_pressPosition;
    m_delegate->setSelection(m_pressIndex, m_pressPosition, position);
    viewport()->update();
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && !m_selecting && !m_pressChose) {
        const TextHit hit = hitTest(event->position().toPoint());
        if (!hit.link.isEmpty() && hit.index == m_pressIndex)
            QDesktopServices::openUrl(QUrl(hit.link));
        const QString quote = quoteAt(event->position().toPoint());
        if (!quote.isEmpty() && quote == m_pressQuote)
            showMessage(quote);
        const ChipHit chip = chipAt(event->position().toPoint());
        if (!chip.emoji.isEmpty() && chip.messageId == m_pressChip.messageId
            && chip.emoji == m_pressChip.emoji)
            Q_EMIT reactionRequested(chip.messageId, chip.emoji);
        const MediaHit media = mediaAt(event->position().toPoint());
        if (media.index.isValid() && media.index == m_pressMedia.index
            && media.attachment == m_pressMedia.attachment && media.cancel == m_pressMedia.cancel) {
            const auto files
                = qvariant_cast<QList<Attachment>>(media.index.data(MessageModel::AttachmentsRole));
            if (media.cancel) {
                Q_EMIT uploadCancelRequested(
                    media.index.data(MessageModel::ClientIdRole).toString());
            } else if (media.attachment < files.size()
                && !files.at(media.attachment).id.isEmpty()) {
                const Attachment &file = files.at(media.attachment);
                if (file.isImage())
                    Q_EMIT imageActivated(file);
                else
                    Q_EMIT fileActivated(file);
            }
        }
    }
    m_pressMedia = {};
    m_pressQuote.clear();
    m_pressChip = {};
    m_selecting = false;
    m_pressChose = false;
    QListView::mouseReleaseEvent(event);
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *event)
{
    // Double-click selects the word under the pointer, as in any text.
    const TextHit hit = hitTest(event->position().toPoint());
    if (hit.position < 0)
        return;
    const QString text = hit.index.data(MessageModel::TextRole).toString();
    int start = hit.position;
    int end = hit.position;
    while (start > 0 && text.at(start - 1).isLetterOrNumber())
        --start;
    while (end < text.size() && text.at(end).isLetterOrNumber())
        ++end;
    m_delegate->setSelection(hit.index, start, end);
    viewport()->update();
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        // Chosen messages, whole; else the text selected in one.
        const QString chosen = selectedMessagesText();
        copyToClipboard(chosen.isEmpty() ? m_delegate->selectedText() : chosen);
        return;
    }
    if (event->key() == Qt::Key_Escape && selectionModel()->hasSelection()) {
        clearMessageSelection();
        return;
    }
    // The message menu from the keyboard (Shift+F10 as on Windows and GNOME).
    if (event->key() == Qt::Key_Menu
        || (event->key() == Qt::Key_F10 && event->modifiers() == Qt::ShiftModifier)) {
        QContextMenuEvent menu(QContextMenuEvent::Keyboard, QPoint(), QPoint());
        contextMenuEvent(&menu);
        return;
    }
    QListView::keyPressEvent(event);
}

void TimelineView::paintFocusFrame(QWidget *surface)
{
    // One frame around the whole view, drawn in parts: on the view itself
    // (the space above the messages when they do not fill it) and on the
    // viewport over it.
    QPainter painter(surface);
    painter.setPen(QPen(Theme::accent, 2));
    painter.setBrush(Qt::NoBrush);
    const QPoint offset = surface == this ? QPoint() : surface->mapTo(this, QPoint());
    painter.drawRect(rect().adjusted(1, 1, -1, -1).translated(-offset));
}

bool TimelineView::event(QEvent *event)
{
    const bool handled = QListView::event(event);
    if (event->type() == QEvent::Paint && hasFocus())
        paintFocusFrame(this);
    return handled;
}

void TimelineView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    if (hasFocus())
        paintFocusFrame(viewport());
}

void TimelineView::focusInEvent(QFocusEvent *event)
{
    QListView::focusInEvent(event);
    update();
    viewport()->update();
}

void TimelineView::focusOutEvent(QFocusEvent *event)
{
    QListView::focusOutEvent(event);
    update();
    viewport()->update();
}

void TimelineView::scrollContentsBy(int dx, int dy)
{
    QListView::scrollContentsBy(dx, dy);
    // Scrolling moves the pixels, the frame along with them: draw it anew.
    if (hasFocus())
        viewport()->update();
}

QModelIndex TimelineView::keyboardMenuTarget() const
{
    const QRect screen = viewport()->rect();
    // The view has no visible current row (QListView's moves unseen): the
    // message a jump just tinted, else what the user sees last.
    const QModelIndex tinted = m_delegate->highlighted();
    if (tinted.isValid() && visualRect(tinted).intersects(screen))
        return tinted;
    for (int row = m_gate->rowCount() - 1; row >= 0; --row) {
        const QModelIndex index = m_gate->index(row, 0);
        const QRect rect = visualRect(index);
        if (rect.bottom() < screen.top())
            break;
        if (rect.intersects(screen) && !index.data(MessageModel::ServiceRole).toBool())
            return index;
    }
    return {};
}

void TimelineView::contextMenuEvent(QContextMenuEvent *event)
{
    if (event->reason() != QContextMenuEvent::Keyboard) {
        openMenu(indexAt(event->pos()), event->pos(), event->globalPos());
        return;
    }
    const QModelIndex index = keyboardMenuTarget();
    if (!index.isValid())
        return;
    const QRect rect = visualRect(index).intersected(viewport()->rect());
    const QPoint point(rect.center().x(), rect.top() + std::min(rect.height() / 2, 20));
    openMenu(index, point, viewport()->mapToGlobal(point));
}

void TimelineView::showReactionPicker(const QString &messageId, const QPoint &globalPos)
{
    auto *picker = new ReactionPicker(ReactionPicker::moreEmoji(), 8, this);
    picker->setObjectName(u"reactionPicker"_s);
    picker->setWindowFlag(Qt::Popup);
    picker->setAttribute(Qt::WA_DeleteOnClose);
    connect(picker, &ReactionPicker::picked, this, [this, picker, messageId](const QString &emoji) {
        picker->close();
        Q_EMIT reactionRequested(messageId, emoji);
    });
    picker->adjustSize();
    picker->move(globalPos);
    picker->show();
    picker->setFocus(Qt::PopupFocusReason);
}

void TimelineView::openMenu(const QModelIndex &index, const QPoint &point, const QPoint &globalPos)
{
    if (!index.isValid())
        return;
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    const QString text = index.data(MessageModel::TextRole).toString();
    const QString id = index.data(MessageModel::IdRole).toString();
    const QString selected = m_delegate->selectionIndex() == index ? selectedText() : QString();
    // Not exec(): the menu must not hold a nested event loop (or a test) while open.
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    if (!deleted && !id.isEmpty()) {
        auto *quickBar = new ReactionPicker(
            ReactionPicker::quickEmoji(), int(ReactionPicker::quickEmoji().size()), menu);
        quickBar->setObjectName(u"quickReactions"_s);
        connect(quickBar, &ReactionPicker::picked, this, [this, menu, id](const QString &emoji) {
            menu->close();
            Q_EMIT reactionRequested(id, emoji);
        });
        auto *quickAction = new QWidgetAction(menu);
        quickAction->setDefaultWidget(quickBar);
        menu->addAction(quickAction);
        menu->addAction(
            tr("React…"), this, [this, id, globalPos] { showReactionPicker(id, globalPos); });
        menu->addSeparator();
        menu->addAction(QIcon(u":/icons/reply.svg"_s), tr("Reply"), this,
            [this, id, sender = index.data(MessageModel::SenderNameRole).toString(),
                quoted = Presentation::messageSummary(text,
                    qvariant_cast<QList<Attachment>>(index.data(MessageModel::AttachmentsRole)))] {
                Q_EMIT replyRequested(id, sender, quoted);
            });
        // The chosen messages when this one is among them, else just this one.
        const bool chosen = selectionModel()->isSelected(index);
        menu->addAction(QIcon(u":/icons/forward.svg"_s),
            chosen ? tr("Forward Selected") : tr("Forward"), this, [this, id, chosen] {
                Q_EMIT forwardRequested(chosen ? selectedMessageIds() : QStringList { id });
            });
        if (m_canPin) {
            const bool pinned = id == m_pinnedId;
            menu->addAction(QIcon(u":/icons/pin.svg"_s), pinned ? tr("Unpin") : tr("Pin"), this,
                [this, id, pinned] { Q_EMIT pinRequested(pinned ? QString() : id); });
        }
        if (isSelectable(index)) {
            menu->addAction(chosen ? tr("Deselect") : tr("Select"), this,
                [this, row = index.row()] { toggleMessageSelection(row); });
        }
        menu->addSeparator();
    }
    if (!selected.isEmpty()) {
        menu->addAction(QIcon(u":/icons/copy.svg"_s), tr("Copy Selected Text"), this,
            [this, selected] { copyToClipboard(selected); });
    }
    if (!deleted) {
        menu->addAction(QIcon(u":/icons/copy.svg"_s), tr("Copy Text"), this,
            [this, text] { copyToClipboard(text); });
    }
    const MediaHit media = mediaAt(point);
    const auto files = qvariant_cast<QList<Attachment>>(index.data(MessageModel::AttachmentsRole));
    if (media.index == index && !media.cancel && media.attachment >= 0
        && media.attachment < files.size() && !files.at(media.attachment).id.isEmpty()) {
        menu->addAction(tr("Save As…"), this,
            [this, file = files.at(media.attachment)] { Q_EMIT saveFileRequested(file); });
    }
    const TextHit hit = hitTest(point);
    if (!hit.link.isEmpty()) {
        menu->addAction(tr("Copy Link"), this, [this, link = hit.link] { copyToClipboard(link); });
    }
    const bool mine = index.data(MessageModel::IsMineRole).toBool();
    const bool failed = index.data(MessageModel::DeliveryRole).value<MessageModel::Delivery>()
        == MessageModel::Delivery::Failed;
    if (mine && failed) {
        const QString clientId = index.data(MessageModel::ClientIdRole).toString();
        menu->addSeparator();
        menu->addAction(QIcon(u":/icons/send.svg"_s), tr("Retry"), this,
            [this, clientId] { Q_EMIT retryRequested(clientId); });
        menu->addAction(QIcon(u":/icons/edit.svg"_s), tr("Edit"), this,
            [this, clientId, text] { Q_EMIT editFailedRequested(clientId, text); });
        menu->addAction(QIcon(u":/icons/delete.svg"_s), tr("Delete"), this,
            [this, clientId] { Q_EMIT discardRequested(clientId); });
    } else if (mine && !deleted && !id.isEmpty()) {
        menu->addSeparator();
        menu->addAction(QIcon(u":/icons/edit.svg"_s), tr("Edit"), this,
            [this, id, text] { Q_EMIT editRequested(id, text); });
        menu->addAction(QIcon(u":/icons/delete.svg"_s), tr("Delete"), this,
            [this, id] { Q_EMIT deleteRequested(id); });
    }
    if (menu->isEmpty())
        delete menu;
    else
        menu->popup(globalPos);
}

bool TimelineView::isSelectable(const QModelIndex &index) const
{
    return index.isValid() && !index.data(MessageModel::IdRole).toString().isEmpty()
        && !index.data(MessageModel::DeletedRole).toBool()
        && !index.data(MessageModel::ServiceRole).toBool();
}

bool TimelineView::selectByClick(const QModelIndex &index, Qt::KeyboardModifiers modifiers)
{
    const bool choosing = modifiers & (Qt::ControlModifier | Qt::ShiftModifier);
    if (!choosing && !selectionModel()->hasSelection())
        return false;
    if (!isSelectable(index))
        return choosing; // a modified click elsewhere does nothing else either
    if ((modifiers & Qt::ShiftModifier) && m_selectionAnchor.isValid()) {
        const int from = std::min(m_selectionAnchor.row(), index.row());
        const int to = std::max(m_selectionAnchor.row(), index.row());
        QItemSelection range;
        for (int row = from; row <= to; ++row) {
            const QModelIndex at = m_gate->index(row, 0);
            if (isSelectable(at))
                range.select(at, at);
        }
        selectionModel()->select(range, QItemSelectionModel::Select);
    } else {
        toggleMessageSelection(index.row());
    }
    viewport()->update();
    return true;
}

void TimelineView::toggleMessageSelection(int row)
{
    const QModelIndex index = m_gate->index(row, 0);
    if (!isSelectable(index))
        return;
    m_selectionAnchor = index;
    selectionModel()->select(index, QItemSelectionModel::Toggle);
    viewport()->update();
}

void TimelineView::clearMessageSelection()
{
    selectionModel()->clear();
    m_selectionAnchor = QPersistentModelIndex();
    viewport()->update();
    Q_EMIT messageSelectionChanged(0);
}

QStringList TimelineView::selectedMessageIds() const
{
    QModelIndexList chosen = selectionModel()->selectedIndexes();
    std::sort(chosen.begin(), chosen.end(),
        [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList ids;
    for (const QModelIndex &index : std::as_const(chosen)) {
        if (isSelectable(index))
            ids.append(index.data(MessageModel::IdRole).toString());
    }
    return ids;
}

QString TimelineView::selectedMessagesText() const
{
    QStringList texts;
    for (const QString &id : selectedMessageIds()) {
        const int row = m_model ? m_model->rowOfId(id) : -1;
        if (row >= 0)
            texts.append(m_model->index(row).data(MessageModel::TextRole).toString());
    }
    return texts.join(u"\n\n"_s);
}

bool TimelineView::selectedMessagesAreMine() const
{
    const QModelIndexList chosen = selectionModel()->selectedIndexes();
    return !chosen.isEmpty()
        && std::all_of(chosen.cbegin(), chosen.cend(),
            [](const QModelIndex &index) { return index.data(MessageModel::IsMineRole).toBool(); });
}

void TimelineView::setPinning(bool allowed, const QString &pinnedMessageId)
{
    m_canPin = allowed;
    m_pinnedId = pinnedMessageId;
}

void TimelineView::copyToClipboard(const QString &text) const
{
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

} // namespace Messenger::Client
