#pragma once

#include "shared/Search.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QTimer>

namespace Messenger::Client {

class ApiClient;

// Messages found by the server's search (GET /search/messages) as the user
// types: debounced, newest first, in one chat or in all, the next page
// fetched on demand (fetchMore(), as a view scrolled to its end asks).
// Answers to older queries are dropped. status() says whether anything is
// under way, and why nothing was found.
class MessageSearchModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles {
        MessageIdRole = Qt::UserRole + 1,
        MessageSeqRole, // the message's global seq (history's around_seq)
        ChatIdRole,
        ChatNameRole,
        SenderIdRole,
        SenderNameRole,
        SnippetRole, // plain text around the first match
        HighlightsRole, // QList<Messenger::TextRange> in SnippetRole
        TimeRole, // QDateTime, local
    };
    Q_ENUM(Roles)

    enum class Status {
        Idle, // no query (or one with no words)
        Searching, // a page is on its way
        Done, // what the server found is here (maybe nothing)
        Offline, // the server cannot be reached
        Failed, // the server refused; errorText() says why
    };
    Q_ENUM(Status)

    explicit MessageSearchModel(ApiClient *api, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent = {}) const override;
    void fetchMore(const QModelIndex &parent = {}) override;

    // Only this chat's messages (empty: every chat of the user's).
    void setChatId(const QString &chatId);
    // Searches shortly after the last call (typing); an empty query clears.
    void setQuery(const QString &query);
    QString query() const { return m_query; }
    // Searches now, without waiting for the debounce.
    void searchNow();
    // A query typed that the debounce has not searched yet.
    bool isPending() const { return m_debounce.isActive(); }
    Status status() const { return m_status; }
    QString errorText() const { return m_error; }
    bool hasMore() const { return m_nextBefore.has_value(); }
    const Messenger::MessageSearchResult &resultAt(int row) const { return m_results.at(row); }

    static constexpr int debounceMs = 300;

Q_SIGNALS:
    void statusChanged();

private:
    void requestPage(std::optional<qint64> before);
    void setStatus(Status status, const QString &error = {});

    QPointer<ApiClient> m_api;
    QString m_chatId;
    QString m_query;
    QList<Messenger::MessageSearchResult> m_results;
    std::optional<qint64> m_nextBefore;
    QTimer m_debounce;
    quint64 m_generation = 0;
    Status m_status = Status::Idle;
    QString m_error;
};

} // namespace Messenger::Client

Q_DECLARE_METATYPE(QList<Messenger::TextRange>)
