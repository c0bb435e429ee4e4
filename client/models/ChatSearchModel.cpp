#include "ChatSearchModel.h"

#include "ChatListModel.h"
#include "MessageSearchModel.h"
#include "UserSearchModel.h"

#include <QAbstractListModel>
#include <QIdentityProxyModel>
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
        case ChatListModel::AvatarUrlRole:
            return person.avatarUrl.value_or(QString());
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

// The messages found, speaking the chat list's roles (and ChatSearchModel's
// own) so that the one delegate paints them.
class FoundMessages : public QIdentityProxyModel
{
public:
    FoundMessages(MessageSearchModel *search, ChatListModel *chats, QObject *parent)
        : QIdentityProxyModel(parent)
        , m_chats(chats)
    {
        setSourceModel(search);
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid))
            return {};
        const auto source = [&](int sourceRole) { return mapToSource(index).data(sourceRole); };
        switch (role) {
        case ChatSearchModel::FoundMessageIdRole:
            return source(MessageSearchModel::MessageIdRole);
        case ChatSearchModel::FoundMessageSeqRole:
            return source(MessageSearchModel::MessageSeqRole);
        case ChatSearchModel::SnippetHighlightsRole:
            return source(MessageSearchModel::HighlightsRole);
        case ChatListModel::ChatIdRole:
            return source(MessageSearchModel::ChatIdRole);
        case Qt::DisplayRole:
        case ChatListModel::TitleRole:
            return source(MessageSearchModel::ChatNameRole);
        case ChatListModel::AvatarIdRole: {
            // The chat's colour, as its row in the list has it.
            const QString chatId = source(MessageSearchModel::ChatIdRole).toString();
            const int row = m_chats->rowOf(chatId);
            return row >= 0 ? m_chats->index(row).data(ChatListModel::AvatarIdRole)
                            : QVariant(chatId);
        }
        case ChatListModel::AvatarUrlRole: {
            const int row = m_chats->rowOf(source(MessageSearchModel::ChatIdRole).toString());
            return row >= 0 ? m_chats->index(row).data(ChatListModel::AvatarUrlRole) : QVariant();
        }
        case ChatListModel::IsGroupRole: {
            const int row = m_chats->rowOf(source(MessageSearchModel::ChatIdRole).toString());
            return row >= 0 && m_chats->index(row).data(ChatListModel::IsGroupRole).toBool();
        }
        case ChatListModel::PreviewSenderRole:
            return source(MessageSearchModel::SenderNameRole);
        case Qt::ToolTipRole:
        case ChatListModel::PreviewRole:
            return source(MessageSearchModel::SnippetRole);
        case ChatListModel::ActivityTimeRole:
            return source(MessageSearchModel::TimeRole);
        case ChatListModel::PersonIdRole:
            return QString();
        default:
            return {};
        }
    }

private:
    ChatListModel *m_chats;
};

// One row under "Messages" when there are none to show: nothing found, no
// connection, or the server's refusal; no row while searching or idle.
class MessageSearchStatus : public QAbstractListModel
{
public:
    MessageSearchStatus(MessageSearchModel *search, QObject *parent)
        : QAbstractListModel(parent)
        , m_search(search)
    {
        connect(search, &MessageSearchModel::statusChanged, this, &MessageSearchStatus::refresh);
        connect(search, &QAbstractItemModel::rowsInserted, this, &MessageSearchStatus::refresh);
        connect(search, &QAbstractItemModel::rowsRemoved, this, &MessageSearchStatus::refresh);
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() || m_text.isEmpty() ? 0 : 1;
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid))
            return {};
        switch (role) {
        case Qt::DisplayRole:
        case ChatSearchModel::SearchStatusRole:
            return m_text;
        case ChatListModel::ChatIdRole:
        case ChatListModel::PersonIdRole:
        case ChatSearchModel::FoundMessageIdRole:
            return QString();
        default:
            return {};
        }
    }

    Qt::ItemFlags flags(const QModelIndex &index) const override
    {
        return index.isValid() ? Qt::ItemIsEnabled : Qt::NoItemFlags; // not selectable
    }

private:
    void refresh()
    {
        QString text;
        if (m_search->rowCount() == 0) {
            switch (m_search->status()) {
            case MessageSearchModel::Status::Done:
                text = ChatSearchModel::tr("No messages found");
                break;
            case MessageSearchModel::Status::Offline:
                text = ChatSearchModel::tr("Offline: messages are searched on the server");
                break;
            case MessageSearchModel::Status::Failed:
                text = ChatSearchModel::tr("Message search failed: %1").arg(m_search->errorText());
                break;
            case MessageSearchModel::Status::Idle:
            case MessageSearchModel::Status::Searching:
                break;
            }
        }
        if (text == m_text)
            return;
        if (!m_text.isEmpty()) {
            beginRemoveRows({}, 0, 0);
            m_text.clear();
            endRemoveRows();
        }
        if (!text.isEmpty()) {
            beginInsertRows({}, 0, 0);
            m_text = text;
            endInsertRows();
        }
    }

    MessageSearchModel *m_search;
    QString m_text;
};
// The chats part: chats whose name matches the query; with no query, those
// of the main list or, showing the archive, the archived ones.
class ChatFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setShowArchived(bool archived)
    {
        if (m_showArchived == archived)
            return;
        m_showArchived = archived;
        invalidateRowsFilter();
    }
    bool showsArchived() const { return m_showArchived; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        if (!QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent))
            return false;
        if (!filterRegularExpression().pattern().isEmpty())
            return true;
        return sourceModel()
                   ->index(sourceRow, 0, sourceParent)
                   .data(ChatListModel::ArchivedRole)
                   .toBool()
            == m_showArchived;
    }

private:
    bool m_showArchived = false;
};

} // namespace

ChatSearchModel::ChatSearchModel(
    ChatListModel *chats, ApiClient *api, const QString &currentUserId, QObject *parent)
    : QConcatenateTablesProxyModel(parent)
    , m_chats(chats)
    , m_api(api)
    , m_chatFilter(new ChatFilter(this))
    , m_people(new UserSearchModel(api, currentUserId, this))
{
    m_chatFilter->setSourceModel(chats);
    m_chatFilter->setFilterRole(ChatListModel::TitleRole);
    m_chatFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    // A chat archived or unarchived moves between the lists.
    m_chatFilter->setDynamicSortFilter(true);
    addSourceModel(m_chatFilter);
    addSourceModel(new PeopleWithoutChat(m_people, chats, this));
}

void ChatSearchModel::setQuery(const QString &query)
{
    m_chatFilter->setFilterFixedString(query);
    // Too short a query clears the people (the server refuses to list
    // everyone by a letter); that also happens after the debounce.
    m_people->setQuery(query);
    if (m_messages)
        m_messages->setQuery(query);
}

void ChatSearchModel::setShowArchived(bool archived)
{
    static_cast<ChatFilter *>(m_chatFilter)->setShowArchived(archived);
}

bool ChatSearchModel::showsArchived() const
{
    return static_cast<ChatFilter *>(m_chatFilter)->showsArchived();
}

void ChatSearchModel::includeMessages()
{
    if (m_messages)
        return;
    m_messages = new MessageSearchModel(m_api, this);
    addSourceModel(new FoundMessages(m_messages, m_chats, this));
    addSourceModel(new MessageSearchStatus(m_messages, this));
}

bool ChatSearchModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_messages && m_messages->canFetchMore();
}

void ChatSearchModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        m_messages->fetchMore();
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
