#pragma once

#include <QConcatenateTablesProxyModel>

class QSortFilterProxyModel;

namespace Messenger::Client {

class ApiClient;
class ChatListModel;
class MessageSearchModel;
class UserSearchModel;

// What a search over the chat list finds: first the chats whose name matches
// (in the list's order; for an empty query, all of the main list, or of the
// archive with setShowArchived()), then the people the
// server's user search finds (GET /users?query=) who have no personal chat
// with the user yet. People rows answer ChatListModel's roles (TitleRole,
// AvatarIdRole, PreviewRole is their email) and PersonIdRole; ChatIdRole is
// empty on them. The chat list and the quick switcher both show this. With
// includeMessages(), the messages the server's message search finds follow
// (a "Messages" section: rows with FoundMessageIdRole, ChatIdRole their
// chat's, TitleRole the chat's name, PreviewSenderRole the sender,
// PreviewRole the snippet, ActivityTimeRole when it was sent), and when it
// finds none, or cannot search, one row saying so (SearchStatusRole).
class ChatSearchModel : public QConcatenateTablesProxyModel
{
    Q_OBJECT
public:
    enum Roles {
        FoundMessageIdRole = Qt::UserRole + 100, // past ChatListModel's roles
        FoundMessageSeqRole,
        SnippetHighlightsRole, // QList<Messenger::TextRange> in PreviewRole
        SearchStatusRole, // "No messages found" and the like, on the status row
    };
    Q_ENUM(Roles)

    ChatSearchModel(ChatListModel *chats, ApiClient *api, const QString &currentUserId,
        QObject *parent = nullptr);

    // Adds the "Messages" section (the chat list has it; the quick switcher not).
    void includeMessages();
    void setQuery(const QString &query);
    // Which chats the chats part lists without a query: those in the main
    // list (false) or the archived ones (true). A query finds chats in both.
    void setShowArchived(bool archived);
    bool showsArchived() const;
    // The next page of messages found, when the view reaches the end.
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    // The message search behind the "Messages" section; null without it.
    MessageSearchModel *messages() const { return m_messages; }
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
    ApiClient *m_api;
    QSortFilterProxyModel *m_chatFilter;
    UserSearchModel *m_people;
    MessageSearchModel *m_messages = nullptr;
};

} // namespace Messenger::Client
