#pragma once

#include "Json.h"
#include "Limits.h"

#include <QUrlQuery>

// The query strings of the GET requests that take parameters: one struct per
// request, built by the clients (toQuery) and read by the server (fromQuery).
namespace Messenger {

// Where query-parameter errors are reported in a 422: {"loc": ["query", name]}.
inline QStringList queryLocation(QStringView name)
{
    return { QStringLiteral("query"), name.toString() };
}

// Reads typed query parameters. Only the first malformed parameter is
// reported (later reads do nothing once one failed), as the API always has.
class QueryReader
{
public:
    explicit QueryReader(const QUrlQuery &query)
        : m_query(query)
    { }

    bool has(QStringView name) const;
    // An integer within [min, max], or nullopt when absent or malformed.
    std::optional<qint64> integer(QStringView name, qint64 min, qint64 max);
    // The value percent-decoded and trimmed; empty when absent.
    QString text(QStringView name) const;

    void addError(QStringView name, const QString &msg, const QString &type);
    bool hasErrors() const { return !m_errors.isEmpty(); }
    template <typename T> Parsed<T> result(T value) const
    {
        if (hasErrors())
            return Parsed<T>(m_errors);
        return Parsed<T>(std::move(value));
    }

private:
    QUrlQuery m_query;
    QList<FieldError> m_errors;
};

// GET /chats/{id}/history?limit&offset|before_seq|after_seq|around_seq: at
// most one of the four starting points.
struct HistoryQuery
{
    int limit = Limits::historyPageDefault;
    int offset = 0;
    std::optional<qint64> beforeSeq = {}; // older than this seq
    std::optional<qint64> afterSeq = {}; // newer than this seq
    // The page centred on the message with this seq: limit / 2 older ones, it,
    // and the rest newer ones (newest first, as the default page).
    std::optional<qint64> aroundSeq = {};

    QUrlQuery toQuery() const;
    static Parsed<HistoryQuery> fromQuery(const QUrlQuery &query);

    static constexpr QStringView limitKey = u"limit";
    static constexpr QStringView offsetKey = u"offset";
    static constexpr QStringView beforeSeqKey = u"before_seq";
    static constexpr QStringView afterSeqKey = u"after_seq";
    static constexpr QStringView aroundSeqKey = u"around_seq";
};

// GET /updates?since_seq&limit
struct UpdatesQuery
{
    qint64 sinceSeq = 0;
    int limit = Limits::historyPageMax;

    QUrlQuery toQuery() const;
    static Parsed<UpdatesQuery> fromQuery(const QUrlQuery &query);

    static constexpr QStringView sinceSeqKey = u"since_seq";
    static constexpr QStringView limitKey = u"limit";
    static constexpr int limitMax = Limits::historyPageMax * 5;
};

// GET /users?query&limit: people whose name (or a word of it) or e-mail
// starts with `text`, trimmed, of Limits::userSearchQueryMin to
// Limits::userSearchQueryMax characters of storable text.
struct UserSearchQuery
{
    QString text;
    int limit = Limits::userSearchDefault;

    QUrlQuery toQuery() const;
    static Parsed<UserSearchQuery> fromQuery(const QUrlQuery &query);

    static constexpr QStringView textKey = u"query";
    static constexpr QStringView limitKey = u"limit";
};

// GET /search/messages?q&chat_id&limit&before: the caller's messages that
// contain every word of `q` (as a word prefix, case-insensitively), newest
// first. `q` is plain words, never a query language: everything but letters
// and digits separates words. `before` is the `next_before` of the previous
// page (a seq): the page continues with older messages.
struct MessageSearchQuery
{
    QString text;
    std::optional<QString> chatId = {};
    int limit = Limits::messageSearchDefault;
    std::optional<qint64> beforeSeq = {};

    // The distinct words of `text`, lower-cased, in order (see searchWords).
    QStringList words() const;

    QUrlQuery toQuery() const;
    static Parsed<MessageSearchQuery> fromQuery(const QUrlQuery &query);

    static constexpr QStringView textKey = u"q";
    static constexpr QStringView chatIdKey = u"chat_id";
    static constexpr QStringView limitKey = u"limit";
    static constexpr QStringView beforeKey = u"before";
};

// The query of a WebSocket's opening request: /ws/...?token&since_seq. The
// token may come in an Authorization header instead; since_seq resumes the
// event stream after that seq.
struct WsConnectQuery
{
    QString token;
    std::optional<qint64> sinceSeq = {};

    QUrlQuery toQuery() const;

    static constexpr QStringView tokenKey = u"token";
    static constexpr QStringView sinceSeqKey = u"since_seq";
};

} // namespace Messenger
