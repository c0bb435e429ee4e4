#include "ChatInfoPanel.h"

#include "Confirm.h"
#include "NewChatDialog.h"
#include "PhotoEditor.h"
#include "Theme.h"
#include "client/models/ChatListModel.h"
#include "client/models/ClientSession.h"
#include "shared/Limits.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

ChatInfoPanel::ChatInfoPanel(ClientSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_photo(new PhotoEditor(session, 96, this))
    , m_title(new QLabel(this))
    , m_subtitle(new QLabel(this))
    , m_rename(new QLineEdit(this))
    , m_renameButton(new QToolButton(this))
    , m_members(new QListWidget(this))
    , m_addMembers(new QPushButton(QIcon(u":/icons/add-person.svg"_s), tr("Add Members"), this))
    , m_leave(new QPushButton(QIcon(u":/icons/leave.svg"_s), tr("Leave Group"), this))
{
    setFixedWidth(280);
    setAutoFillBackground(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 12);
    auto *top = new QHBoxLayout;
    auto *heading = new QLabel(tr("Info"), this);
    heading->setFont(Theme::withPointSizeDelta(font(), 1, true));
    auto *close = new QToolButton(this);
    close->setIcon(QIcon(u":/icons/close.svg"_s));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close"));
    connect(close, &QToolButton::clicked, this, &ChatInfoPanel::closeRequested);
    top->addWidget(heading, 1);
    top->addWidget(close);
    layout->addLayout(top);

    layout->addWidget(m_photo);
    auto *titleRow = new QHBoxLayout;
    m_title->setAlignment(Qt::AlignCenter);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setFont(Theme::withPointSizeDelta(font(), 2, true));
    m_rename->setMaxLength(Limits::groupNameMax);
    m_rename->hide();
    m_renameButton->setIcon(QIcon(u":/icons/edit.svg"_s));
    m_renameButton->setAutoRaise(true);
    m_renameButton->setToolTip(tr("Rename Group"));
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_rename, 1);
    titleRow->addWidget(m_renameButton);
    layout->addLayout(titleRow);
    m_subtitle->setAlignment(Qt::AlignCenter);
    QPalette grey = m_subtitle->palette();
    grey.setColor(QPalette::WindowText, Theme::textSecondary);
    m_subtitle->setPalette(grey);
    layout->addWidget(m_subtitle);
    layout->addSpacing(8);
    layout->addWidget(m_addMembers);
    m_members->setFrameShape(QFrame::NoFrame);
    m_members->setIconSize(QSize(32, 32));
    m_members->setContextMenuPolicy(Qt::CustomContextMenu);
    layout->addWidget(m_members, 1);
    m_leave->setStyleSheet(u"QPushButton { color: #e53935; }"_s);
    layout->addWidget(m_leave);
    // Takes the room the member list leaves when it is hidden (personal
    // chats), so the rest stays together at the top.
    layout->addStretch();

    connect(m_renameButton, &QToolButton::clicked, this, [this] {
        m_rename->setText(m_title->text());
        m_title->hide();
        m_renameButton->hide();
        m_rename->show();
        m_rename->setFocus();
        m_rename->selectAll();
    });
    connect(m_rename, &QLineEdit::editingFinished, this, [this] {
        if (!m_rename->isVisible())
            return;
        const QString name = m_rename->text().trimmed();
        m_rename->hide();
        m_title->show();
        m_renameButton->setVisible(isOwner());
        if (!name.isEmpty() && name != m_title->text())
            m_session->renameGroup(m_chatId, name);
    });
    connect(m_addMembers, &QPushButton::clicked, this, [this] {
        NewChatDialog dialog(m_session, NewChatDialog::Mode::AddMembers, this);
        dialog.setChat(m_chatId);
        dialog.exec();
    });
    connect(m_leave, &QPushButton::clicked, this, [this] {
        confirmAction(this, tr("Leave Group"),
            tr("Leave \"%1\"? You will no longer receive its messages.").arg(m_title->text()),
            tr("Leave"), [this, chatId = m_chatId] { m_session->leaveChat(chatId); });
    });
    connect(m_members, &QListWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QListWidgetItem *item = m_members->itemAt(at);
        const QString userId = item ? item->data(Qt::UserRole).toString() : QString();
        if (!item || !isOwner() || userId == m_session->currentUser().id)
            return;
        QMenu menu(this);
        menu.addAction(QIcon(u":/icons/delete.svg"_s), tr("Remove from Group"), this,
            [this, userId] { m_session->removeMember(m_chatId, userId); });
        menu.exec(m_members->viewport()->mapToGlobal(at));
    });
    connect(m_session->chats(), &QAbstractItemModel::dataChanged, this, &ChatInfoPanel::refresh);
    connect(m_session, &ClientSession::avatarReady, this, &ChatInfoPanel::refresh);
}

void ChatInfoPanel::setChat(const QString &chatId)
{
    m_chatId = chatId;
    refresh();
}

bool ChatInfoPanel::isOwner() const
{
    const auto summary = m_session->chats()->summary(m_chatId);
    return summary && summary->chat.createdBy == m_session->currentUser().id;
}

void ChatInfoPanel::refresh()
{
    const auto summary = m_session->chats()->summary(m_chatId);
    if (!summary)
        return;
    const Chat &chat = summary->chat;
    const bool group = chat.type == ChatType::Group;
    const QString title = m_session->chats()->title(m_chatId);
    const int row = m_session->chats()->rowOf(m_chatId);
    const QModelIndex index = m_session->chats()->index(row);
    const bool owner = isOwner();
    m_photo->showPhoto(m_chatId, index.data(ChatListModel::AvatarIdRole).toString(), title,
        index.data(ChatListModel::AvatarUrlRole).toString(), group && owner);
    m_title->setText(title);
    m_renameButton->setVisible(group && owner && !m_rename->isVisible());
    m_addMembers->setVisible(group && owner);
    m_leave->setVisible(group);
    m_members->setVisible(group);
    if (!group) {
        QString email;
        for (const User &member : chat.members) {
            if (member.id != m_session->currentUser().id)
                email = member.email;
        }
        m_subtitle->setText(email);
        return;
    }
    m_subtitle->setText(tr("%n member(s)", nullptr, int(chat.members.size())));
    m_members->clear();
    for (const User &member : chat.members) {
        QString label = member.name;
        if (chat.createdBy == member.id)
            label += u"  · "_s + tr("owner");
        auto *item
            = new QListWidgetItem(QIcon(Theme::avatarPixmap(member.id, member.name,
                                      m_session->avatar(member.avatarUrl.value_or(QString())), 32)),
                label);
        item->setData(Qt::UserRole, member.id);
        item->setToolTip(member.email);
        m_members->addItem(item);
    }
}

} // namespace Messenger::Client
