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

QString searchSql(const Db &db, bool inOneChat)
{
    const QString matches = db.isPostgres()
        ? u"m.search_vector @@ to_tsquery('simple', ?)"_s
        : u"m.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"_s;
    return u"SELECT "_s + MessageRows::selectList() + u" FROM "_s + MessageRows::fromMessages()
        + u" WHERE "_s + matches
        + u" AND m.deleted_at IS NULL AND m.seq < ?"
          " AND m.chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = ?)"_s
        + (inOneChat ? u" AND m.chat_id = ?"_s : QString()) + u" ORDER BY m.seq DESC LIMIT ?"_s;
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
    QVariantList values { matchExpression(db, words),
        query.beforeSeq.value_or(std::numeric_limits<qint64>::max()), callerId };
    if (query.chatId)
        values.append(*query.chatId);
    values.append(qint64(query.limit) + 1); // one extra row tells whether more exist
    QList<Message> found;
    {
        Rows rows = db.exec(searchSql(db, query.chatId.has_value()), values);
        while (rows.next())
            found.append(MessageRows::read(rows));
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
