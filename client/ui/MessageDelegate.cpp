#include "MessageDelegate.h"

#include "Theme.h"
#include "client/api/FileTransfer.h"
#include "client/models/FileCache.h"
#include "client/models/MessageModel.h"
#include "client/models/Presentation.h"
#include "shared/Search.h"

#include <QIcon>
#include <QLocale>
#include <QMimeDatabase>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QStyle>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
constexpr int sideMargin = 12;
constexpr int paddingX = 10;
constexpr int paddingY = 6;
constexpr int rowSpacing = 3;
constexpr int separatorHeight = 26;
constexpr int unreadDividerHeight = 26;
constexpr int tickSize = 16;
constexpr qreal radius = 12;
constexpr int quoteBarWidth = 3;
constexpr int quotePaddingX = 8;
constexpr int quotePaddingY = 3;
constexpr int quoteGap = 4; // between the quote and the text
constexpr int chipPaddingX = 8;
constexpr int chipPaddingY = 4;
constexpr int chipInnerGap = 4; // between a chip's emoji and its count
constexpr int chipSpacing = 6; // between chips, and between their rows
constexpr int chipsGap = 6; // between the text and the chips
constexpr int imageMaxWidth = 320;
constexpr int imageMaxHeight = 360;
constexpr int imageMinSide = 48;
constexpr int fileRowHeight = 44;
constexpr int fileIconSize = 40;
constexpr int mediaSpacing = 4; // between files
constexpr int mediaGap = 6; // between the files and the text
constexpr int uploadCircle = 40;

QList<Attachment> attachmentsOf(const QModelIndex &index)
{
    return qvariant_cast<QList<Attachment>>(index.data(MessageModel::AttachmentsRole));
}

// An image's size in the bubble: its own, made smaller to fit (never larger).
QSize imageSize(const Attachment &file, int maxWidth)
{
    const QSize natural(qMax(1, file.width.value_or(1)), qMax(1, file.height.value_or(1)));
    const QSize bounds(qMin(maxWidth, imageMaxWidth), imageMaxHeight);
    QSize size = natural;
    if (size.width() > bounds.width() || size.height() > bounds.height())
        size = natural.scaled(bounds, Qt::KeepAspectRatio);
    return size.expandedTo(QSize(imageMinSide, imageMinSide)).boundedTo(bounds);
}

QFont fileNameFont(const QFont &font)
{
    return Theme::withPointSizeDelta(font, 0, true);
}

QString fileRowSizeText(const Attachment &file, double downloaded)
{
    if (downloaded >= 0)
        return MessageDelegate::tr("%1 of %2")
            .arg(formatFileSize(qint64(downloaded * double(file.size))), formatFileSize(file.size));
    return formatFileSize(file.size);
}

QIcon fileIcon(const QString &mimeType)
{
    static const QIcon fallback(u":/icons/file.svg"_s);
    const QMimeType type = QMimeDatabase().mimeTypeForName(mimeType);
    return type.isValid() ? QIcon::fromTheme(type.iconName(), fallback) : fallback;
}

// A circle with how much is done as an arc and ✕ in the middle (cancel).
void paintProgressCircle(QPainter *painter, const QRect &rect, double progress)
{
    painter->save();
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 110));
    painter->drawEllipse(rect);
    QPen arc(Qt::white, 2.5);
    arc.setCapStyle(Qt::RoundCap);
    painter->setPen(arc);
    painter->setBrush(Qt::NoBrush);
    const QRectF ring = QRectF(rect).adjusted(4, 4, -4, -4);
    painter->drawArc(ring, 90 * 16, -int(std::clamp(progress, 0.02, 1.0) * 360 * 16));
    const QRectF cross = QRectF(rect).adjusted(
        rect.width() * 0.36, rect.height() * 0.36, -rect.width() * 0.36, -rect.height() * 0.36);
    painter->drawLine(cross.topLeft(), cross.bottomRight());
    painter->drawLine(cross.topRight(), cross.bottomLeft());
    painter->restore();
}

QList<BubbleGeometry::Link> findLinks(const QString &text)
{
    static const QRegularExpression url(uR"((?:https?://|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]])"_s,
        QRegularExpression::CaseInsensitiveOption);
    QList<BubbleGeometry::Link> links;
    for (auto it = url.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        QString target = match.captured();
        if (target.startsWith(u"www."_s, Qt::CaseInsensitive))
            target.prepend(u"https://"_s);
        links.append({ int(match.capturedStart()), int(match.capturedLength()), target });
    }
    return links;
}

QIcon deliveryIcon(MessageModel::Delivery delivery)
{
    static const QIcon pending(u":/icons/clock.svg"_s);
    static const QIcon failed(u":/icons/error.svg"_s);
    static const QIcon sent(u":/icons/tick.svg"_s);
    static const QIcon read(u":/icons/double-tick.svg"_s);
    switch (delivery) {
    case MessageModel::Delivery::Pending:
        return pending;
    case MessageModel::Delivery::Failed:
        return failed;
    case MessageModel::Delivery::Sent:
        return sent;
    case MessageModel::Delivery::Read:
        return read;
    }
    return sent;
}

// What the layout and height caches know a row by. Service lines have no id:
// their place and text tell them apart.
QString rowIdentity(const QModelIndex &index)
{
    if (index.data(MessageModel::ServiceRole).toBool())
        return u"\x1eservice"_s + index.data(MessageModel::SeqRole).toString() + u'\x1f'
            + index.data(MessageModel::TextRole).toString();
    return index.data(MessageModel::IdRole).toString()
        + index.data(MessageModel::ClientIdRole).toString();
}

// A reply's quote: who wrote the original and its text on one line.
struct Quote
{
    QString sender;
    QString text;
    bool deleted = false;
};

std::optional<Quote> quoteOf(const QModelIndex &index)
{
    if (index.data(MessageModel::ReplyToIdRole).toString().isEmpty()
        || index.data(MessageModel::DeletedRole).toBool())
        return std::nullopt;
    const bool deleted = index.data(MessageModel::ReplyDeletedRole).toBool();
    return Quote { index.data(MessageModel::ReplySenderNameRole).toString(),
        deleted ? MessageDelegate::tr("Deleted message")
                : index.data(MessageModel::ReplyTextRole).toString().simplified(),
        deleted };
}

// The width a one-line text needs so that elidedText() leaves it whole:
// QFontMetrics::horizontalAdvance() rounds, and may round below the
// fractional width eliding compares with.
int widthToShowWhole(const QFont &font, const QString &text)
{
    return int(std::ceil(QFontMetricsF(font).horizontalAdvance(text)));
}

QFont quoteSenderFont(const QFont &font)
{
    return Theme::withPointSizeDelta(font, -1, true);
}

QFont quoteTextFont(const QFont &font, bool deleted)
{
    QFont text = Theme::withPointSizeDelta(font, -1);
    text.setItalic(deleted);
    return text;
}

void paintQuote(QPainter *painter, const QRect &rect, const Quote &quote, const QFont &font)
{
    painter->save();
    QColor tint = Theme::accent;
    tint.setAlpha(28);
    QPainterPath clip;
    clip.addRoundedRect(rect, 4, 4);
    painter->setClipPath(clip);
    painter->fillRect(rect, tint);
    painter->fillRect(QRect(rect.topLeft(), QSize(quoteBarWidth, rect.height())), Theme::accent);
    const QRect inner = rect.adjusted(
        quoteBarWidth + quotePaddingX, quotePaddingY, -quotePaddingX, -quotePaddingY);
    const QFont senderFont = quoteSenderFont(font);
    const QFontMetrics senderMetrics(senderFont);
    painter->setFont(senderFont);
    painter->setPen(Theme::accentText);
    painter->drawText(QRect(inner.topLeft(), QSize(inner.width(), senderMetrics.height())),
        Qt::AlignLeft | Qt::AlignVCenter,
        senderMetrics.elidedText(quote.sender, Qt::ElideRight, inner.width()));
    const QFont textFont = quoteTextFont(font, quote.deleted);
    const QFontMetrics textMetrics(textFont);
    painter->setFont(textFont);
    painter->setPen(quote.deleted ? Theme::textSecondary : Theme::textPrimary);
    painter->drawText(QRect(inner.left(), inner.top() + senderMetrics.height(), inner.width(),
                          textMetrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        textMetrics.elidedText(quote.text, Qt::ElideRight, inner.width()));
    painter->restore();
}

QList<Reaction> reactionsOf(const QModelIndex &index)
{
    return qvariant_cast<QList<Reaction>>(index.data(MessageModel::ReactionsRole));
}

QFont chipCountFont(const QFont &font)
{
    return Theme::withPointSizeDelta(font, -1, true);
}

int chipHeight(const QFont &font)
{
    return std::max(QFontMetrics(font).height(), QFontMetrics(chipCountFont(font)).height())
        + 2 * chipPaddingY;
}

QString chipCount(qint64 count)
{
    return QLocale().toString(count);
}

// The chips in rows no wider than `maxWidth`, from (0, 0).
QList<BubbleGeometry::Chip> layOutChips(
    const QList<Reaction> &reactions, const QFont &font, int maxWidth)
{
    const QFontMetrics emojiMetrics(font);
    const QFontMetrics countMetrics(chipCountFont(font));
    const int height = chipHeight(font);
    QList<BubbleGeometry::Chip> chips;
    int x = 0;
    int y = 0;
    for (const Reaction &reaction : reactions) {
        const int width = 2 * chipPaddingX + emojiMetrics.horizontalAdvance(reaction.emoji)
            + chipInnerGap + countMetrics.horizontalAdvance(chipCount(reaction.count));
        if (x > 0 && x + width > maxWidth) {
            x = 0;
            y += height + chipSpacing;
        }
        chips.append({ QRect(x, y, width, height), reaction.emoji, reaction.count, reaction.me });
        x += width + chipSpacing;
    }
    return chips;
}

void paintChip(QPainter *painter, const BubbleGeometry::Chip &chip, const QFont &font)
{
    painter->setPen(Qt::NoPen);
    QColor background = Theme::accent;
    if (!chip.mine)
        background.setAlpha(36);
    painter->setBrush(background);
    const qreal round = chip.rect.height() / 2.0;
    painter->drawRoundedRect(chip.rect, round, round);
    const QFontMetrics emojiMetrics(font);
    const QRect emojiRect(chip.rect.left() + chipPaddingX, chip.rect.top(),
        emojiMetrics.horizontalAdvance(chip.emoji), chip.rect.height());
    painter->setFont(font);
    painter->setPen(Theme::textPrimary);
    painter->drawText(emojiRect, Qt::AlignLeft | Qt::AlignVCenter, chip.emoji);
    painter->setFont(chipCountFont(font));
    painter->setPen(chip.mine ? QColor(Qt::white) : Theme::accentText);
    painter->drawText(QRect(emojiRect.right() + 1 + chipInnerGap, chip.rect.top(),
                          chip.rect.right() - emojiRect.right() - chipInnerGap, chip.rect.height()),
        Qt::AlignLeft | Qt::AlignVCenter, chipCount(chip.count));
}

QFont forwardedFont(const QFont &font)
{
    return Theme::withPointSizeDelta(font, -1, true);
}

// "Forwarded from NAME", empty unless the message is a forwarded copy.
QString forwardedLine(const QModelIndex &index)
{
    const QString name = index.data(MessageModel::ForwardedFromNameRole).toString();
    return name.isEmpty() ? QString() : MessageDelegate::tr("Forwarded from %1").arg(name);
}

QString metaText(const QModelIndex &index)
{
    const QString time = Presentation::messageTime(index.data(MessageModel::TimeRole).toDateTime());
    return index.data(MessageModel::EditedRole).toBool()
        ? MessageDelegate::tr("edited") + u' ' + time
        : time;
}
} // namespace

MessageDelegate::MessageDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{ }

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QString id = rowIdentity(index);
    const qint64 stamp = index.data(MessageModel::LayoutStampRole).toLongLong();
    const auto known = m_heights.constFind(id);
    if (known != m_heights.cend() && known->width == m_viewWidth && known->stamp == stamp)
        return { m_viewWidth, known->height };
    const int height = geometry(index, QRect(0, 0, m_viewWidth, 0), option.font).height;
    m_heights.insert(id, { m_viewWidth, stamp, height });
    return { m_viewWidth, height };
}

const BubbleGeometry &MessageDelegate::geometry(
    const QModelIndex &index, const QRect &rowRect, const QFont &font) const
{
    const int width = rowRect.width();
    const bool mine = index.data(MessageModel::IsMineRole).toBool();
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    const bool showSender = index.data(MessageModel::ShowSenderRole).toBool();
    const QString separator = index.data(MessageModel::DaySeparatorRole).toString();
    const bool unreadDivider = index.data(MessageModel::UnreadDividerRole).toBool();
    const QString text = index.data(MessageModel::TextRole).toString();
    const QString meta = metaText(index);
    const QString identity = rowIdentity(index);
    const std::optional<Quote> quote = quoteOf(index);
    const QString forwarded = forwardedLine(index);
    const QList<Reaction> reactions = reactionsOf(index);
    const QList<Attachment> attachments = attachmentsOf(index);
    QString attachmentsKey;
    for (const Attachment &file : attachments)
        attachmentsKey += file.name + u'\x1c' + QString::number(file.size) + u'\x1c'
            + QString::number(file.width.value_or(-1)) + u'x'
            + QString::number(file.height.value_or(-1)) + u'\x1c';
    QString reactionsKey;
    for (const Reaction &reaction : reactions)
        reactionsKey
            += reaction.emoji + QString::number(reaction.count) + QChar(reaction.me ? u'M' : u'm');
    const QString key = identity + u'\x1f' + QString::number(width) + u'\x1f' + font.key() + u'\x1f'
        + separator + u'\x1f' + meta + u'\x1f' + QChar(showSender ? u'S' : u's')
        + QChar(deleted ? u'D' : u'd') + QChar(unreadDivider ? u'U' : u'u')
        + (quote ? u'\x1d' + quote->sender + u'\x1d' + quote->text
                    + QChar(quote->deleted ? u'D' : u'd')
                 : QString())
        + u'\x1d' + reactionsKey + u'\x1d' + forwarded + u'\x1d' + attachmentsKey + u'\x1f' + text;
    if (BubbleGeometry *cached = m_layouts.object(key))
        return *cached;

    auto *g = new BubbleGeometry;
    const QFont smallFont = Theme::withPointSizeDelta(font, -1.5);
    const QFontMetrics smallMetrics(smallFont);
    int y = rowSpacing;
    // The day first, then the unread divider right above the message, as in
    // Telegram; scrolled to the top, the row shows both.
    if (!separator.isEmpty()) {
        const int pillWidth = QFontMetrics(font).horizontalAdvance(separator) + 24;
        g->separator = QRect((width - pillWidth) / 2, y + 4, pillWidth, separatorHeight - 4);
        y += separatorHeight + 6;
    }
    if (unreadDivider) {
        g->unreadDivider = QRect(0, y + 2, width, unreadDividerHeight);
        y += unreadDividerHeight + 6;
    }
    if (index.data(MessageModel::ServiceRole).toBool()) {
        // A service line: centered text on a pill like the day's.
        g->layout = std::make_shared<QTextLayout>(text, font);
        QTextOption wrap;
        wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        g->layout->setTextOption(wrap);
        const int maxWidth = std::clamp(width - 2 * sideMargin - 24, 60, 480);
        qreal lineTop = 0;
        qreal widest = 0;
        g->layout->beginLayout();
        for (QTextLine line = g->layout->createLine(); line.isValid();
             line = g->layout->createLine()) {
            line.setLineWidth(maxWidth);
            line.setPosition(QPointF(0, lineTop));
            lineTop += line.height();
            widest = std::max(widest, line.naturalTextWidth());
        }
        g->layout->endLayout();
        const int pillWidth = int(std::ceil(widest)) + 24;
        const int pillHeight = int(std::ceil(lineTop)) + 8;
        g->bubble = QRect((width - pillWidth) / 2, y + 2, pillWidth, pillHeight);
        g->textOrigin = QPointF(g->bubble.left() + 12, g->bubble.top() + 4);
        g->height = g->bubble.bottom() + 1 + 4 + rowSpacing;
        m_layouts.insert(key, g);
        return *g;
    }
    const int maxBubbleWidth = std::clamp(int(width * 0.72), 120, 560);
    const int maxTextWidth = maxBubbleWidth - 2 * paddingX;

    QFont textFont = font;
    textFont.setItalic(deleted);
    // QTextLayout breaks lines only at U+2028; same length, so positions still match.
    g->layout = std::make_shared<QTextLayout>(
        QString(text).replace(u'\n', QChar::LineSeparator), textFont);
    QTextOption wrap;
    wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    g->layout->setTextOption(wrap);
    if (!deleted) {
        g->links = findLinks(text);
        QList<QTextLayout::FormatRange> formats;
        for (const auto &link : std::as_const(g->links)) {
            QTextCharFormat format;
            format.setForeground(Theme::link);
            format.setFontUnderline(true);
            formats.append({ link.start, link.length, format });
        }
        g->layout->setFormats(formats);
    }
    qreal textHeight = 0;
    qreal textWidth = 0;
    qreal lastLineWidth = 0;
    // A caption-less file has no text line at all.
    const bool noText = text.isEmpty() && !attachments.isEmpty();
    g->layout->beginLayout();
    for (QTextLine line = noText ? QTextLine() : g->layout->createLine(); line.isValid();
         line = g->layout->createLine()) {
        line.setLineWidth(maxTextWidth);
        line.setPosition(QPointF(0, textHeight));
        textHeight += line.height();
        textWidth = std::max(textWidth, line.naturalTextWidth());
        lastLineWidth = line.naturalTextWidth();
    }
    g->layout->endLayout();

    const int metaWidth = smallMetrics.horizontalAdvance(meta) + (mine ? tickSize + 3 : 0);
    const int senderHeight = showSender ? QFontMetrics(font).height() + 2 : 0;
    const int senderWidth = showSender
        ? QFontMetrics(Theme::withPointSizeDelta(font, 0, true))
              .horizontalAdvance(index.data(MessageModel::SenderNameRole).toString())
        : 0;
    int innerWidth = int(std::ceil(textWidth));
    int innerHeight = int(std::ceil(textHeight));
    // The chips go under the text; the time then follows the last row of them.
    g->chips = layOutChips(reactions, font, maxTextWidth);
    int lastRowWidth = int(std::ceil(lastLineWidth));
    if (!g->chips.isEmpty()) {
        const int lastRowTop = g->chips.constLast().rect.top();
        lastRowWidth = 0;
        for (const BubbleGeometry::Chip &chip : std::as_const(g->chips)) {
            innerWidth = std::max(innerWidth, chip.rect.right() + 1);
            if (chip.rect.top() == lastRowTop)
                lastRowWidth = chip.rect.right() + 1;
        }
        innerHeight += chipsGap + g->chips.constLast().rect.bottom() + 1;
    }
    // The files above the text, one under another.
    int mediaHeight = 0;
    for (int i = 0; i < attachments.size(); ++i) {
        const Attachment &file = attachments.at(i);
        QSize size;
        if (file.isImage()) {
            size = imageSize(file, maxTextWidth);
        } else {
            const int nameWidth = widthToShowWhole(fileNameFont(font), file.name);
            size = QSize(
                std::clamp(fileIconSize + 10 + nameWidth, 200, maxTextWidth), fileRowHeight);
        }
        if (i > 0)
            mediaHeight += mediaSpacing;
        g->media.append({ QRect(QPoint(0, mediaHeight), size), i, file.isImage() });
        mediaHeight += size.height();
        innerWidth = std::max(innerWidth, size.width());
    }
    if (!attachments.isEmpty() && !noText)
        mediaHeight += mediaGap;
    innerHeight += mediaHeight;
    // The time sits on the last line when it fits there, Telegram-style
    // (under a caption-less file, on a line of its own).
    const bool metaInline = !noText && lastRowWidth + 10 + metaWidth <= maxTextWidth;
    if (metaInline) {
        innerWidth = std::max(innerWidth, lastRowWidth + 10 + metaWidth);
    } else {
        innerWidth = std::max(innerWidth, metaWidth);
        innerHeight += smallMetrics.height();
    }
    int forwardedHeight = 0;
    if (!forwarded.isEmpty()) {
        const QFontMetrics forwardedMetrics(forwardedFont(font));
        forwardedHeight = forwardedMetrics.height() + 2;
        innerWidth = std::max(innerWidth, widthToShowWhole(forwardedFont(font), forwarded));
    }
    int quoteHeight = 0;
    if (quote) {
        const QFontMetrics senderMetrics(quoteSenderFont(font));
        const QFontMetrics textMetrics(quoteTextFont(font, quote->deleted));
        quoteHeight = senderMetrics.height() + textMetrics.height() + 2 * quotePaddingY;
        const int quoteWidth
            = std::max(widthToShowWhole(quoteSenderFont(font), quote->sender),
                  widthToShowWhole(quoteTextFont(font, quote->deleted), quote->text))
            + quoteBarWidth + 2 * quotePaddingX;
        innerWidth = std::max(innerWidth, quoteWidth);
    }
    innerWidth = std::min(std::max(innerWidth, senderWidth), maxTextWidth);
    const int quoteSpace = quote ? quoteHeight + quoteGap : 0;
    const int bubbleWidth = innerWidth + 2 * paddingX;
    // Everything above the text: the sender, "Forwarded from", the quote.
    const int headHeight = senderHeight + forwardedHeight + quoteSpace;
    const int bubbleHeight = innerHeight + headHeight + 2 * paddingY;
    const int bubbleLeft = mine ? width - sideMargin - bubbleWidth : sideMargin;
    g->bubble = QRect(bubbleLeft, y, bubbleWidth, bubbleHeight);
    if (showSender)
        g->sender = QRect(bubbleLeft + paddingX, y + paddingY, innerWidth, senderHeight);
    if (!forwarded.isEmpty())
        g->forwarded = QRect(
            bubbleLeft + paddingX, y + paddingY + senderHeight, innerWidth, forwardedHeight);
    if (quote)
        g->quote = QRect(bubbleLeft + paddingX, y + paddingY + senderHeight + forwardedHeight,
            innerWidth, quoteHeight);
    const QPoint mediaOrigin(bubbleLeft + paddingX, y + paddingY + headHeight);
    for (BubbleGeometry::Media &media : g->media)
        media.rect.translate(mediaOrigin);
    if (!g->media.isEmpty()) {
        const BubbleGeometry::Media &first = g->media.constFirst();
        g->uploadCancel = first.image
            ? QRect(first.rect.center() - QPoint(uploadCircle / 2, uploadCircle / 2),
                QSize(uploadCircle, uploadCircle))
            : QRect(first.rect.left(), first.rect.top() + (fileRowHeight - fileIconSize) / 2,
                fileIconSize, fileIconSize);
    }
    g->textOrigin = QPointF(bubbleLeft + paddingX, y + paddingY + headHeight + mediaHeight);
    const QPoint chipsOrigin(
        bubbleLeft + paddingX, int(g->textOrigin.y()) + int(std::ceil(textHeight)) + chipsGap);
    for (BubbleGeometry::Chip &chip : g->chips)
        chip.rect.translate(chipsOrigin);
    g->meta = QRect(g->bubble.right() - paddingX - metaWidth,
        g->bubble.bottom() - paddingY - smallMetrics.height() + 2, metaWidth,
        smallMetrics.height());
    g->height = y + bubbleHeight + rowSpacing;
    m_layouts.insert(key, g);
    return *g;
}

void MessageDelegate::paint(
    QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const BubbleGeometry &g
        = geometry(index, QRect(option.rect.topLeft(), QSize(m_viewWidth, 0)), option.font);
    const bool mine = index.data(MessageModel::IsMineRole).toBool();
    painter->save();
    painter->translate(option.rect.topLeft());
    painter->setRenderHint(QPainter::Antialiasing);

    if (index.data(MessageModel::MentionsMeRole).toBool()) {
        // A message that mentions the user: a faint tint and an accent bar
        // along the row's edge, readable on any bubble colour.
        QColor tint = Theme::accent;
        tint.setAlpha(18);
        painter->fillRect(QRect(0, 0, m_viewWidth, g.height), tint);
        painter->fillRect(QRect(0, g.bubble.top(), 3, g.bubble.height()), Theme::accent);
    }
    if (m_highlighted.isValid() && m_highlighted == index) {
        QColor tint = Theme::accent;
        tint.setAlpha(40);
        painter->fillRect(QRect(0, 0, m_viewWidth, g.height), tint);
    }
    if (option.state & QStyle::State_Selected) {
        // A message chosen for Forward, Copy or Delete: the whole row tinted, as in Telegram.
        QColor tint = Theme::accent;
        tint.setAlpha(56);
        painter->fillRect(QRect(0, 0, m_viewWidth, g.height), tint);
    }

    if (!g.unreadDivider.isNull()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::unreadDivider);
        painter->drawRect(g.unreadDivider);
        painter->setPen(Theme::textSecondary);
        painter->setFont(option.font);
        painter->drawText(g.unreadDivider, Qt::AlignCenter, tr("Unread messages"));
    }

    if (!g.separator.isNull()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::separatorPill);
        painter->drawRoundedRect(
            g.separator, g.separator.height() / 2.0, g.separator.height() / 2.0);
        painter->setPen(Qt::white);
        painter->setFont(Theme::withPointSizeDelta(option.font, 0, true));
        painter->drawText(
            g.separator, Qt::AlignCenter, index.data(MessageModel::DaySeparatorRole).toString());
    }

    const QList<QTextLayout::FormatRange> selections = textMarks(index);

    if (index.data(MessageModel::ServiceRole).toBool()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(Theme::separatorPill);
        const qreal pillRadius = std::min(13.0, g.bubble.height() / 2.0);
        painter->drawRoundedRect(g.bubble, pillRadius, pillRadius);
        painter->setPen(Qt::white);
        g.layout->draw(painter, g.textOrigin, selections);
        painter->restore();
        return;
    }

    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(0, 0, 0, 18)); // a hairline shadow under the bubble
    painter->drawRoundedRect(g.bubble.translated(0, 1), radius, radius);
    painter->setBrush(mine ? Theme::bubbleOut : Theme::bubbleIn);
    painter->drawRoundedRect(g.bubble, radius, radius);

    if (!g.sender.isNull()) {
        const QString senderId = index.data(MessageModel::SenderIdRole).toString();
        painter->setPen(Presentation::avatarColor(senderId).darker(115));
        painter->setFont(Theme::withPointSizeDelta(option.font, 0, true));
        painter->drawText(g.sender, Qt::AlignLeft | Qt::AlignTop,
            index.data(MessageModel::SenderNameRole).toString());
    }

    if (!g.forwarded.isNull()) {
        // In the accent colour, as Telegram marks a forwarded copy.
        const QFont font = forwardedFont(option.font);
        painter->setFont(font);
        painter->setPen(Theme::accentText);
        painter->drawText(g.forwarded, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(font).elidedText(
                forwardedLine(index), Qt::ElideRight, g.forwarded.width()));
    }

    if (!g.quote.isNull()) {
        if (const std::optional<Quote> quote = quoteOf(index))
            paintQuote(painter, g.quote, *quote, option.font);
    }

    if (!g.media.isEmpty())
        paintMedia(painter, g, index, option.font);

    painter->setPen(
        index.data(MessageModel::DeletedRole).toBool() ? Theme::textSecondary : Theme::textPrimary);
    g.layout->draw(painter, g.textOrigin, selections);

    for (const BubbleGeometry::Chip &chip : g.chips)
        paintChip(painter, chip, option.font);

    const QFont smallFont = Theme::withPointSizeDelta(option.font, -1.5);
    painter->setFont(smallFont);
    painter->setPen(mine ? Theme::timeOut : Theme::timeIn);
    QRect timeRect = g.meta;
    if (mine) {
        const auto delivery
            = index.data(MessageModel::DeliveryRole).value<MessageModel::Delivery>();
        const QRect tickRect(
            g.meta.right() - tickSize + 1, g.meta.center().y() - tickSize / 2, tickSize, tickSize);
        deliveryIcon(delivery).paint(painter, tickRect);
        timeRect.setRight(tickRect.left() - 3);
    }
    painter->drawText(timeRect, Qt::AlignRight | Qt::AlignVCenter, metaText(index));
    painter->restore();
}

void MessageDelegate::paintMedia(
    QPainter *painter, const BubbleGeometry &g, const QModelIndex &index, const QFont &font) const
{
    const QList<Attachment> attachments = attachmentsOf(index);
    const QStringList localFiles = index.data(MessageModel::LocalFilesRole).toStringList();
    const bool mine = index.data(MessageModel::IsMineRole).toBool();
    for (const BubbleGeometry::Media &media : g.media) {
        if (media.attachment >= attachments.size())
            continue;
        const Attachment &file = attachments.at(media.attachment);
        if (media.image) {
            painter->save();
            QPainterPath clip;
            clip.addRoundedRect(media.rect, 8, 8);
            painter->setClipPath(clip);
            const QImage thumbnail
                = m_files ? m_files->thumbnail(file, localFiles.value(media.attachment)) : QImage();
            if (thumbnail.isNull()) {
                // Its final size already: the timeline does not jump when it comes.
                painter->fillRect(media.rect, QColor(0, 0, 0, 24));
            } else {
                painter->setRenderHint(QPainter::SmoothPixmapTransform);
                painter->drawImage(media.rect, thumbnail);
            }
            painter->restore();
            continue;
        }
        const QRect icon(media.rect.left(), media.rect.top() + (fileRowHeight - fileIconSize) / 2,
            fileIconSize, fileIconSize);
        const double downloaded = m_files ? m_files->downloadProgress(file.id) : -1;
        painter->save();
        painter->setPen(Qt::NoPen);
        painter->setBrush(mine ? Theme::timeOut : Theme::accent);
        painter->drawEllipse(icon);
        const bool cached = m_files && !file.id.isEmpty() && !m_files->localPath(file).isEmpty();
        static const QIcon download(u":/icons/download.svg"_s);
        (cached || file.id.isEmpty() ? fileIcon(file.mimeType) : download)
            .paint(painter, icon.adjusted(9, 9, -9, -9));
        if (downloaded >= 0)
            paintProgressCircle(painter, icon, downloaded);
        const int textLeft = icon.right() + 1 + 10;
        const QRect nameRect(textLeft, media.rect.top() + 3, media.rect.right() - textLeft,
            media.rect.height() / 2 - 3);
        const QFont nameFont = fileNameFont(font);
        painter->setFont(nameFont);
        painter->setPen(Theme::textPrimary);
        painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(nameFont).elidedText(file.name, Qt::ElideMiddle, nameRect.width()));
        const QFont sizeFont = Theme::withPointSizeDelta(font, -1);
        painter->setFont(sizeFont);
        painter->setPen(mine ? Theme::timeOut : Theme::textSecondary);
        painter->drawText(QRect(textLeft, nameRect.bottom() + 1, nameRect.width(),
                              media.rect.bottom() - nameRect.bottom() - 3),
            Qt::AlignLeft | Qt::AlignVCenter, fileRowSizeText(file, downloaded));
        painter->restore();
    }
    const double uploaded = index.data(MessageModel::UploadProgressRole).toDouble();
    if (uploaded >= 0 && !g.uploadCancel.isNull())
        paintProgressCircle(painter, g.uploadCancel, uploaded);
}

QList<QTextLayout::FormatRange> MessageDelegate::textMarks(const QModelIndex &index) const
{
    // Drawn in order, each over the ones before: mentions, find hits, the selection.
    QList<QTextLayout::FormatRange> marks;
    const bool plainText = !index.data(MessageModel::DeletedRole).toBool()
        && !index.data(MessageModel::ServiceRole).toBool();
    if (plainText) {
        QTextCharFormat mention; // the link colour, as Telegram draws a mention
        mention.setForeground(Theme::link);
        const auto ranges
            = qvariant_cast<QList<TextRange>>(index.data(MessageModel::MentionRangesRole));
        for (const TextRange &range : ranges)
            marks.append({ int(range.start), int(range.length), mention });
    }
    if (!m_markedWords.isEmpty() && plainText) {
        QTextCharFormat found;
        found.setBackground(Theme::searchMatch);
        const QString text = index.data(MessageModel::TextRole).toString();
        for (const TextRange &match : searchMatches(text, m_markedWords))
            marks.append({ int(match.start), int(match.length), found });
    }
    if (m_selectionIndex == index && m_selectionStart != m_selectionEnd) {
        QTextCharFormat selected;
        selected.setBackground(Theme::selection);
        const int from = std::min(m_selectionStart, m_selectionEnd);
        marks.append({ from, std::abs(m_selectionEnd - m_selectionStart), selected });
    }
    return marks;
}

void MessageDelegate::setSelection(const QPersistentModelIndex &index, int start, int end)
{
    m_selectionIndex = index;
    m_selectionStart = start;
    m_selectionEnd = end;
}

QString MessageDelegate::selectedText() const
{
    if (!m_selectionIndex.isValid() || m_selectionStart == m_selectionEnd)
        return {};
    const QString text = m_selectionIndex.data(MessageModel::TextRole).toString();
    const int from = std::min(m_selectionStart, m_selectionEnd);
    return text.mid(from, std::abs(m_selectionEnd - m_selectionStart));
}

} // namespace Messenger::Client
