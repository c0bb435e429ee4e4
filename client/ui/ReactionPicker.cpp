#include "ReactionPicker.h"

#include <QGridLayout>
#include <QKeyEvent>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

ReactionPicker::ReactionPicker(const QStringList &emoji, int columns, QWidget *parent)
    : QWidget(parent)
    , m_columns(std::max(1, columns))
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(6, 4, 6, 4);
    grid->setSpacing(2);
    QFont large = font();
    large.setPointSizeF(large.pointSizeF() * 1.4);
    for (const QString &one : emoji) {
        auto *button = new QToolButton(this);
        button->setText(one);
        button->setFont(large);
        button->setAutoRaise(true);
        button->setFocusPolicy(Qt::StrongFocus);
        button->setCursor(Qt::PointingHandCursor);
        button->setToolTip(tr("React with %1").arg(one));
        button->installEventFilter(this);
        connect(button, &QToolButton::clicked, this, [this, one] { Q_EMIT picked(one); });
        const int place = int(m_buttons.size());
        grid->addWidget(button, place / m_columns, place % m_columns);
        m_buttons.append(button);
    }
    if (!m_buttons.isEmpty())
        setFocusProxy(m_buttons.constFirst());
}

QStringList ReactionPicker::quickEmoji()
{
    return { u"👍"_s, u"❤️"_s, u"😂"_s, u"😮"_s, u"😢"_s, u"🙏"_s };
}

QStringList ReactionPicker::moreEmoji()
{
    return { u"👍"_s, u"👎"_s, u"❤️"_s, u"🔥"_s, u"🥰"_s, u"👏"_s, u"😁"_s, u"🤔"_s, u"🤯"_s,
        u"😱"_s, u"🤬"_s, u"😢"_s, u"🎉"_s, u"🤩"_s, u"🤮"_s, u"💩"_s, u"🙏"_s, u"👌"_s, u"🕊"_s,
        u"🤡"_s, u"🥱"_s, u"🥴"_s, u"😍"_s, u"🐳"_s, u"❤️‍🔥"_s, u"🌚"_s, u"🌭"_s,
        u"💯"_s, u"🤣"_s, u"⚡"_s, u"🍌"_s, u"🏆"_s, u"💔"_s, u"🤨"_s, u"😐"_s, u"🍓"_s, u"🍾"_s,
        u"💋"_s, u"😈"_s, u"😴"_s, u"😭"_s, u"🤓"_s, u"👀"_s, u"😂"_s, u"😮"_s, u"🤝"_s, u"✍️"_s,
        u"🤗"_s };
}

bool ReactionPicker::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const int at = int(m_buttons.indexOf(qobject_cast<QToolButton *>(watched)));
    if (at < 0)
        return QWidget::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    int to = at;
    switch (key->key()) {
    case Qt::Key_Left:
        to = at - 1;
        break;
    case Qt::Key_Right:
        to = at + 1;
        break;
    case Qt::Key_Up:
        to = at - m_columns;
        break;
    case Qt::Key_Down:
        to = at + m_columns;
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        m_buttons.at(at)->click();
        return true;
    default:
        return QWidget::eventFilter(watched, event);
    }
    if (to >= 0 && to < m_buttons.size())
        m_buttons.at(to)->setFocus(Qt::TabFocusReason);
    return true;
}

} // namespace Messenger::Client
