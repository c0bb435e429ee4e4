#pragma once

#include <QColor>
#include <QFont>
#include <QImage>
#include <QPixmap>
#include <QRect>
#include <QString>

class QLineEdit;
class QPainter;

namespace Messenger::Client::Theme {

// The palette the delegates paint with: Telegram Desktop's light theme.
inline const QColor accent { 0x33, 0x90, 0xec };
inline const QColor accentText { 0x16, 0x8a, 0xcd };
inline const QColor textPrimary { 0x00, 0x00, 0x00 };
inline const QColor textSecondary { 0x70, 0x75, 0x79 };
inline const QColor selectedRow { 0x41, 0x9f, 0xd9 };
inline const QColor hoverRow { 0xf4, 0xf4, 0xf5 };
inline const QColor draft { 0xdd, 0x4b, 0x39 };
// Something is wrong and stops the user (a text over the limit).
inline const QColor error { 0xe5, 0x39, 0x35 };
inline const QColor unreadBadge { 0x4f, 0xae, 0x4e };
// A muted chat's unread badge: there, but not calling for attention.
inline const QColor mutedBadge { 0xa8, 0xad, 0xb1 };
inline const QColor timelineBackground { 0xe6, 0xeb, 0xee };
inline const QColor bubbleIn { 0xff, 0xff, 0xff };
inline const QColor bubbleOut { 0xef, 0xfd, 0xde };
inline const QColor timeIn { 0xa0, 0xac, 0xb6 };
inline const QColor timeOut { 0x6c, 0xc2, 0x64 };
inline const QColor link { 0x16, 0x8a, 0xcd };
inline const QColor selection { 0x9c, 0xc9, 0xf5 };
// The words a find in the chat matched, in the bubbles.
inline const QColor searchMatch { 0xff, 0xe0, 0x82 };
inline const QColor separatorPill { 0x00, 0x00, 0x00, 0x40 };
inline const QColor unreadDivider { 0xf7, 0xf9, 0xfa, 0xe0 };

QFont withPointSizeDelta(QFont font, qreal delta, bool bold = false);
// A circle with the photo, or without one (a null `photo`: none, or not
// come yet) the initials on the colour derived from `id`.
void paintAvatar(QPainter *painter, const QRect &rect, const QString &id, const QString &name,
    const QImage &photo = {});
// The same as a pixmap `size` pixels square, at the screen's pixel ratio.
QPixmap avatarPixmap(const QString &id, const QString &name, const QImage &photo, int size);
// Every search field looks the same: a magnifier, a clear button, the
// placeholder (also its accessible name), the row height of the lists.
void styleSearchField(QLineEdit *field, const QString &placeholder);

} // namespace Messenger::Client::Theme
