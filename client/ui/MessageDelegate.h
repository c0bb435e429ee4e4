#pragma once

#include "client/models/FileCache.h"
#include <QCache>

#include <QPersistentModelIndex>
#include <QPointer>
#include <QStyledItemDelegate>
#include <QTextLayout>

#include <memory>

namespace Messenger::Client {

// Where everything of one timeline row goes, for painting and hit-testing.
struct BubbleGeometry
{
    int height = 0;
    QRect unreadDivider; // the "Unread messages" band across the row, empty if none
    QRect separator; // the day pill, empty if none
    QRect sender; // the sender's name in groups, empty if none
    QRect forwarded; // "Forwarded from NAME" at the top of a forwarded copy, empty if none
    QRect quote; // the quoted message of a reply (click: go there), empty if none
    QRect bubble;
    QPointF textOrigin; // where `layout` is drawn
    QRect meta; // "edited 12:30 ✓✓" in the bubble's bottom-right corner
    std::shared_ptr<QTextLayout> layout;
    struct Link
    {
        int start;
        int length;
        QString url;
    };
    QList<Link> links;
    // A reaction under the text: a rounded pill with the emoji and its count.
    struct Chip
    {
        QRect rect;
        QString emoji;
        qint64 count;
        bool mine; // the user reacted with it: painted in the accent colour
    };
    QList<Chip> chips;
    // Each file the message carries, above the text: an image at its final
    // size (from its width and height, whether or not the thumbnail has
    // come), or a file's row (icon, name, size).
    struct Media
    {
        QRect rect;
        int attachment; // its index in AttachmentsRole
        bool image;
    };
    QList<Media> media;
    // Over the first file while a pending send uploads: progress and ✕ (cancel).
    QRect uploadCancel;
};

// Paints message bubbles from MessageModel's roles: mine on the right, others
// on the left, sender names in groups, "Forwarded from" on copies, the quote of the message a reply
// answers, the "Unread messages" divider, day separators, time, edited mark,
// delivery ticks and the reaction chips under the text (wrapping onto more
// rows when they do not fit one), mentions in the link colour and a tint on
// messages that mention the user. Text is laid out once per (message, text,
// width) and kept in a cache of the latest rows used, so scrolling back and
// forth near the screen does no layout work; heights are kept for every row.
class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The row's geometry relative to `rowRect` (the item's rect in the view).
    const BubbleGeometry &geometry(
        const QModelIndex &index, const QRect &rowRect, const QFont &font) const;
    // The text selection the view is making, painted as a highlight.
    void setSelection(const QPersistentModelIndex &index, int start, int end);
    QPersistentModelIndex selectionIndex() const { return m_selectionIndex; }
    QString selectedText() const;
    // How many rows' layouts are kept at most, and how many are now.
    static constexpr int cachedLayoutsMax = 500;
    qsizetype cachedLayoutCount() const { return m_layouts.count(); }
    void clearCache()
    {
        m_layouts.clear();
        m_heights.clear();
    }
    // A message shown briefly with a tint (where a jump to it landed).
    void setHighlighted(const QPersistentModelIndex &index) { m_highlighted = index; }
    QPersistentModelIndex highlighted() const { return m_highlighted; }
    // The words of a find in the chat (lower-cased), marked in every bubble.
    void setMarkedWords(const QStringList &words) { m_markedWords = words; }
    QStringList markedWords() const { return m_markedWords; }
    // What is drawn over the row's text: the mentions of members in the
    // link colour, the find's words, the selection (in drawing order).
    QList<QTextLayout::FormatRange> textMarks(const QModelIndex &index) const;
    // QListView asks for size hints without a width; the view tells us its own.
    void setViewWidth(int width) { m_viewWidth = width; }
    // Where thumbnails and downloads come from (none: placeholders only).
    void setFileCache(FileCache *files) { m_files = files; }
    FileCache *fileCache() const { return m_files; }

private:
    // The files of a message: thumbnails (or their placeholders), file rows,
    // the progress of a download or of the send's upload.
    void paintMedia(QPainter *painter, const BubbleGeometry &g, const QModelIndex &index,
        const QFont &font) const;

    // Enough for the rows on screen and several screens around them. Not one
    // per message: QListView asks every row's size when a chat opens, and a
    // laid-out QTextLayout each kept 2.3 kB of the client's memory (23 MB for
    // a 10,000-message chat); heights have their own cache below.
    mutable QCache<QString, BubbleGeometry> m_layouts { cachedLayoutsMax };
    // QListView asks every row's size on each insertion: answer from here
    // while the row's layout stamp and the width are unchanged.
    struct Height
    {
        int width;
        qint64 stamp;
        int height;
    };
    mutable QHash<QString, Height> m_heights;
    int m_viewWidth = 400;
    QPointer<FileCache> m_files;
    QPersistentModelIndex m_selectionIndex;
    QPersistentModelIndex m_highlighted;
    QStringList m_markedWords;
    int m_selectionStart = 0;
    int m_selectionEnd = 0;
};

} // namespace Messenger::Client
