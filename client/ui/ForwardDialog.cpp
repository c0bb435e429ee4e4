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
// Where ChatListDelegate puts a row's avatar.
constexpr int avatarPadding = 8;
constexpr int avatarSize = 46;

// A chat row, its avatar ringed and checked when the chat is ticked.
class CheckedChatDelegate : public ChatListDelegate
{
public:
    CheckedChatDelegate(ClientSession *session, const QStringList *chosen, QAbstractItemView *view)
        : ChatListDelegate(session, view)
        , m_chosen(chosen)
    { }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override
    {
        // The ticks say what is chosen, not the (blue) current row, which the
        // keyboard moves; ChatListDelegate frames that one.
        QStyleOptionViewItem plain = option;
        plain.state &= ~QStyle::State_Selected;
        ChatListDelegate::paint(painter, plain, index);
        const bool ticked = m_chosen->contains(index.data(ChatListModel::ChatIdRole).toString());
        if (!ticked)
            return;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        {
            // As in Telegram's picker: a ring round the avatar and a check on its corner.
            const QRect avatar(option.rect.left() + avatarPadding,
                option.rect.top() + (option.rect.height() - avatarSize) / 2, avatarSize,
                avatarSize);
            painter->setPen(QPen(Theme::accent, 2));
            painter->setBrush(Qt::NoBrush);
            painter->drawEllipse(QRectF(avatar).adjusted(-2, -2, 2, 2));
            constexpr int badge = 20;
            const QRect box(avatar.right() - badge + 5, avatar.bottom() - badge + 5, badge, badge);
            painter->setPen(QPen(Qt::white, 2));
            painter->setBrush(Theme::accent);
            painter->drawEllipse(box);
            QPainterPath tick;
            tick.moveTo(box.left() + 5.5, box.center().y() + 0.5);
            tick.lineTo(box.left() + 8.5, box.center().y() + 3.5);
            tick.lineTo(box.right() - 4.5, box.top() + 6.5);
            painter->setPen(QPen(Qt::white, 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            painter->setBrush(Qt::NoBrush);
            painter->drawPath(tick);
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
    , m_maximumChats(
          std::clamp(maximumCopies / std::max(messageCount, 1), 1, maximumChatsPerForward))
{
    setWindowTitle(tr("Forward %n message(s)", nullptr, messageCount));
    resize(420, 520);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_search = new QLineEdit(this);
    Theme::styleSearchField(m_search, tr("Find a chat"));
    m_search->installEventFilter(this);
    layout->addWidget(m_search);

    // The chats only: people without a chat cannot be forwarded to.
    m_list = new QListView(this);
    m_list->setModel(m_results->chatFilter());
    m_list->setItemDelegate(new CheckedChatDelegate(session, &m_chosen, m_list));
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
        if (m_chosen.size() >= m_maximumChats) {
            m_summary->setText(tr("At most %n chats at a time", nullptr, m_maximumChats));
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
    m_summary->setText(m_chosen.isEmpty() ? tr("Choose up to %n chats", nullptr, m_maximumChats)
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
