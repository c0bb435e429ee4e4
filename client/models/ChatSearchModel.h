#pragma once

#include <QConcatenateTablesProxyModel>

class QSortFilterProxyModel;

namespace Messenger::Client {

class ApiClient;
class ChatListModel;
class UserSearchModel;

// What a search over the chat list finds: first the chats whose name matches
// (in the list's order, all of them for an empty query), then the people the
// server's user search finds (GET /users?query=) who have no personal chat
// with the user yet. People rows answer ChatListModel's roles (TitleRole,
// AvatarIdRole, PreviewRole is their email) and PersonIdRole; ChatIdRole is
// empty on them. The chat list and the quick switcher both show this.
class ChatSearchModel : public QConcatenateTablesProxyModel
{
    Q_OBJECT
public:
    ChatSearchModel(ChatListModel *chats, ApiClient *api, const QString &currentUserId,
        QObject *parent = nullptr);

    void setQuery(const QString &query);
    // The chats part; its row n is this model's row n.
    QSortFilterProxyModel *chatFilter() const { return m_chatFilter; }
    int chatCount() const;
    // The people search behind the second part (searchFinished() tells when
    // its rows are in).
    UserSearchModel *people() const { return m_people; }
    // `chatId`'s row here, invalid when the filter hides it.
    QModelIndex indexOfChat(const QString &chatId) const;

private:
    ChatListModel *m_chats;
    QSortFilterProxyModel *m_chatFilter;
    UserSearchModel *m_people;
};

} // namespace Messenger::Client
