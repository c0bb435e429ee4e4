#include "ChatSearchModel.h"

#include "ChatListModel.h"
#include "UserSearchModel.h"

#include <QSortFilterProxyModel>

namespace Messenger::Client {

namespace {
// The people found, minus those the user already has a personal chat with
// (that chat is in the chats part when the name matches), speaking the chat
// list's roles so one delegate paints both parts.
class PeopleWithoutChat : public QSortFilterProxyModel
{
public:
    PeopleWithoutChat(UserSearchModel *people, ChatListModel *chats, QObject *parent)
        : QSortFilterProxyModel(parent)
        , m_chats(chats)
    {
        setSourceModel(people);
        // A personal chat started (or gone) changes who belongs here.
        connect(chats, &QAbstractItemModel::rowsInserted, this, [this] { invalidateFilter(); });
        connect(chats, &QAbstractItemModel::rowsRemoved, this, [this] { invalidateFilter(); });
        connect(chats, &QAbstractItemModel::modelReset, this, [this] { invalidateFilter(); });
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        const QModelIndex source = mapToSource(index);
        switch (role) {
        case ChatListModel::PersonIdRole:
        case ChatListModel::AvatarIdRole:
            return source.data(UserSearchModel::UserIdRole);
        case Qt::DisplayRole:
        case ChatListModel::TitleRole:
            return source.data(UserSearchModel::NameRole);
        case Qt::ToolTipRole:
        case ChatListModel::PreviewRole:
            return source.data(UserSearchModel::EmailRole);
        case ChatListModel::ChatIdRole:
            return QString();
        default:
            return {};
        }
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        const QString userId = sourceModel()
                                   ->index(sourceRow, 0, sourceParent)
                                   .data(UserSearchModel::UserIdRole)
                                   .toString();
        return m_chats->personalChatWith(userId).isEmpty();
    }

private:
    ChatListModel *m_chats;
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
    m_query = query;
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
