#include "PinnedBanner.h"

#include "Theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

PinnedBanner::PinnedBanner(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(tr("Pinned message"), this))
    , m_preview(new QLabel(this))
    , m_unpin(new QToolButton(this))
{
    setObjectName(u"pinnedBanner"_s);
    setCursor(Qt::PointingHandCursor);
    setAutoFillBackground(true);
    QPalette background = palette();
    background.setColor(QPalette::Window, Qt::white);
    setPalette(background);
    auto *layout = new QHBoxLayout(this);
    // Room on the left for the accent bar painted there.
    layout->setContentsMargins(20, 5, 8, 5);
    auto *texts = new QVBoxLayout;
    texts->setSpacing(0);
    m_title->setFont(Theme::withPointSizeDelta(font(), -0.5, true));
    QPalette accent = m_title->palette();
    accent.setColor(QPalette::WindowText, Theme::accentText);
    m_title->setPalette(accent);
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setMinimumWidth(40);
    m_preview->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    texts->addWidget(m_title);
    texts->addWidget(m_preview);
    layout->addLayout(texts, 1);
    m_unpin->setObjectName(u"unpin"_s);
    m_unpin->setIcon(QIcon(u":/icons/close.svg"_s));
    m_unpin->setIconSize(QSize(18, 18));
    m_unpin->setAutoRaise(true);
    m_unpin->setToolTip(tr("Unpin"));
    m_unpin->setAccessibleName(tr("Unpin"));
    layout->addWidget(m_unpin);
    connect(m_unpin, &QToolButton::clicked, this, &PinnedBanner::unpinRequested);
    hide();
}

void PinnedBanner::setPinned(const std::optional<PinnedMessage> &pinned, bool canUnpin)
{
    m_pinned = pinned;
    m_unpin->setVisible(canUnpin);
    setVisible(pinned.has_value());
    updatePreview();
}

void PinnedBanner::updatePreview()
{
    if (!m_pinned)
        return;
    const QString line = m_pinned->senderName + u": "_s + m_pinned->text.simplified();
    m_preview->setText(m_preview->fontMetrics().elidedText(
        line, Qt::ElideRight, std::max(40, m_preview->width())));
    m_preview->setToolTip(m_pinned->text);
}

void PinnedBanner::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updatePreview();
}

void PinnedBanner::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && rect().contains(event->position().toPoint())
        && m_pinned)
        Q_EMIT clicked(m_pinned->id, m_pinned->seq);
    QWidget::mouseReleaseEvent(event);
}

void PinnedBanner::paintEvent(QPaintEvent *event)
{
    QWidget::paintEvent(event);
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(Theme::accent);
    painter.drawRoundedRect(QRectF(10, 6, 2.5, height() - 12), 1.25, 1.25);
    // A hairline under it, as under the header.
    painter.fillRect(QRect(0, height() - 1, width(), 1), QColor(0, 0, 0, 24));
}

} // namespace Messenger::Client
