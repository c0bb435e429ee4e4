#include "ForwardDialog.h"

#include "ChatListDelegate.h"
#include "Theme.h"
#include "client/models/ChatListModel.h"
#include "client/models/ChatSearchModel.h"
#include "client/models/ClientSession.h"

#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
// A chat row with a round check box on its right, filled when the chat is ticked.
class CheckedChatDelegate : public ChatListDelegate
{
public:
    CheckedChatDelegate(const QStringList *chosen, QObject *parent)
        : ChatListDelegate(parent)
        , m_chosen(chosen)
    { }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override
    {
        // The highlight is the keyboard's place; the ticks say what is chosen.
        QStyleOptionViewItem plain = option;
        plain.state &= ~QStyle::State_Selected;
        ChatListDelegate::paint(painter, plain, index);
        const bool ticked = m_chosen->contains(index.data(ChatListModel::ChatIdRole).toString());
        constexpr int size = 22;
        const QRect box(
            option.rect.right() - size - 14, option.rect.center().y() - size / 2, size, size);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        if (option.state & QStyle::State_Selected)
            painter->fillRect(
                QRect(option.rect.topLeft(), QSize(3, option.rect.height())), Theme::accent);
        if (ticked) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(Theme::accent);
            painter->drawEllipse(box);
            QPainterPath tick;
            tick.moveTo(box.left() + 6, box.center().y() + 1);
            tick.lineTo(box.left() + 10, box.center().y() + 5);
            tick.lineTo(box.right() - 5, box.top() + 7);
            painter->setPen(QPen(Qt::white, 2.2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            painter->setBrush(Qt::NoBrush);
            painter->drawPath(tick);
        } else {
            painter->setPen(QPen(Theme::textSecondary, 1.5));
            painter->setBrush(Qt::white);
            painter->drawEllipse(box.adjusted(1, 1, -1, -1));
        }
        painter->restore();
    }

private:
    const QStringList *m_chosen;
};
} // namespace

ForwardDialog::ForwardDialog(ClientSession *session, int messageCount, QWidget *parent)
    : QDialog(parent)
    , m_results(
          new ChatSearchModel(session->chats(), session->api(), session->currentUser().id, this))
{
    setWindowTitle(tr("Forward %n message(s)", nullptr, messageCount));
    resize(420, 520);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Find a chat"));
    m_search->setAccessibleName(tr("Find a chat"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(QIcon(u":/icons/search.svg"_s), QLineEdit::LeadingPosition);
    m_search->setMinimumHeight(32);
    m_search->installEventFilter(this);
    layout->addWidget(m_search);

    // The chats only: people without a chat cannot be forwarded to.
    m_list = new QListView(this);
    m_list->setModel(m_results->chatFilter());
    m_list->setItemDelegate(new CheckedChatDelegate(&m_chosen, m_list));
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->setAccessibleName(tr("Chats"));
    layout->addWidget(m_list, 1);

    m_summary = new QLabel(this);
    QPalette grey = m_summary->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_summary->setPalette(grey);
    layout->addWidget(m_summary);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_send = buttons->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    m_send->setIcon(QIcon(u":/icons/send.svg"_s));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_send, &QPushButton::clicked, this, [this] {
        if (m_chosen.isEmpty())
            return;
        Q_EMIT chatsChosen(m_chosen);
        accept();
    });
    connect(m_search, &QLineEdit::textChanged, m_results, &ChatSearchModel::setQuery);
    connect(m_search, &QLineEdit::textChanged, this,
        [this] { m_list->setCurrentIndex(m_list->model()->index(0, 0)); });
    connect(m_list, &QAbstractItemView::clicked, this,
        [this](const QModelIndex &index) { toggleRow(index.row()); });
    updateSummary();
    m_search->setFocus();
}

bool ForwardDialog::toggleRow(int row)
{
    const QModelIndex index = m_list->model()->index(row, 0);
    const QString chatId = index.data(ChatListModel::ChatIdRole).toString();
    if (chatId.isEmpty())
        return false;
    if (!m_chosen.removeOne(chatId)) {
        if (m_chosen.size() >= maximumChats) {
            m_summary->setText(tr("At most %n chats at a time", nullptr, maximumChats));
            return false;
        }
        m_chosen.append(chatId);
    }
    m_list->setCurrentIndex(index);
    m_list->viewport()->update();
    updateSummary();
    return true;
}

void ForwardDialog::updateSummary()
{
    m_send->setEnabled(!m_chosen.isEmpty());
    m_summary->setText(m_chosen.isEmpty() ? tr("Choose up to %n chats", nullptr, maximumChats)
                                          : tr("%n chat(s) chosen", nullptr, int(m_chosen.size())));
}

bool ForwardDialog::eventFilter(QObject *watched, QEvent *event)
{
    // The search field keeps the focus: the arrows move through the chats,
    // Enter sends (or, with none ticked yet, ticks the highlighted one).
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const int rows = m_list->model()->rowCount();
        const int current = m_list->currentIndex().row();
        const auto move = [this, rows](int row) {
            if (rows > 0)
                m_list->setCurrentIndex(m_list->model()->index(std::clamp(row, 0, rows - 1), 0));
        };
        switch (static_cast<QKeyEvent *>(event)->key()) {
        case Qt::Key_Down:
            move(current + 1);
            return true;
        case Qt::Key_Up:
            move(current - 1);
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            if (m_chosen.isEmpty())
                toggleRow(std::max(current, 0));
            else
                m_send->click();
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace Messenger::Client
