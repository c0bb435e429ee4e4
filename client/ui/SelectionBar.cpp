#include "SelectionBar.h"

#include "Theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
QPushButton *barButton(const QString &icon, const QString &text, QWidget *parent)
{
    auto *button = new QPushButton(QIcon(icon), text, parent);
    button->setFlat(true);
    button->setCursor(Qt::PointingHandCursor);
    button->setMinimumHeight(34);
    return button;
}
} // namespace

SelectionBar::SelectionBar(QWidget *parent)
    : QWidget(parent)
    , m_count(new QLabel(this))
    , m_forward(barButton(u":/icons/forward.svg"_s, tr("Forward"), this))
    , m_copy(barButton(u":/icons/copy.svg"_s, tr("Copy"), this))
    , m_delete(barButton(u":/icons/delete.svg"_s, tr("Delete"), this))
    , m_cancel(barButton(u":/icons/close.svg"_s, tr("Cancel"), this))
{
    setObjectName(u"selectionBar"_s);
    setAutoFillBackground(true);
    QPalette background = palette();
    background.setColor(QPalette::Window, Qt::white);
    setPalette(background);
    m_count->setFont(Theme::withPointSizeDelta(font(), 0, true));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->addWidget(m_cancel);
    layout->addWidget(m_count);
    layout->addStretch(1);
    layout->addWidget(m_copy);
    layout->addWidget(m_delete);
    layout->addWidget(m_forward);
    QPalette accent = m_forward->palette();
    accent.setColor(QPalette::ButtonText, Theme::accentText);
    m_forward->setPalette(accent);
    m_forward->setFont(Theme::withPointSizeDelta(font(), 0, true));
    QPalette red = m_delete->palette();
    red.setColor(QPalette::ButtonText, Theme::error);
    m_delete->setPalette(red);
    connect(m_forward, &QPushButton::clicked, this, &SelectionBar::forwardRequested);
    connect(m_copy, &QPushButton::clicked, this, &SelectionBar::copyRequested);
    connect(m_delete, &QPushButton::clicked, this, &SelectionBar::deleteRequested);
    connect(m_cancel, &QPushButton::clicked, this, &SelectionBar::cancelRequested);
    hide();
}

void SelectionBar::setSelection(int count, bool deletable)
{
    m_count->setText(tr("%n selected", nullptr, count));
    m_delete->setVisible(deletable);
}

} // namespace Messenger::Client
