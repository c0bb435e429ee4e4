#include "Theme.h"

#include "client/models/Presentation.h"

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

void paintAvatar(QPainter *painter, const QRect &rect, const QString &id, const QString &name)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
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

void styleSearchField(QLineEdit *field, const QString &placeholder)
{
    field->setPlaceholderText(placeholder);
    field->setAccessibleName(placeholder);
    field->setClearButtonEnabled(true);
    field->addAction(QIcon(QStringLiteral(":/icons/search.svg")), QLineEdit::LeadingPosition);
    field->setMinimumHeight(32);
}

} // namespace Messenger::Client::Theme
