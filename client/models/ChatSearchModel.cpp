#include "ChatSearchModel.h"

#include "ChatListModel.h"
#include "UserSearchModel.h"

#include <QAbstractListModel>
#include <QSortFilterProxyModel>

namespace Messenger::Client {

namespace {
// The people found, minus those the user already has a personal chat with
// (that chat is in the chats part when the name matches), speaking the chat
// list's roles so one delegate paints both parts. A copy of the search's
// answer, changed by removing and inserting rows, never by a reset: a reset
// would reset the whole concatenation and lose the highlighted chat.
class PeopleWithoutChat : public QAbstractListModel
{
public:
    PeopleWithoutChat(UserSearchModel *search, ChatListModel *chats, QObject *parent)
        : QAbstractListModel(parent)
        , m_search(search)
        , m_chats(chats)
    {
        connect(search, &UserSearchModel::searchFinished, this, &PeopleWithoutChat::refresh);
        // A personal chat started (or gone) changes who belongs here.
        connect(chats, &QAbstractItemModel::rowsInserted, this, &PeopleWithoutChat::refresh);
        connect(chats, &QAbstractItemModel::rowsRemoved, this, &PeopleWithoutChat::refresh);
        connect(chats, &QAbstractItemModel::modelReset, this, &PeopleWithoutChat::refresh);
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_people.size());
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid))
            return {};
        const User &person = m_people.at(index.row());
        switch (role) {
        case ChatListModel::PersonIdRole:
        case ChatListModel::AvatarIdRole:
            return person.id;
        case Qt::DisplayRole:
        case ChatListModel::TitleRole:
            return person.name;
        case Qt::ToolTipRole:
        case ChatListModel::PreviewRole:
            return person.email;
        case ChatListModel::ChatIdRole:
            return QString();
        default:
            return {};
        }
    }

private:
    void refresh()
    {
        QList<User> people;
        for (int row = 0; row < m_search->rowCount(); ++row) {
            const User person = m_search->userAt(row);
            if (m_chats->personalChatWith(person.id).isEmpty())
                people.append(person);
        }
        if (people == m_people)
            return;
        if (!m_people.isEmpty()) {
            beginRemoveRows({}, 0, int(m_people.size()) - 1);
            m_people.clear();
            endRemoveRows();
        }
        if (!people.isEmpty()) {
            beginInsertRows({}, 0, int(people.size()) - 1);
            m_people = people;
            endInsertRows();
        }
    }

    UserSearchModel *m_search;
    ChatListModel *m_chats;
    QList<User> m_people;
};
} // namespace

ChatSearchModel::ChatSearchModel(
    ChatListModel *chats, ApiClient *api, const QString &currentUserId, QObject *parent)
    : QConcatenateTablesProxyModel(parent)
    , m_chats(chats)
    , m_chatFilter(new QSortFilterProxyModel(this))
    , m_people(new UserSearchModel(api, currentUserId, this))
{
    m_chatFilter->setSourceModel(chats);
    m_chatFilter->setFilterRole(ChatListModel::TitleRole);
    m_chatFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    addSourceModel(m_chatFilter);
    addSourceModel(new PeopleWithoutChat(m_people, chats, this));
}

void ChatSearchModel::setQuery(const QString &query)
{
    m_chatFilter->setFilterFixedString(query);
    // Too short a query clears the people (the server refuses to list
    // everyone by a letter); that also happens after the debounce.
    m_people->setQuery(query);
}

int ChatSearchModel::chatCount() const
{
    return m_chatFilter->rowCount();
}

QModelIndex ChatSearchModel::indexOfChat(const QString &chatId) const
{
    const int row = m_chats->rowOf(chatId);
    if (row < 0)
        return {};
    return mapFromSource(m_chatFilter->mapFromSource(m_chats->index(row)));
}

} // namespace Messenger::Client
