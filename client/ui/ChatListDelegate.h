#pragma once

#include <QCache>
#include <QStaticText>
#include <QStyledItemDelegate>

class QAbstractItemView;

namespace Messenger::Client {

class ClientSession;

// Paints one chat-list row from ChatListModel's roles: avatar, name, time,
// read tick, preview (or draft, or who is typing) and the unread badge; a
// person found by search (ChatSearchModel's people) as avatar, name and
// email, the first under a "People" caption; a message found (its chat, sender,
// snippet with the matching words bold, date) or the message search's status
// line, the first under a "Messages" caption. The row that has the keyboard
// focus gets a frame. Text
// is elided and laid out once, then drawn from a cache keyed by content and width.
class ChatListDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    // Paints `view`'s rows (and repaints it when a photo arrives); photos
    // come from `session` (none: initials only). Both may be null.
    ChatListDelegate(ClientSession *session, QAbstractItemView *view);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static constexpr int rowHeight = 62;
    // The "People" caption above the first person found.
    static constexpr int sectionHeight = 26;
    // "No messages found" and the like, under the "Messages" caption.
    static constexpr int statusRowHeight = 44;

private:
    void paintPerson(
        QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;
    void paintFoundMessage(
        QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const;
    // A section's caption ("People", "Messages") at the top of `rect`; the
    // rest of the row below it.
    static QRect paintCaption(QPainter *painter, const QStyleOptionViewItem &option,
        const QRect &rect, const QString &caption);
    static void paintFocusFrame(
        QPainter *painter, const QStyleOptionViewItem &option, const QRect &rect);
    // Draws `text` elided to `width`, laid out once per (text, font, width).
    void drawElided(QPainter *painter, const QPoint &topLeft, const QString &text,
        const QFont &font, int width) const;

    // The row's photo (AvatarUrlRole), null while there is none to show.
    QImage photoOf(const QModelIndex &index) const;

    ClientSession *m_session;
    mutable QCache<QString, QStaticText> m_texts { 4000 };
};

} // namespace Messenger::Client
