#include "MessageSearchModel.h"

#include "client/api/ApiClient.h"
#include "shared/Queries.h"

#include <QDateTime>

namespace Messenger::Client {

MessageSearchModel::MessageSearchModel(ApiClient *api, QObject *parent)
    : QAbstractListModel(parent)
    , m_api(api)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(debounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &MessageSearchModel::searchNow);
}

int MessageSearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_results.size());
}

QVariant MessageSearchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageSearchResult &result = m_results.at(index.row());
    switch (role) {
    case MessageIdRole:
        return result.message.id;
    case MessageSeqRole:
        return result.message.seq;
    case ChatIdRole:
        return result.chatId;
    case ChatNameRole:
        return result.chatName;
    case SenderIdRole:
        return result.message.senderId;
    case SenderNameRole:
        return result.message.sender.name;
    case Qt::DisplayRole:
    case SnippetRole:
        return result.snippet.text;
    case HighlightsRole:
        return QVariant::fromValue(result.snippet.highlights);
    case TimeRole:
        return QDateTime::fromMSecsSinceEpoch(result.message.timestamp / 1000).toLocalTime();
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageSearchModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({ { MessageIdRole, "messageId" }, { MessageSeqRole, "messageSeq" },
        { ChatIdRole, "chatId" }, { ChatNameRole, "chatName" }, { SenderIdRole, "senderId" },
        { SenderNameRole, "senderName" }, { SnippetRole, "snippet" },
        { HighlightsRole, "highlights" }, { TimeRole, "time" } });
    return names;
}

bool MessageSearchModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_nextBefore && m_status == Status::Done;
}

void MessageSearchModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage(m_nextBefore);
}

void MessageSearchModel::setChatId(const QString &chatId)
{
    m_chatId = chatId;
}

void MessageSearchModel::setQuery(const QString &query)
{
    m_query = query.trimmed();
    m_debounce.start();
}

void MessageSearchModel::searchNow()
{
    m_debounce.stop();
    ++m_generation; // whatever is on its way answers an older query
    if (!m_results.isEmpty()) {
        beginRemoveRows({}, 0, int(m_results.size()) - 1);
        m_results.clear();
        endRemoveRows();
    }
    m_nextBefore.reset();
    // A query of no words (punctuation only) finds nothing: the server
    // refuses it, so it is not asked.
    if (searchWords(m_query).isEmpty() || !m_api) {
        setStatus(Status::Idle);
        return;
    }
    requestPage(std::nullopt);
}

void MessageSearchModel::requestPage(std::optional<qint64> before)
{
    MessageSearchQuery query;
    query.text = m_query.left(Limits::messageSearchQueryMax);
    if (!m_chatId.isEmpty())
        query.chatId = m_chatId;
    query.beforeSeq = before;
    const quint64 generation = m_generation;
    setStatus(Status::Searching);
    m_api->searchMessages(query).then(
        this, [this, generation](const ApiResult<MessageSearchPage> &result) {
            if (generation != m_generation)
                return; // the user has typed on: a newer search is under way
            if (!result) {
                const ApiError &error = result.error();
                setStatus(error.kind == ApiError::Kind::Network ? Status::Offline : Status::Failed,
                    error.message());
                return;
            }
            const MessageSearchPage &page = result.value();
            m_nextBefore = page.hasMore ? page.nextBefore : std::nullopt;
            // The server reads a bounded window per request when every word
            // is common, so a page may be empty while older matches exist:
            // ask on at once rather than show "No messages found".
            if (page.results.isEmpty() && m_nextBefore) {
                requestPage(m_nextBefore);
                return;
            }
            if (!page.results.isEmpty()) {
                const int first = int(m_results.size());
                beginInsertRows({}, first, first + int(page.results.size()) - 1);
                m_results.append(page.results);
                endInsertRows();
            }
            setStatus(Status::Done);
        });
}

void MessageSearchModel::setStatus(Status status, const QString &error)
{
    if (status == m_status && error == m_error)
        return;
    m_status = status;
    m_error = error;
    Q_EMIT statusChanged();
}

} // namespace Messenger::Client
