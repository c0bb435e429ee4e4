#include "NewChatDialog.h"

#include "Theme.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "client/models/UserSearchModel.h"
#include "shared/Limits.h"

#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
// A person in the results: avatar, name, email, and a check box when picking.
class PersonDelegate : public QStyledItemDelegate
{
public:
    PersonDelegate(ClientSession *session, QListView *view)
        : QStyledItemDelegate(view)
        , m_session(session)
    {
        connect(
            session, &ClientSession::avatarReady, view->viewport(), qOverload<>(&QWidget::update));
    }
    // The dialog toggles a person on click; the base class would toggle a
    // second time when the click lands where it thinks the check box is.
    bool editorEvent(
        QEvent *, QAbstractItemModel *, const QStyleOptionViewItem &, const QModelIndex &) override
    {
        return false;
    }
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        return { option.rect.width(), 52 };
    }
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override
    {
        painter->save();
        const QRect rect = option.rect;
        if (option.state & QStyle::State_Selected)
            painter->fillRect(rect, Theme::hoverRow);
        const QString name = index.data(UserSearchModel::NameRole).toString();
        Theme::paintAvatar(painter, QRect(rect.left() + 10, rect.top() + 6, 40, 40),
            index.data(UserSearchModel::UserIdRole).toString(), name,
            m_session->avatar(index.data(UserSearchModel::AvatarUrlRole).toString()));
        const bool enabled = index.flags() & Qt::ItemIsEnabled;
        painter->setPen(enabled ? Theme::textPrimary : Theme::textSecondary);
        painter->setFont(Theme::withPointSizeDelta(option.font, 0, true));
        const QRect text(rect.left() + 62, rect.top() + 8, rect.width() - 110, 18);
        painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
            painter->fontMetrics().elidedText(name, Qt::ElideRight, text.width()));
        painter->setFont(option.font);
        painter->setPen(Theme::textSecondary);
        const QString email = enabled ? index.data(UserSearchModel::EmailRole).toString()
                                      : NewChatDialog::tr("already in the group");
        painter->drawText(text.translated(0, 20), Qt::AlignLeft | Qt::AlignVCenter,
            painter->fontMetrics().elidedText(email, Qt::ElideRight, text.width()));
        const QVariant check = index.data(Qt::CheckStateRole);
        if (check.isValid()) {
            const QRect box(rect.right() - 34, rect.center().y() - 11, 22, 22);
            painter->setRenderHint(QPainter::Antialiasing);
            const bool checked = check.value<Qt::CheckState>() == Qt::Checked;
            painter->setPen(QPen(checked ? Theme::accent : Theme::textSecondary, 2));
            painter->setBrush(checked ? Theme::accent : QColor(Qt::transparent));
            painter->drawEllipse(box);
            if (checked) {
                painter->setPen(QPen(Qt::white, 2.2));
                painter->drawPolyline(QPolygonF({ QPointF(box.left() + 6, box.center().y()),
                    QPointF(box.left() + 10, box.bottom() - 6),
                    QPointF(box.right() - 5, box.top() + 7) }));
            }
        }
        painter->restore();
    }

private:
    ClientSession *m_session;
};
} // namespace

NewChatDialog::NewChatDialog(ClientSession *session, Mode mode, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_mode(mode)
    , m_results(new UserSearchModel(session->api(), session->currentUser().id, this))
    , m_name(new QLineEdit(this))
    , m_search(new QLineEdit(this))
    , m_view(new QListView(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_groupButton(new QPushButton(QIcon(u":/icons/group.svg"_s), tr("New Group"), this))
{
    setMinimumSize(380, 480);
    auto *layout = new QVBoxLayout(this);
    m_name->setPlaceholderText(tr("Group name"));
    m_name->setMaxLength(Limits::groupNameMax);
    m_name->setMinimumHeight(32);
    layout->addWidget(m_name);
    Theme::styleSearchField(m_search, tr("Search people by name or email"));
    layout->addWidget(m_search);
    layout->addWidget(m_groupButton);
    m_view->setModel(m_results);
    m_view->setItemDelegate(new PersonDelegate(session, m_view));
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setUniformItemSizes(true);
    layout->addWidget(m_view, 1);
    QPalette grey = m_status->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_status->setPalette(grey);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_search, &QLineEdit::textChanged, m_results, &UserSearchModel::setQuery);
    connect(m_name, &QLineEdit::textChanged, this, &NewChatDialog::updateState);
    connect(m_results, &UserSearchModel::searchFinished, this, &NewChatDialog::updateState);
    connect(m_results, &UserSearchModel::checkedChanged, this, &NewChatDialog::updateState);
    connect(m_results, &UserSearchModel::searchFailed, m_status, &QLabel::setText);
    connect(m_groupButton, &QPushButton::clicked, this, [this] { setMode(Mode::Group); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &NewChatDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &NewChatDialog::reject);
    connect(m_view, &QListView::clicked, this, &NewChatDialog::pick);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
        &NewChatDialog::updateState);
    // By keyboard alone: Down goes from the search field into the results,
    // Enter picks the highlighted person (the first one from the field).
    m_search->installEventFilter(this);
    m_view->installEventFilter(this);
    setMode(mode);
}

void NewChatDialog::pick(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    if (m_mode == Mode::Personal) {
        accept();
        return;
    }
    const bool checked = index.data(Qt::CheckStateRole).value<Qt::CheckState>() == Qt::Checked;
    m_results->setData(index, checked ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
}

bool NewChatDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QDialog::eventFilter(watched, event);
    const int key = static_cast<QKeyEvent *>(event)->key();
    const bool enter = key == Qt::Key_Return || key == Qt::Key_Enter;
    if (watched == m_search && (key == Qt::Key_Down || enter) && m_results->rowCount() > 0) {
        if (!m_view->currentIndex().isValid())
            m_view->setCurrentIndex(m_results->index(0));
        if (enter)
            pick(m_view->currentIndex());
        else
            m_view->setFocus();
        return true;
    }
    if (watched == m_view && (enter || key == Qt::Key_Space)) {
        pick(m_view->currentIndex());
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void NewChatDialog::setChat(const QString &chatId)
{
    m_chatId = chatId;
    QStringList members;
    if (const auto summary = m_session->chats()->summary(chatId)) {
        for (const User &member : summary->chat.members)
            members.append(member.id);
    }
    m_results->setExcluded(members);
}

void NewChatDialog::setMode(Mode mode)
{
    m_mode = mode;
    m_results->setCheckable(mode != Mode::Personal);
    m_name->setVisible(mode == Mode::Group);
    m_groupButton->setVisible(mode == Mode::Personal);
    switch (mode) {
    case Mode::Personal:
        setWindowTitle(tr("New Message"));
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start Chat"));
        break;
    case Mode::Group:
        setWindowTitle(tr("New Group"));
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create Group"));
        m_name->setFocus();
        break;
    case Mode::AddMembers:
        setWindowTitle(tr("Add Members"));
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Add"));
        break;
    }
    if (mode != Mode::Group)
        m_search->setFocus();
    updateState();
}

void NewChatDialog::updateState()
{
    const qsizetype picked = m_results->checkedUsers().size();
    bool ready = false;
    switch (m_mode) {
    case Mode::Personal:
        ready = m_view->currentIndex().isValid();
        break;
    case Mode::Group:
        ready = !m_name->text().trimmed().isEmpty() && picked > 0;
        break;
    case Mode::AddMembers:
        ready = picked > 0;
        break;
    }
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ready);
    if (!m_results->query().isEmpty() && m_results->rowCount() == 0 && !m_results->isSearching()) {
        m_status->setText(tr("Nobody found for \"%1\"").arg(m_results->query()));
    } else if (m_mode != Mode::Personal) {
        // Who is picked stays in view while the search shows other people.
        QStringList names;
        for (const User &user : m_results->checkedUsers())
            names.append(user.name);
        names.sort(Qt::CaseInsensitive);
        m_status->setText(picked == 0
                ? tr("%n selected", nullptr, 0)
                : tr("%n selected: %1", nullptr, int(picked)).arg(names.join(u", "_s)));
    } else {
        m_status->clear();
    }
}

void NewChatDialog::accept()
{
    QStringList ids;
    for (const User &user : m_results->checkedUsers())
        ids.append(user.id);
    switch (m_mode) {
    case Mode::Personal: {
        const QModelIndex current = m_view->currentIndex();
        if (!current.isValid())
            return;
        m_session->startPersonalChat(current.data(UserSearchModel::UserIdRole).toString());
        break;
    }
    case Mode::Group:
        if (m_name->text().trimmed().isEmpty() || ids.isEmpty())
            return;
        m_session->createGroup(m_name->text().trimmed(), ids);
        break;
    case Mode::AddMembers:
        if (ids.isEmpty())
            return;
        m_session->addMembers(m_chatId, ids);
        break;
    }
    QDialog::accept();
}

} // namespace Messenger::Client
