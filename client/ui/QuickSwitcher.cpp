#include "QuickSwitcher.h"

#include "ChatListDelegate.h"
#include "Theme.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

QuickSwitcher::QuickSwitcher(ClientSession *session, QWidget *parent)
    : QDialog(parent)
    , m_results(
          new ChatSearchModel(session->chats(), session->api(), session->currentUser().id, this))
{
    setWindowTitle(tr("Go to Chat"));
    resize(440, 460);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_search = new QLineEdit(this);
    Theme::styleSearchField(m_search, tr("Find a chat or a person"));
    m_search->installEventFilter(this);
    layout->addWidget(m_search);

    m_list = new QListView(this);
    m_list->setModel(m_results);
    m_list->setItemDelegate(new ChatListDelegate(session, m_list));
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->setAccessibleName(tr("Chats and people"));
    layout->addWidget(m_list, 1);

    auto *hint = new QLabel(tr("↑↓ to move, Enter to open, Esc to close"), this);
    hint->setEnabled(false); // greyed: a hint, not content
    layout->addWidget(hint);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_results->setQuery(text);
        highlight(0);
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        choose(m_list->currentIndex().isValid() ? m_list->currentIndex() : m_results->index(0, 0));
    });
    // People found after the chats were filtered: the highlight goes to the
    // first result when nothing was highlighted.
    const auto keepHighlight = [this] {
        if (!m_list->currentIndex().isValid())
            highlight(0);
    };
    connect(m_results, &QAbstractItemModel::rowsInserted, this, keepHighlight);
    connect(m_results, &QAbstractItemModel::modelReset, this, keepHighlight);
    connect(m_results, &QAbstractItemModel::layoutChanged, this, keepHighlight);
    connect(m_list, &QAbstractItemView::activated, this, &QuickSwitcher::choose);
    connect(m_list, &QAbstractItemView::clicked, this, &QuickSwitcher::choose);
    highlight(0);
    m_search->setFocus();
}

bool QuickSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const int current = m_list->currentIndex().row();
        switch (static_cast<QKeyEvent *>(event)->key()) {
        case Qt::Key_Down:
            highlight(current + 1);
            return true;
        case Qt::Key_Up:
            highlight(current - 1);
            return true;
        case Qt::Key_PageDown:
            highlight(current + 5);
            return true;
        case Qt::Key_PageUp:
            highlight(current - 5);
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void QuickSwitcher::highlight(int row)
{
    const int rows = m_results->rowCount();
    if (rows == 0)
        return;
    const QModelIndex index = m_results->index(std::clamp(row, 0, rows - 1), 0);
    m_list->setCurrentIndex(index);
    m_list->scrollTo(index);
}

void QuickSwitcher::choose(const QModelIndex &index)
{
    // Once only: a click can also activate (styles that open on one click).
    if (!index.isValid() || !isVisible())
        return;
    const QString personId = index.data(ChatListModel::PersonIdRole).toString();
    if (!personId.isEmpty())
        Q_EMIT personChosen(personId);
    else
        Q_EMIT chatChosen(index.data(ChatListModel::ChatIdRole).toString());
    accept();
}

} // namespace Messenger::Client
