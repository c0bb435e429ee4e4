#include "SearchService.h"

#include "ChatAccess.h"
#include "MessageRows.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace Messenger::Server::SearchService {

namespace {

// The full-text query for `words`: every word as a prefix, all of them
// required. The words are letters and digits only (searchWords), so nothing
// of the user's text can be query syntax; FTS5 phrases are quoted anyway.
QString matchExpression(const Db &db, const QStringList &words)
{
    QStringList terms;
    for (const QString &word : words) {
        if (db.isPostgres())
            terms.append(word + u":*"_s);
        else
            terms.append(u'"' + QString(word).replace(u'"', u"\"\""_s) + u"\"*"_s);
    }
    return terms.join(db.isPostgres() ? u" & "_s : u" AND "_s);
}

// The caller's live messages matching `?` below seq `?`, in their chats
// (and one chat): the parameters are the match expression, the seq bound,
// the caller and the chat.
QString matchingSql(const Db &db, QStringView alias, bool inOneChat)
{
    const QString a = alias.toString();
    const QString matches = db.isPostgres()
        ? a + u".search_vector @@ to_tsquery('simple', ?)"_s
        : a + u".seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"_s;
    return matches + u" AND "_s + a + u".deleted_at IS NULL AND "_s + a + u".seq < ? AND "_s + a
        + u".chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = ?)"_s
        + (inOneChat ? u" AND "_s + a + u".chat_id = ?"_s : QString());
}

QString selectFound(const QString &where)
{
    return u"SELECT "_s + MessageRows::selectList() + u" FROM "_s + MessageRows::fromMessages()
        + u" WHERE "_s + where + u" ORDER BY m.seq DESC LIMIT ?"_s;
}

// PostgreSQL's planner cannot tell how common a prefix query's words are, and
// either plan alone is slow for one kind of query: walking the seq index
// backwards (fine for common words) reads the whole table for rare ones, and
// the GIN index (fine for rare words) fetches every match of a common one. So
// the newest `recentWindow` seqs are searched first, which finds a page of any
// word in more than about one message in a thousand; only if that is not a
// page, the GIN index alone (a fenced CTE) finds the rest, and then the words
// are rare, so there are few matches to fetch.
constexpr qint64 recentWindow = 20000;

QString olderThanWindowSql(const Db &db, bool inOneChat)
{
    return u"WITH hits AS MATERIALIZED (SELECT h.seq FROM messages h WHERE "_s
        + matchingSql(db, u"h", inOneChat) + u") "_s
        + selectFound(u"m.seq IN (SELECT seq FROM hits)"_s);
}

// The names the results show: a group's own, a personal chat's other member's
// (the caller's own for a chat with oneself).
QHash<QString, QString> chatNames(Db &db, const QString &callerId, const QStringList &chatIds)
{
    QHash<QString, QString> names;
    Rows rows = db.exec(u"SELECT c.id, c.name, (SELECT u.name FROM chat_members o "
                        "JOIN users u ON u.id = o.user_id WHERE o.chat_id = c.id "
                        "ORDER BY CASE WHEN o.user_id = ? THEN 1 ELSE 0 END, o.joined_at "
                        "LIMIT 1) FROM chats c WHERE c.id IN "_s
            + db.idSetSql(),
        { callerId, ChatAccess::idArray(chatIds) });
    while (rows.next())
        names.insert(rows.string(0), rows.isNull(1) ? rows.string(2) : rows.string(1));
    return names;
}

} // namespace

Result<MessageSearchPage> messages(Db &db, const QString &callerId, const MessageSearchQuery &query)
{
    if (query.chatId) {
        const auto membership = ChatAccess::requireMember(db, *query.chatId, callerId);
        if (!membership)
            return membership.error();
    }
    MessageSearchPage page;
    const QStringList words = query.words();
    if (words.isEmpty())
        return page; // only punctuation: nothing can match
    const bool inOneChat = query.chatId.has_value();
    const qint64 before = query.beforeSeq.value_or(std::numeric_limits<qint64>::max());
    const auto run = [&](const QString &sql, qint64 below, std::optional<qint64> from, qint64 count,
                         QList<Message> &into) {
        QVariantList values { matchExpression(db, words), below, callerId };
        if (inOneChat)
            values.append(*query.chatId);
        if (from)
            values.append(*from);
        values.append(count);
        Rows rows = db.exec(sql, values);
        while (rows.next())
            into.append(MessageRows::read(rows));
    };
    const qint64 wanted = qint64(query.limit) + 1; // one extra row tells whether more exist
    QList<Message> found;
    if (db.isPostgres()) {
        qint64 top = before;
        {
            Rows rows = db.exec(u"SELECT MAX(seq) + 1 FROM messages"_s);
            if (rows.next() && !rows.isNull(0))
                top = qMin(top, rows.integer(0));
        }
        const qint64 windowStart = top - recentWindow;
        run(selectFound(QString(matchingSql(db, u"m", inOneChat) + u" AND m.seq >= ?"_s)), top,
            windowStart, wanted, found);
        if (found.size() < wanted && windowStart > 0)
            run(olderThanWindowSql(db, inOneChat), windowStart, std::nullopt, wanted - found.size(),
                found);
    } else {
        run(selectFound(matchingSql(db, u"m", inOneChat)), before, std::nullopt, wanted, found);
    }
    page.hasMore = found.size() > query.limit;
    if (page.hasMore) {
        found.removeLast();
        page.nextBefore = found.last().seq;
    }
    QStringList chatIds;
    for (const Message &message : std::as_const(found)) {
        if (!chatIds.contains(message.chatId))
            chatIds.append(message.chatId);
    }
    const QHash<QString, QString> names = chatNames(db, callerId, chatIds);
    QHash<QString, MessageRows::ReadHorizon> horizons;
    for (const QString &chatId : std::as_const(chatIds))
        horizons.insert(chatId, MessageRows::ReadHorizon::load(db, chatId));
    for (Message &message : found) {
        message.isRead = horizons.value(message.chatId).isRead(message.senderId, message.seq);
        MessageSearchResult result;
        result.chatId = message.chatId;
        result.chatName = names.value(message.chatId);
        result.snippet = Snippet::of(message.text, words);
        result.message = std::move(message);
        page.results.append(std::move(result));
    }
    return page;
}

} // namespace Messenger::Server::SearchService
