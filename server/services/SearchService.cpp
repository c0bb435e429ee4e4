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

// The found messages with these seqs, newest first.
QString selectBySeqs(const QString &seqs)
{
    return u"SELECT "_s + MessageRows::selectList() + u" FROM "_s + MessageRows::fromMessages()
        + u" WHERE m.seq IN ("_s + seqs + u") ORDER BY m.seq DESC"_s;
}

QList<Message> readMessages(Rows rows)
{
    QList<Message> messages;
    while (rows.next())
        messages.append(MessageRows::read(rows));
    return messages;
}

// What one search runs on: the caller, the match expression, the optional
// chat and the seq below which to look.
struct Search
{
    const QString &callerId;
    QString match;
    std::optional<QString> chatId;
    qint64 before = 0;
};

// SQLite: FTS5 finds the matches (a rowid is a message's seq), which the
// planner then filters by seq, chat and membership and orders by seq.
QList<Message> searchSqlite(Db &db, const Search &search, qint64 wanted)
{
    QVariantList values { search.match, search.before, search.callerId };
    if (search.chatId)
        values.append(*search.chatId);
    values.append(wanted);
    return readMessages(
        db.exec(u"SELECT "_s + MessageRows::selectList() + u" FROM "_s + MessageRows::fromMessages()
                + u" WHERE m.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) "
                  "AND m.deleted_at IS NULL AND m.seq < ? "
                  "AND m.chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = ?)"_s
                + (search.chatId ? u" AND m.chat_id = ?"_s : QString())
                + u" ORDER BY m.seq DESC LIMIT ?"_s,
            values));
}

// PostgreSQL. Its planner cannot tell how common a prefix query's words are,
// and either plan alone is slow for one kind of query: walking an index on
// seq backwards (fine for common words) reads every row for rare ones, and
// the GIN index (fine for rare words) fetches every match of a common one and
// costs about 50 ms per 80,000 matches of each word even before that. So a
// window of the newest messages is read first along the seq index: the
// newest `recentWindow` seqs of the server, or the newest `chatWindow`
// messages of the one chat searched. That finds a page of any word in more
// than about one message in 500 (1 in 250 in a chat) after reading only as
// many rows as it takes. Only if it is not a page and older messages exist
// does the GIN index find the rest; the words are then rare in the window,
// so usually rare overall. The statements are prepared once and then run
// with a generic plan that knows none of the values, so each step is fenced
// to have one plan whatever the values: the window as a subquery with
// OFFSET 0 (conditions outside it are not pushed into it, and it is read
// lazily until the LIMIT is reached), the GIN step as MATERIALIZED CTEs with
// only the match and the chat inside (with the seq bound inside too, a
// generic plan ANDs the GIN bitmap with a bitmap of ~every seq: 130 ms).
constexpr qint64 recentWindow = 10000;
constexpr qint64 chatWindow = 5000;

// The lowest seq of the window below `search.before`, or 0 when the window
// reaches back to the first message (then nothing is older).
qint64 windowStart(Db &db, const Search &search)
{
    if (search.chatId) {
        Rows rows = db.exec(u"SELECT seq FROM messages WHERE chat_id = ? AND seq < ? "
                            "ORDER BY seq DESC OFFSET ? LIMIT 1"_s,
            { *search.chatId, search.before, chatWindow - 1 });
        return rows.next() ? rows.integer(0) : 0;
    }
    qint64 top = search.before;
    Rows rows = db.exec(u"SELECT MAX(seq) + 1 FROM messages"_s);
    if (rows.next() && !rows.isNull(0))
        top = qMin(top, rows.integer(0));
    return qMax<qint64>(0, top - recentWindow);
}

const QString &membershipSql()
{
    static const QString sql = u"chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = ?)"_s;
    return sql;
}

QList<Message> searchPostgresWindow(Db &db, const Search &search, qint64 start, qint64 wanted)
{
    QVariantList values { start, search.before };
    if (search.chatId)
        values.append(*search.chatId);
    values << search.match << search.callerId << wanted;
    return readMessages(db.exec(selectBySeqs(u"SELECT w.seq FROM (SELECT seq, chat_id, "
                                             "search_vector, deleted_at FROM messages "
                                             "WHERE seq >= ? AND seq < ?"_s
                                    + (search.chatId ? u" AND chat_id = ?"_s : QString())
                                    + u" ORDER BY seq DESC OFFSET 0) w "
                                      "WHERE w.search_vector @@ to_tsquery('simple', ?) "
                                      "AND w.deleted_at IS NULL AND w."_s
                                    + membershipSql() + u" ORDER BY w.seq DESC LIMIT ?"_s),
        values));
}

// How many messages each word (as a prefix) is estimated to be in, from the
// statistics ANALYZE keeps on search_vector: the sum of the frequencies of
// its most common lexemes that start with it, or, for a word none of them
// starts with, the lowest frequency they list. Empty without statistics (a
// table too young for ANALYZE is small enough for any plan).
QHash<QString, double> estimatedMatches(Db &db, const QStringList &words)
{
    QStringList patterns;
    for (const QString &word : words)
        patterns.append(word + u'%'); // words are letters and digits only: no LIKE syntax
    Rows rows = db.exec(u"SELECT e.lexeme, e.frequency, c.reltuples FROM pg_stats s "
                        "JOIN pg_class c ON c.oid = CAST('messages' AS regclass), "
                        "unnest(CAST(CAST(s.most_common_elems AS text) AS text[]), "
                        "s.most_common_elem_freqs) AS e(lexeme, frequency) "
                        "WHERE s.schemaname = current_schema() AND s.tablename = 'messages' "
                        "AND s.attname = 'search_vector' "
                        "AND (e.lexeme IS NULL OR e.lexeme LIKE ANY (CAST(? AS text[])))"_s,
        { QVariant(u"{"_s + patterns.join(u',') + u"}"_s) });
    QHash<QString, double> frequencies;
    std::optional<double> lowest;
    double total = 0;
    while (rows.next()) {
        total = rows.value(2).toDouble();
        if (rows.isNull(0)) {
            // After the lexemes' own frequencies come three more: the
            // lowest, the highest and the share of empty vectors.
            if (!lowest)
                lowest = rows.value(1).toDouble();
            continue;
        }
        const QString lexeme = rows.string(0);
        for (const QString &word : words) {
            if (lexeme.startsWith(word))
                frequencies[word] += rows.value(1).toDouble();
        }
    }
    QHash<QString, double> matches;
    if (!lowest)
        return matches;
    for (const QString &word : words)
        matches.insert(word, qMin(1.0, frequencies.value(word, *lowest)) * total);
    return matches;
}

// Below the window, the GIN index finds the messages of the query's rarest
// word, and only those rows are checked against the whole query. (Given all
// the words, GIN builds a bitmap of every match of each: 50 ms per 80,000
// matches of a common word, seconds for a one-letter prefix.)
QList<Message> searchPostgresOlder(
    Db &db, const Search &search, const QString &rarestWord, qint64 below, qint64 wanted)
{
    QVariantList values { matchExpression(db, { rarestWord }), search.match, below };
    if (search.chatId)
        values.append(*search.chatId);
    values << search.callerId << wanted;
    return readMessages(db.exec(u"WITH hits AS MATERIALIZED (SELECT seq, chat_id, search_vector "
                                "FROM messages WHERE search_vector @@ to_tsquery('simple', ?) "
                                "AND deleted_at IS NULL), "
                                "newest AS MATERIALIZED (SELECT seq FROM hits "
                                "WHERE search_vector @@ to_tsquery('simple', ?) AND seq < ?"_s
            + (search.chatId ? u" AND chat_id = ?"_s : QString()) + u" AND "_s + membershipSql()
            + u" ORDER BY seq DESC LIMIT ?) "_s + selectBySeqs(u"SELECT seq FROM newest"_s),
        values));
}

// What one request found, and where the next page starts when the search
// stopped short of the oldest message (see searchPostgres).
struct Found
{
    QList<Message> messages;
    std::optional<qint64> stoppedAt;
};

// The GIN step runs only when the rarest word is estimated in at most this
// many messages. Otherwise every word is common, so later windows will find
// them: the request answers with what its window found and the seq where it
// stopped, and each further page reads the next window.
constexpr double indexedMatchesMax = 20000;

Found searchPostgres(Db &db, const Search &search, const QStringList &words, qint64 wanted)
{
    const qint64 start = windowStart(db, search);
    Found found { searchPostgresWindow(db, search, start, wanted), std::nullopt };
    if (found.messages.size() >= wanted || start == 0)
        return found;
    const QHash<QString, double> matches = estimatedMatches(db, words);
    QString rarest = words.first();
    for (const QString &word : words) {
        if (matches.value(word) < matches.value(rarest))
            rarest = word;
    }
    if (matches.value(rarest) > indexedMatchesMax) {
        found.stoppedAt = start;
        return found;
    }
    found.messages
        += searchPostgresOlder(db, search, rarest, start, wanted - found.messages.size());
    return found;
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
    const Search search { callerId, matchExpression(db, words), query.chatId,
        query.beforeSeq.value_or(std::numeric_limits<qint64>::max()) };
    const qint64 wanted = qint64(query.limit) + 1; // one extra row tells whether more exist
    Found found = db.isPostgres() ? searchPostgres(db, search, words, wanted)
                                  : Found { searchSqlite(db, search, wanted), std::nullopt };
    if (found.messages.size() > query.limit) {
        found.messages.removeLast();
        page.hasMore = true;
        page.nextBefore = found.messages.last().seq;
    } else if (found.stoppedAt) {
        page.hasMore = true;
        page.nextBefore = *found.stoppedAt;
    }
    QStringList chatIds;
    for (const Message &message : std::as_const(found.messages)) {
        if (!chatIds.contains(message.chatId))
            chatIds.append(message.chatId);
    }
    const QHash<QString, QString> names = chatNames(db, callerId, chatIds);
    QHash<QString, MessageRows::ReadHorizon> horizons;
    for (const QString &chatId : std::as_const(chatIds))
        horizons.insert(chatId, MessageRows::ReadHorizon::load(db, chatId));
    for (Message &message : found.messages) {
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
