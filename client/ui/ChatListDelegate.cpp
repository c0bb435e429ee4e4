#include "ChatListDelegate.h"

#include "Theme.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"
#include "client/models/MessageSearchModel.h"
#include "client/models/Presentation.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QPainter>
#include <QTextLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {

// A grey mark (group, muted, pinned) drawn white on the selected row's blue,
// where grey was barely visible.
void paintMark(QPainter *painter, const QIcon &icon, const QRect &rect, bool selected)
{
    if (!selected) {
        icon.paint(painter, rect);
        return;
    }
    const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    QPixmap white = icon.pixmap(rect.size(), ratio);
    QPainter tint(&white);
    tint.setCompositionMode(QPainter::CompositionMode_SourceIn);
    tint.fillRect(white.rect(), Qt::white);
    tint.end();
    painter->drawPixmap(rect, white);
}
constexpr int padding = 8;
constexpr int avatarSize = 46;
constexpr int onlineDotSize = 13;
constexpr int focusFrameWidth = 2;

// The first of the people rows carries the "People" caption above it.
bool startsPeopleSection(const QModelIndex &index)
{
    if (index.data(ChatListModel::PersonIdRole).toString().isEmpty())
        return false;
    return index.row() == 0
        || index.siblingAtRow(index.row() - 1)
               .data(ChatListModel::PersonIdRole)
               .toString()
               .isEmpty();
}

// A row of the "Messages" section: a message found, or the search's status.
bool isMessageSection(const QModelIndex &index)
{
    return !index.data(ChatSearchModel::FoundMessageIdRole).toString().isEmpty()
        || !index.data(ChatSearchModel::SearchStatusRole).toString().isEmpty();
}

bool startsMessagesSection(const QModelIndex &index)
{
    return isMessageSection(index)
        && (index.row() == 0 || !isMessageSection(index.siblingAtRow(index.row() - 1)));
}
} // namespace

ChatListDelegate::ChatListDelegate(ClientSession *session, QAbstractItemView *view)
    : QStyledItemDelegate(view)
    , m_session(session)
{
    if (session && view)
        connect(
            session, &ClientSession::avatarReady, view->viewport(), qOverload<>(&QWidget::update));
}

QImage ChatListDelegate::photoOf(const QModelIndex &index) const
{
    return m_session ? m_session->avatar(index.data(ChatListModel::AvatarUrlRole).toString())
                     : QImage();
}

QSize ChatListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (isMessageSection(index)) {
        const bool status = !index.data(ChatSearchModel::SearchStatusRole).toString().isEmpty();
        return { option.rect.width(),
            (status ? statusRowHeight : rowHeight)
                + (startsMessagesSection(index) ? sectionHeight : 0) };
    }
    return { option.rect.width(), rowHeight + (startsPeopleSection(index) ? sectionHeight : 0) };
}

QRect ChatListDelegate::paintCaption(QPainter *painter, const QStyleOptionViewItem &option,
    const QRect &rect, const QString &caption)
{
    const QRect area(rect.left(), rect.top(), rect.width(), sectionHeight);
    painter->fillRect(area, Theme::hoverRow);
    painter->setPen(Theme::textSecondary);
    painter->setFont(Theme::withPointSizeDelta(option.font, -0.5, true));
    painter->drawText(
        area.adjusted(padding * 2, 0, -padding, 0), Qt::AlignLeft | Qt::AlignVCenter, caption);
    return rect.adjusted(0, sectionHeight, 0, 0);
}

void ChatListDelegate::paintFoundMessage(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    QRect rect = option.rect;
    if (startsMessagesSection(index))
        rect = paintCaption(painter, option, rect, tr("Messages"));
    const QString status = index.data(ChatSearchModel::SearchStatusRole).toString();
    if (!status.isEmpty()) {
        painter->setPen(Theme::textSecondary);
        painter->setFont(option.font);
        painter->drawText(rect.adjusted(padding * 2, 0, -padding, 0),
            Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(option.font)
                .elidedText(status, Qt::ElideRight, rect.width() - padding * 3));
        painter->restore();
        return;
    }
    const bool selected = option.state & QStyle::State_Selected;
    if (selected)
        painter->fillRect(rect, Theme::selectedRow);
    else if (option.state & QStyle::State_MouseOver)
        painter->fillRect(rect, Theme::hoverRow);
    const QString chatName = index.data(ChatListModel::TitleRole).toString();
    Theme::paintAvatar(painter,
        QRect(rect.left() + padding, rect.top() + (rect.height() - avatarSize) / 2, avatarSize,
            avatarSize),
        index.data(ChatListModel::AvatarIdRole).toString(), chatName, photoOf(index));
    const QFont base = option.font;
    const QFont smallFont = Theme::withPointSizeDelta(base, -0.5);
    const int textLeft = rect.left() + padding * 2 + avatarSize;
    const int textRight = rect.right() - padding - 2;
    const int firstLineTop = rect.top() + 10;
    const int secondLineTop = rect.top() + rect.height() / 2 + 3;

    // Top: the chat's name, and when the message was sent.
    const QString time = Presentation::chatListTime(
        index.data(ChatListModel::ActivityTimeRole).toDateTime(), QDateTime::currentDateTime());
    const QFontMetrics smallMetrics(smallFont);
    const int timeWidth = smallMetrics.horizontalAdvance(time);
    painter->setFont(smallFont);
    painter->setPen(selected ? QColor(Qt::white) : Theme::textSecondary);
    painter->drawText(
        QPoint(textRight - timeWidth, firstLineTop + smallMetrics.ascent() + 1), time);
    painter->setPen(selected ? QColor(Qt::white) : Theme::textPrimary);
    drawElided(painter, QPoint(textLeft, firstLineTop), chatName,
        Theme::withPointSizeDelta(base, 0.5, true), textRight - timeWidth - padding - textLeft);

    // Bottom: "Sender: " and the snippet, its matching words bold. The
    // snippet starts near its first match, so clipping loses little.
    const QString sender = index.data(ChatListModel::PreviewSenderRole).toString();
    int snippetLeft = textLeft;
    if (!sender.isEmpty()) {
        const QString prefix = sender + u": "_s;
        painter->setPen(selected ? QColor(Qt::white) : Theme::accentText);
        drawElided(painter, QPoint(textLeft, secondLineTop), prefix, base, textRight - textLeft);
        snippetLeft += std::min(QFontMetrics(base).horizontalAdvance(prefix), textRight - textLeft);
    }
    if (snippetLeft < textRight) {
        QTextLayout layout(index.data(ChatListModel::PreviewRole).toString(), base);
        QFont bold = base;
        bold.setBold(true);
        QTextCharFormat strong;
        strong.setFont(bold);
        QList<QTextLayout::FormatRange> formats;
        const auto highlights
            = index.data(ChatSearchModel::SnippetHighlightsRole).value<QList<TextRange>>();
        for (const TextRange &range : highlights)
            formats.append({ int(range.start), int(range.length), strong });
        layout.setFormats(formats);
        QTextOption noWrap;
        noWrap.setWrapMode(QTextOption::NoWrap);
        layout.setTextOption(noWrap);
        layout.beginLayout();
        layout.createLine();
        layout.endLayout();
        painter->setPen(selected ? QColor(Qt::white) : Theme::textSecondary);
        painter->setClipRect(
            QRect(snippetLeft, secondLineTop, textRight - snippetLeft, rect.bottom()));
        layout.draw(painter, QPoint(snippetLeft, secondLineTop));
    }
    painter->setClipping(false);
    paintFocusFrame(painter, option, rect);
    painter->restore();
}

void ChatListDelegate::paintFocusFrame(
    QPainter *painter, const QStyleOptionViewItem &option, const QRect &rect)
{
    // The keyboard's place in the list, visible whether or not the row is
    // also the selected (open) one.
    if (!(option.state & QStyle::State_HasFocus))
        return;
    painter->save();
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(QPen(selected ? Theme::accent.darker(150) : Theme::accent, focusFrameWidth));
    painter->setBrush(Qt::NoBrush);
    const int inset = focusFrameWidth / 2;
    painter->drawRect(rect.adjusted(inset, inset, -inset - 1, -inset - 1));
    painter->restore();
}

void ChatListDelegate::paintPerson(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    QRect rect = option.rect;
    if (startsPeopleSection(index))
        rect = paintCaption(painter, option, rect, tr("People"));
    const bool selected = option.state & QStyle::State_Selected;
    if (selected)
        painter->fillRect(rect, Theme::selectedRow);
    else if (option.state & QStyle::State_MouseOver)
        painter->fillRect(rect, Theme::hoverRow);
    const QString name = index.data(ChatListModel::TitleRole).toString();
    Theme::paintAvatar(painter,
        QRect(rect.left() + padding, rect.top() + (rect.height() - avatarSize) / 2, avatarSize,
            avatarSize),
        index.data(ChatListModel::AvatarIdRole).toString(), name, photoOf(index));
    const int textLeft = rect.left() + padding * 2 + avatarSize;
    const int textWidth = rect.right() - padding - 2 - textLeft;
    painter->setPen(selected ? QColor(Qt::white) : Theme::textPrimary);
    drawElided(painter, QPoint(textLeft, rect.top() + 10), name,
        Theme::withPointSizeDelta(option.font, 0.5, true), textWidth);
    painter->setPen(selected ? QColor(Qt::white) : Theme::textSecondary);
    drawElided(painter, QPoint(textLeft, rect.top() + rect.height() / 2 + 3),
        index.data(ChatListModel::PreviewRole).toString(), option.font, textWidth);
    paintFocusFrame(painter, option, rect);
    painter->restore();
}

void ChatListDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (!index.data(ChatListModel::PersonIdRole).toString().isEmpty()) {
        paintPerson(painter, option, index);
        return;
    }
    if (isMessageSection(index)) {
        paintFoundMessage(painter, option, index);
        return;
    }
    painter->save();
    const QRect rect = option.rect;
    const bool selected = option.state & QStyle::State_Selected;
    if (selected)
        painter->fillRect(rect, Theme::selectedRow);
    else if (option.state & QStyle::State_MouseOver)
        painter->fillRect(rect, Theme::hoverRow);

    const QString title = index.data(ChatListModel::TitleRole).toString();
    const QRect avatar(rect.left() + padding, rect.top() + (rect.height() - avatarSize) / 2,
        avatarSize, avatarSize);
    Theme::paintAvatar(
        painter, avatar, index.data(ChatListModel::AvatarIdRole).toString(), title, photoOf(index));
    if (index.data(ChatListModel::OnlineRole).toBool()) {
        // The other person is online: a green dot on the avatar's corner, in
        // a ring of the row's background so it stands apart from the circle.
        const QRectF dot(avatar.right() - onlineDotSize + 1, avatar.bottom() - onlineDotSize + 1,
            onlineDotSize, onlineDotSize);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(selected ? Theme::selectedRow : QColor(Qt::white), 2));
        painter->setBrush(Theme::unreadBadge);
        painter->drawEllipse(dot);
    }

    const QFont base = option.font;
    const QFont titleFont = Theme::withPointSizeDelta(base, 0.5, true);
    const QFont smallFont = Theme::withPointSizeDelta(base, -0.5);
    const QFontMetrics titleMetrics(titleFont);
    const QFontMetrics smallMetrics(smallFont);
    const int textLeft = rect.left() + padding * 2 + avatarSize;
    const int textRight = rect.right() - padding - 2;
    const int firstLineTop = rect.top() + 10;
    const int secondLineTop = rect.top() + rect.height() / 2 + 3;

    // Top right: the time, and the tick of my last message.
    const QString time = Presentation::chatListTime(
        index.data(ChatListModel::ActivityTimeRole).toDateTime(), QDateTime::currentDateTime());
    const int timeWidth = smallMetrics.horizontalAdvance(time);
    painter->setFont(smallFont);
    painter->setPen(selected ? QColor(Qt::white) : Theme::textSecondary);
    painter->drawText(
        QPoint(textRight - timeWidth, firstLineTop + smallMetrics.ascent() + 1), time);
    int titleRight = textRight - timeWidth - padding;
    if (index.data(ChatListModel::LastMessageIsMineRole).toBool()) {
        const bool read = index.data(ChatListModel::LastMessageReadRole).toBool();
        static const QIcon tick(u":/icons/tick.svg"_s);
        static const QIcon doubleTick(u":/icons/double-tick.svg"_s);
        static const QIcon tickOnSelection(u":/icons/tick-white.svg"_s);
        static const QIcon doubleTickOnSelection(u":/icons/double-tick-white.svg"_s);
        const QRect tickRect(titleRight - 16, firstLineTop, 16, 16);
        static const QIcon clock(u":/icons/clock.svg"_s);
        if (index.data(ChatListModel::LastMessagePendingRole).toBool())
            clock.paint(painter, tickRect);
        else if (selected)
            (read ? doubleTickOnSelection : tickOnSelection).paint(painter, tickRect);
        else
            (read ? doubleTick : tick).paint(painter, tickRect);
        titleRight = tickRect.left() - 2;
    }

    // Top left: the name, with a group mark.
    int titleLeft = textLeft;
    if (index.data(ChatListModel::IsGroupRole).toBool()) {
        static const QIcon group(u":/icons/group.svg"_s);
        paintMark(painter, group, QRect(titleLeft, firstLineTop + 1, 16, 16), selected);
        titleLeft += 19;
    }
    // A muted chat: a crossed-out bell right after the name (room kept for it).
    const bool muted = index.data(ChatListModel::MutedRole).toBool();
    const int bellWidth = muted ? 18 : 0;
    painter->setPen(selected ? QColor(Qt::white) : Theme::textPrimary);
    const int titleWidth = titleRight - titleLeft - bellWidth;
    drawElided(painter, QPoint(titleLeft, firstLineTop), title, titleFont, titleWidth);
    if (muted) {
        static const QIcon bellOff(u":/icons/bell-off.svg"_s);
        const int nameWidth
            = std::min(titleWidth, QFontMetrics(titleFont).horizontalAdvance(title));
        paintMark(
            painter, bellOff, QRect(titleLeft + nameWidth + 4, firstLineTop + 2, 14, 14), selected);
    }

    // Bottom right: the unread badge (grey in a muted chat; a blank one for
    // a chat marked unread), and a pin before it for a pinned chat.
    const qint64 unread = index.data(ChatListModel::UnreadCountRole).toLongLong();
    const bool markedUnread = index.data(ChatListModel::MarkedUnreadRole).toBool();
    int previewRight = textRight;
    if (unread > 0 || markedUnread) {
        const QString count = unread == 0 ? QString()
            : unread > 999                ? u"999+"_s
                                          : QString::number(unread);
        const QFont badgeFont = Theme::withPointSizeDelta(base, -1, true);
        const int badgeHeight = 20;
        const int badgeWidth
            = std::max(badgeHeight, QFontMetrics(badgeFont).horizontalAdvance(count) + 12);
        const QRect badge(textRight - badgeWidth + 1, secondLineTop - 1, badgeWidth, badgeHeight);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(selected ? QColor(Qt::white)
                : muted            ? Theme::mutedBadge
                                   : Theme::unreadBadge);
        painter->drawRoundedRect(badge, badgeHeight / 2.0, badgeHeight / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(selected ? Theme::selectedRow : QColor(Qt::white));
        painter->drawText(badge, Qt::AlignCenter, count);
        previewRight = badge.left() - padding;
    }
    // An unread mention: an `@` before the count, in the accent colour even
    // in a muted chat (a mention notifies there too), as in Telegram.
    if (index.data(ChatListModel::UnreadMentionsRole).toLongLong() > 0) {
        const int size = 20;
        const QRect mention(previewRight - size + 1, secondLineTop - 1, size, size);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(selected ? QColor(Qt::white) : Theme::accent);
        painter->drawEllipse(mention);
        painter->setFont(Theme::withPointSizeDelta(base, -1, true));
        painter->setPen(selected ? Theme::selectedRow : QColor(Qt::white));
        painter->drawText(mention.adjusted(0, -1, 0, -1), Qt::AlignCenter, u"@"_s);
        previewRight = mention.left() - padding / 2;
    }
    if (index.data(ChatListModel::PinnedRole).toBool()) {
        static const QIcon pin(u":/icons/pin.svg"_s);
        const QRect pinRect(previewRight - 17, secondLineTop, 18, 18);
        paintMark(painter, pin, pinRect, selected);
        previewRight = pinRect.left() - padding / 2;
    }

    // Bottom left: who is typing, else the draft, else the last message.
    const QString typing = index.data(ChatListModel::TypingRole).toString();
    const QString draft = index.data(ChatListModel::DraftRole).toString();
    QString prefix;
    QString preview;
    QColor prefixColor = selected ? QColor(Qt::white) : Theme::accentText;
    QColor previewColor = selected ? QColor(Qt::white) : Theme::textSecondary;
    if (!typing.isEmpty()) {
        preview = typing;
        previewColor = prefixColor;
    } else if (!draft.isEmpty() && !selected) {
        prefix = tr("Draft:") + u' ';
        prefixColor = Theme::draft;
        preview = QString(draft).replace(u'\n', u' ');
    } else {
        const QString sender = index.data(ChatListModel::PreviewSenderRole).toString();
        if (!sender.isEmpty())
            prefix = sender + u": "_s;
        preview = index.data(ChatListModel::PreviewRole).toString();
    }
    int previewLeft = textLeft;
    if (!prefix.isEmpty()) {
        painter->setPen(prefixColor);
        drawElided(
            painter, QPoint(previewLeft, secondLineTop), prefix, base, previewRight - previewLeft);
        previewLeft += QFontMetrics(base).horizontalAdvance(prefix);
    }
    painter->setPen(previewColor);
    drawElided(
        painter, QPoint(previewLeft, secondLineTop), preview, base, previewRight - previewLeft);
    paintFocusFrame(painter, option, rect);
    painter->restore();
}

void ChatListDelegate::drawElided(QPainter *painter, const QPoint &topLeft, const QString &text,
    const QFont &font, int width) const
{
    if (width <= 0 || text.isEmpty())
        return;
    const QString key = font.key() + u'\x1f' + QString::number(width) + u'\x1f' + text;
    QStaticText *laidOut = m_texts.object(key);
    if (!laidOut) {
        laidOut = new QStaticText(QFontMetrics(font).elidedText(text, Qt::ElideRight, width));
        laidOut->setTextFormat(Qt::PlainText);
        laidOut->setPerformanceHint(QStaticText::AggressiveCaching);
        laidOut->prepare(QTransform(), font);
        m_texts.insert(key, laidOut);
    }
    painter->setFont(font);
    painter->drawStaticText(topLeft, *laidOut);
}

} // namespace Messenger::Client
