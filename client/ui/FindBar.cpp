#include "FindBar.h"

#include "Theme.h"
#include "client/models/MessageSearchModel.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
QToolButton *barButton(const QString &icon, const QString &tip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setIcon(QIcon(icon));
    button->setIconSize(QSize(20, 20));
    button->setAutoRaise(true);
    button->setToolTip(tip);
    button->setAccessibleName(tip);
    button->setFocusPolicy(Qt::NoFocus); // the keys work from the field
    return button;
}
} // namespace

FindBar::FindBar(ApiClient *api, QWidget *parent)
    : QWidget(parent)
    , m_results(new MessageSearchModel(api, this))
{
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 4, 8, 4);
    m_field = new QLineEdit(this);
    Theme::styleSearchField(m_field, tr("Search in this chat"));
    m_field->setMinimumHeight(30); // the bar is slimmer than a list's header
    m_field->installEventFilter(this);
    m_counter = new QLabel(this);
    m_counter->setTextFormat(Qt::PlainText);
    QPalette grey = m_counter->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_counter->setPalette(grey);
    m_older = barButton(u":/icons/arrow-up.svg"_s, tr("Older match (Enter)"), this);
    m_newer = barButton(u":/icons/arrow-down.svg"_s, tr("Newer match (Shift+Enter)"), this);
    m_close = barButton(u":/icons/close.svg"_s, tr("Close search (Esc)"), this);
    layout->addWidget(m_field, 1);
    layout->addWidget(m_counter);
    layout->addWidget(m_older);
    layout->addWidget(m_newer);
    layout->addWidget(m_close);

    connect(m_field, &QLineEdit::textEdited, m_results, &MessageSearchModel::setQuery);
    connect(m_older, &QToolButton::clicked, this, [this] { step(+1); });
    connect(m_newer, &QToolButton::clicked, this, [this] { step(-1); });
    connect(m_close, &QToolButton::clicked, this, [this] { finish(); });
    // A new search starts by taking the old hits away; its first page shows
    // the newest hit, a later page the step that asked for it.
    connect(m_results, &QAbstractItemModel::rowsRemoved, this, [this] {
        m_current = -1;
        m_olderRequested = false;
        updateState();
    });
    connect(m_results, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_current < 0)
            showHit(0);
        else if (m_olderRequested)
            showHit(m_current + 1);
        m_olderRequested = false;
        updateState();
    });
    connect(m_results, &MessageSearchModel::statusChanged, this, &FindBar::updateState);
    hide();
    updateState();
}

void FindBar::start(const QString &chatId)
{
    if (chatId != m_chatId) {
        m_chatId = chatId;
        m_results->setChatId(chatId);
        m_results->setQuery(m_field->text());
        m_results->searchNow();
    }
    show();
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

void FindBar::finish(bool quietly)
{
    if (!isVisible())
        return;
    hide();
    if (!quietly)
        Q_EMIT closed();
}

void FindBar::step(int direction)
{
    const int rows = m_results->rowCount();
    if (m_current < 0)
        return;
    const int next = m_current + direction;
    if (next < 0)
        return; // the newest hit already
    if (next < rows) {
        showHit(next);
    } else if (m_results->canFetchMore()) {
        m_olderRequested = true;
        m_results->fetchMore();
    }
    updateState();
}

void FindBar::showHit(int row)
{
    if (row < 0 || row >= m_results->rowCount())
        return;
    m_current = row;
    const QModelIndex index = m_results->index(row);
    Q_EMIT hitChosen(index.data(MessageSearchModel::MessageIdRole).toString(),
        index.data(MessageSearchModel::MessageSeqRole).toLongLong());
}

void FindBar::updateState()
{
    const int rows = m_results->rowCount();
    QString text;
    switch (m_results->status()) {
    case MessageSearchModel::Status::Idle:
        break;
    case MessageSearchModel::Status::Searching:
        text = rows > 0 ? tr("%1 of %2+").arg(m_current + 1).arg(rows) : tr("Searching…");
        break;
    case MessageSearchModel::Status::Done:
        if (rows == 0)
            text = tr("No messages found");
        else if (m_results->hasMore())
            text = tr("%1 of %2+").arg(m_current + 1).arg(rows);
        else
            text = tr("%1 of %2").arg(m_current + 1).arg(rows);
        break;
    case MessageSearchModel::Status::Offline:
        text = tr("Offline: search needs the server");
        break;
    case MessageSearchModel::Status::Failed:
        text = tr("Search failed: %1").arg(m_results->errorText());
        break;
    }
    m_counter->setText(text);
    m_counter->setToolTip(text);
    m_older->setEnabled(m_current >= 0 && (m_current + 1 < rows || m_results->hasMore()));
    m_newer->setEnabled(m_current > 0);
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_field && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            finish();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            // Enter right after typing searches at once (the newest hit);
            // after that it steps on.
            if (m_results->isPending()
                || (m_current < 0
                    && m_results->status() != MessageSearchModel::Status::Searching)) {
                m_results->setQuery(m_field->text());
                m_results->searchNow();
            } else {
                step(key->modifiers() & Qt::ShiftModifier ? -1 : +1);
            }
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace Messenger::Client
