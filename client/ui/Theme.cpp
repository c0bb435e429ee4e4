#include "Theme.h"

#include "client/models/Presentation.h"

#include <QApplication>
#include <QIcon>
#include <QLineEdit>
#include <QPainter>

namespace Messenger::Client::Theme {

QFont withPointSizeDelta(QFont font, qreal delta, bool bold)
{
    font.setPointSizeF(font.pointSizeF() + delta);
    font.setBold(bold);
    return font;
}

void paintAvatar(QPainter *painter, const QRect &rect, const QString &id, const QString &name,
    const QImage &photo)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    if (!photo.isNull()) {
        // The photo as the circle's brush, scaled onto it: an antialiased
        // edge without a clip path.
        QBrush brush(photo);
        brush.setTransform(
            QTransform::fromTranslate(rect.left(), rect.top())
                .scale(qreal(rect.width()) / photo.width(), qreal(rect.height()) / photo.height()));
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->setBrush(brush);
        painter->drawEllipse(rect);
        painter->restore();
        return;
    }
    painter->setBrush(Presentation::avatarColor(id));
    painter->drawEllipse(rect);
    QFont font = painter->font();
    font.setBold(true);
    font.setPixelSize(std::max(8, rect.height() * 2 / 5));
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, Presentation::initials(name));
    painter->restore();
}

QPixmap avatarPixmap(const QString &id, const QString &name, const QImage &photo, int size)
{
    const qreal ratio = qApp->devicePixelRatio();
    QPixmap pixmap(QSize(size, size) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    paintAvatar(&painter, QRect(0, 0, size, size), id, name, photo);
    return pixmap;
}

void styleSearchField(QLineEdit *field, const QString &placeholder)
{
    field->setPlaceholderText(placeholder);
    field->setAccessibleName(placeholder);
    field->setClearButtonEnabled(true);
    field->addAction(QIcon(QStringLiteral(":/icons/search.svg")), QLineEdit::LeadingPosition);
    field->setMinimumHeight(32);
}

} // namespace Messenger::Client::Theme
