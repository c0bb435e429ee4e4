#include "MessageService.h"

#include "db/DbError.h"
#include "files/FileService.h"
#include "observability/Metrics.h"

#include "ChatAccess.h"
#include "ChatSettingsService.h"
#include "EventLog.h"
#include "MessageRows.h"
#include "shared/Chat.h"
#include "shared/Events.h"
#include "shared/Limits.h"
#include "shared/WsEvents.h"

#include <QSet>
#include <QUuid>

#include <numeric>

using namespace Qt::StringLiterals;

namespace Messenger::Server::MessageService {

namespace {

QString selectMessages(QStringView where)
{
    return u"SELECT "_s + MessageRows::selectList() + u" FROM "_s + MessageRows::fromMessages()
        + u" WHERE "_s + where;
}

std::optional<Message> findMessage(Db &db, const QString &messageId)
{
    Rows rows = db.exec(selectMessages(u"m.id = ?"), { messageId });
    if (!rows.next())
        return std::nullopt;
    return MessageRows::read(rows);
}

Message withReadState(Db &db, Message message)
{
    message.isRead
        = MessageRows::ReadHorizon::load(db, message.chatId).isRead(message.senderId, message.seq);
    return message;
}

ApiError messageNotFound()
{
    return ApiError::notFound(u"message_not_found"_s, u"Message not found"_s);
}

// A reply_to_id that names no message of the chat: missing, or in another
// chat (whether the caller is in that one or not), answered alike so that
// ids do not leak.
ApiError replyTargetNotFound()
{
    return ApiError::notFound(
        u"reply_target_not_found"_s, u"The message to reply to is not in this chat"_s);
}

ApiError replyTargetDeleted()
{
    return ApiError::conflict(
        u"reply_target_deleted"_s, u"A deleted message cannot be replied to"_s);
}

// The preview of the message a send replies to: a message of the same chat,
// not deleted. The caller's membership of the chat is checked before.
Result<ReplyPreview> replyTarget(Db &db, const SendMessageRequest &request)
{
    Rows rows = db.exec(u"SELECT r.chat_id, "_s + MessageRows::replyColumns()
            + u" FROM messages r LEFT JOIN users ru ON ru.id = r.sender_id WHERE r.id = ?"_s,
        { *request.replyToId });
    if (!rows.next() || rows.string(0) != request.chatId)
        return replyTargetNotFound();
    std::optional<ReplyPreview> preview = MessageRows::readReply(rows, 1);
    if (!preview)
        return replyTargetNotFound();
    if (preview->deleted)
        return replyTargetDeleted();
    return *preview;
}

// A message the caller may act on: it exists and the caller is in its chat.
// Non-members get the same 404 as for a missing message, so ids do not leak.
Result<Message> visibleMessage(Db &db, const QString &callerId, const QString &messageId)
{
    auto message = findMessage(db, messageId);
    if (!message)
        return messageNotFound();
    if (!ChatAccess::requireMember(db, message->chatId, callerId))
        return messageNotFound();
    return *message;
}

Result<Message> ownMessage(Db &db, const QString &callerId, const QString &messageId)
{
    Result<Message> message = visibleMessage(db, callerId, messageId);
    if (message && message.value().senderId != callerId)
        return ApiError::forbidden(
            u"not_message_sender"_s, u"You can only change your own messages"_s);
    return message;
}

std::optional<Message> byClientId(Db &db, const QString &senderId, const QString &clientId)
{
    Rows rows
        = db.exec(selectMessages(u"m.sender_id = ? AND m.client_id = ?"), { senderId, clientId });
    if (!rows.next())
        return std::nullopt;
    return MessageRows::read(rows);
}

// A message about to be stored: everything but its sender's details and seqs.
Message newMessage(const QString &callerId, const SendMessageRequest &request)
{
    Message message;
    message.id = newUuid();
    message.chatId = request.chatId;
    message.senderId = callerId;
    message.text = request.text;
    message.timestamp = currentTimestamp();
    message.clientId = request.clientId;
    return message;
}

Result<Message> replayed(Db &db, const SendMessageRequest &request, Message existing)
{
    if (existing.chatId != request.chatId)
        return ApiError::conflict(
            u"client_id_reused"_s, u"This client_id was already used for another chat"_s);
    return withReadState(db, std::move(existing));
}

// Gives a message about to be stored in its chat the chat's next chat_seq and
// the next global seq. Locking the chat row first orders messages: within a
// chat, seq and chat_seq are assigned in the same order. False when the chat
// is gone.
bool assignSeqs(Db &db, Message &message)
{
    Rows rows = db.isPostgres()
        ? db.exec(u"UPDATE chats SET last_chat_seq = last_chat_seq + 1, "
                  "last_seq = nextval('global_seq') "
                  "WHERE id = ? AND pg_current_xact_id() IS NOT NULL " // xid first, see
                                                                       // Db::nextSeq
                  "RETURNING last_chat_seq, last_seq"_s,
            { message.chatId })
        : db.exec(u"UPDATE chats SET last_chat_seq = last_chat_seq + 1, last_seq = ? "
                  "WHERE id = ? RETURNING last_chat_seq, last_seq"_s,
            { db.nextSeq(), message.chatId });
    if (!rows.next())
        return false;
    message.chatSeq = rows.integer(0);
    message.seq = rows.integer(1);
    return true;
}

// The users of `request.mentions` who are members of its chat, in the order
// sent, without the sender (PostgreSQL's batch does the same in SQL).
QStringList mentionedMembers(Db &db, const QString &callerId, const SendMessageRequest &request)
{
    if (request.mentions.isEmpty())
        return {};
    QSet<QString> members;
    Rows rows = db.exec(
        u"SELECT user_id FROM chat_members WHERE chat_id = ? AND user_id IN "_s + db.idSetSql(),
        { request.chatId, ChatAccess::idArray(request.mentions) });
    while (rows.next())
        members.insert(rows.string(0));
    QStringList mentioned;
    for (const QString &id : request.mentions) {
        if (id != callerId && members.contains(id) && !mentioned.contains(id))
            mentioned.append(id);
    }
    return mentioned;
}

// The sender has read everything up to their own message.
void markSenderRead(Db &db, const Message &message)
{
    db.exec(u"UPDATE chat_members SET last_read_seq = ?, last_read_chat_seq = ? "
            "WHERE chat_id = ? AND user_id = ? AND last_read_seq < ?"_s,
        { message.seq, message.chatSeq, message.chatId, message.senderId, message.seq });
}

} // namespace

Result<Message> send(Db &db, const QString &callerId, const SendMessageRequest &request)
{
    if (request.clientId) {
        if (auto existing = byClientId(db, callerId, *request.clientId))
            return replayed(db, request, std::move(*existing));
    }
    Message message = newMessage(callerId, request);
    {
        Transaction transaction(db);
        // Membership, the sender's name and the member count in one round
        // trip (a send is the hottest path there is).
        qint64 memberCount = 0;
        {
            Rows rows = db.exec(u"SELECT cm.role, u.email, u.name, "
                                "(SELECT COUNT(*) FROM chat_members o WHERE o.chat_id = c.id), "
                                "u.avatar_file_id FROM chats c "
                                "LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = ? "
                                "LEFT JOIN users u ON u.id = ? WHERE c.id = ?"_s,
                { callerId, callerId, request.chatId });
            if (!rows.next())
                return ApiError::notFound(u"chat_not_found"_s, u"Chat not found"_s);
            if (rows.isNull(0))
                return ApiError::forbidden(
                    u"not_a_member"_s, u"You are not a member of this chat"_s);
            if (rows.isNull(1))
                return ApiError::unauthorized(
                    u"invalid_token"_s, u"Could not validate credentials"_s);
            message.sender
                = User { callerId, rows.string(1), rows.string(2), ChatAccess::avatarUrl(rows, 4) };
            memberCount = rows.integer(3);
        }
        if (request.replyToId) {
            Result<ReplyPreview> target = replyTarget(db, request);
            if (!target)
                return target.error();
            message.replyTo = std::move(target).value();
        }
        message.mentions = mentionedMembers(db, callerId, request);
        {
            Result<QList<Attachment>> attachments
                = FileService::attachable(db, callerId, request.attachmentIds);
            if (!attachments)
                return attachments.error();
            message.attachments = std::move(attachments).value();
        }
        if (!assignSeqs(db, message))
            return ApiError::internal();
        bool inserted = false;
        {
            Rows rows = db.exec(
                u"INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, text, "
                "created_at, client_id, reply_to_id, mentions, attachments) VALUES (?, ?, ?, ?, ?, "_s
                    + MessageRows::textParameter
                    + u", ?, ?, ?, ?, ?) ON CONFLICT (sender_id, client_id) DO NOTHING "
                      "RETURNING id"_s,
                { message.id, message.seq, message.chatId, message.chatSeq, callerId,
                    MessageRows::guardedText(message.text), message.timestamp,
                    request.clientId ? QVariant(*request.clientId) : QVariant(),
                    request.replyToId ? QVariant(*request.replyToId) : QVariant(),
                    MessageRows::storedMentions(message.mentions),
                    FileService::storedAttachments(message.attachments) });
            inserted = rows.next();
        }
        if (inserted) {
            FileService::attach(db, message.id, message.attachments);
            markSenderRead(db, message);
            ChatSettingsService::applyNewMessage(db, message.chatId, callerId);
            // The newest message of the chat: nobody else has read it yet
            // (read by all only when there is nobody else).
            message.isRead = memberCount <= 1;
            transaction.commit();
            ++Metrics::global().messagesStored;
            return message;
        }
    }
    // A concurrent send with the same client_id won: answer with its message.
    if (auto existing = byClientId(db, callerId, *request.clientId))
        return replayed(db, request, std::move(*existing));
    return ApiError::internal();
}

namespace {

// The whole of a send on PostgreSQL in one statement: idempotency check,
// membership, the message replied to, the chat's next chat_seq and the global
// seq, the insert, and the sender's read cursor. A client_id seen before, a
// missing chat, a non-member or a reply to no (or a deleted) message of the
// chat changes nothing; the row says which it was.
// Columns: role, email, name, member count, chat_seq, seq, earlier message id,
// the stored mentions, whether chat settings change
// (ChatSettingsService::applyNewMessage), the sender's photo, the chat's
// members in the feed's interest (comma-separated), then the reply preview
// (MessageRows::replyColumns, NULL without a target).
const QString sendStatement
    = u"WITH prior AS ("
      "  SELECT id FROM messages WHERE sender_id = ? AND client_id = ?), "
      "target AS ("
      "  SELECT %1 FROM messages r LEFT JOIN users ru ON ru.id = r.sender_id"
      "  WHERE r.id = CAST(? AS uuid) AND r.chat_id = CAST(? AS uuid)), "
      "caller AS ("
      "  SELECT cm.role, u.email, u.name, u.avatar_file_id, o.members, o.audience,"
      // Whether the send changes someone's chat settings (an archived chat,
      // one marked unread): rare, so applied by a statement of its own then.
      "    EXISTS (SELECT 1 FROM chat_members s WHERE s.chat_id = c.id"
      "            AND (s.archived OR s.marked_unread)) AS settings_affected"
      "  FROM chats c"
      "  LEFT JOIN chat_members cm ON cm.chat_id = c.id AND cm.user_id = ?"
      "  LEFT JOIN users u ON u.id = ?"
      // The member count, and the members the feed delivers to here.
      "  CROSS JOIN LATERAL (SELECT COUNT(*) AS members, string_agg(CAST(a.user_id AS text), ',')"
      "    FILTER (WHERE %2) AS audience FROM chat_members a WHERE a.chat_id = c.id) o"
      "  WHERE c.id = ?), "
      // Locking the chat row orders messages: within a chat, seq and
      // chat_seq are assigned in the same order. The xid comes first,
      // see Db::nextSeq.
      "bumped AS ("
      "  UPDATE chats SET last_chat_seq = last_chat_seq + 1,"
      "    last_seq = nextval('global_seq')"
      "  WHERE id = ? AND pg_current_xact_id() IS NOT NULL"
      "    AND EXISTS (SELECT 1 FROM caller"
      "                WHERE role IS NOT NULL AND email IS NOT NULL)"
      "    AND NOT EXISTS (SELECT 1 FROM prior)"
      "    AND (CAST(? AS uuid) IS NULL"
      "         OR EXISTS (SELECT 1 FROM target WHERE reply_deleted_at IS NULL))"
      "  RETURNING last_chat_seq, last_seq), "
      "inserted AS ("
      "  INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, text,"
      "    created_at, client_id, reply_to_id, mentions)"
      "  SELECT CAST(? AS uuid), last_seq, CAST(? AS uuid), last_chat_seq,"
      // The text is guarded, see MessageRows::textParameter.
      "    CAST(? AS uuid), substr(CAST(? AS text), 2), CAST(? AS bigint), CAST(? AS uuid),"
      "    CAST(? AS uuid),"
      // The mentioned users who are members (not the sender), in the order sent.
      "    (SELECT string_agg(CAST(x.id AS text), ',' ORDER BY x.n)"
      "     FROM unnest(CAST(? AS uuid[])) WITH ORDINALITY AS x(id, n)"
      "     JOIN chat_members mc ON mc.chat_id = CAST(? AS uuid) AND mc.user_id = x.id"
      "     WHERE x.id <> CAST(? AS uuid))"
      "  FROM bumped RETURNING seq, chat_seq, mentions), "
      // The sender has read everything up to their own message.
      "marked AS ("
      "  UPDATE chat_members SET last_read_seq = inserted.seq,"
      "    last_read_chat_seq = inserted.chat_seq FROM inserted"
      "  WHERE chat_id = ? AND user_id = ? AND last_read_seq < inserted.seq) "
      "SELECT caller.role, caller.email, caller.name, caller.members,"
      "  bumped.last_chat_seq, bumped.last_seq, (SELECT id FROM prior),"
      "  (SELECT mentions FROM inserted), caller.settings_affected, caller.avatar_file_id,"
      "  caller.audience, target.* "
      "FROM caller LEFT JOIN bumped ON true LEFT JOIN target ON true"_s.arg(
          MessageRows::replyColumns(), FeedInterest::sqlCondition(u"a.user_id"));
constexpr int sendMentionsColumn = 7;
constexpr int sendSettingsColumn = 8;
constexpr int sendAvatarColumn = 9;
constexpr int sendAudienceColumn = 10;
constexpr int sendTargetColumn = 11;

// What one statement of a batch decided: the answer, or that the client_id
// was used before (answered after the batch committed).
struct Stored
{
    std::optional<Result<Message>> answer;
    bool settingsAffected = false;
    QStringList audience {};
};

// sendStatement's values for `send`, whose message is `message`;
// `audience`: FeedInterest::values().
QVariantList sendValues(
    const PendingSend &send, const Message &message, const QVariantList &audience)
{
    const QString &callerId = send.callerId;
    const SendMessageRequest &request = send.request;
    const QVariant clientId = request.clientId ? QVariant(*request.clientId) : QVariant();
    const QVariant replyToId = request.replyToId ? QVariant(*request.replyToId) : QVariant();
    // prior, target and the caller...
    QVariantList values { callerId, clientId, replyToId, request.chatId, callerId, callerId };
    values += audience;
    // ...the chat, bumped, inserted and marked.
    values += QVariantList { request.chatId, request.chatId, replyToId, message.id, request.chatId,
        callerId, MessageRows::guardedText(message.text), message.timestamp, clientId, replyToId,
        request.mentions.isEmpty() ? QVariant()
                                   : QVariant(u"{"_s + request.mentions.join(u',') + u"}"_s),
        request.chatId, callerId, request.chatId, callerId };
    return values;
}

// What sendStatement's `rows` say of `send` and its `message`.
Stored readStored(Rows &rows, const PendingSend &send, Message message)
{
    const SendMessageRequest &request = send.request;
    const QString &callerId = send.callerId;
    if (!rows.next())
        return { ApiError::notFound(u"chat_not_found"_s, u"Chat not found"_s) };
    if (!rows.isNull(6))
        return { std::nullopt };
    if (rows.isNull(0))
        return { ApiError::forbidden(u"not_a_member"_s, u"You are not a member of this chat"_s) };
    if (rows.isNull(1))
        return { ApiError::unauthorized(u"invalid_token"_s, u"Could not validate credentials"_s) };
    if (request.replyToId) {
        message.replyTo = MessageRows::readReply(rows, sendTargetColumn);
        if (!message.replyTo)
            return { replyTargetNotFound() };
        if (message.replyTo->deleted)
            return { replyTargetDeleted() };
    }
    if (rows.isNull(5))
        return { ApiError::internal() };
    message.sender = User { callerId, rows.string(1), rows.string(2),
        ChatAccess::avatarUrl(rows, sendAvatarColumn) };
    // The newest message of the chat: nobody else has read it yet (read by
    // all only when there is nobody else).
    message.isRead = rows.integer(3) <= 1;
    message.chatSeq = rows.integer(4);
    message.seq = rows.integer(5);
    if (!rows.isNull(sendMentionsColumn))
        message.mentions = rows.string(sendMentionsColumn).split(u',', Qt::SkipEmptyParts);
    return { std::move(message), rows.boolean(sendSettingsColumn),
        rows.string(sendAudienceColumn).split(u',', Qt::SkipEmptyParts) };
}

// What one send is told when its own statements failed (Db::exec logged why):
// try again later when the database is gone or busy, else an internal error.
ApiError failedSend(const DbError &error)
{
    if (error.isConnectionError() || error.isBusy())
        return ApiError::unavailable(u"Database unavailable, try again later"_s);
    return ApiError::internal();
}

// Each send in its own transaction, so one send's failure is its own: a
// statement error fails that send alone (its transaction rolled back, nothing
// of it stored), and every send answered 200 was committed. If the connection
// drops half-way, the sends already committed keep their 200 and the rest are
// answered 503 (a client retries those; with a client_id, safely).
QList<Result<Message>> sendEachAlone(Db &db, const QList<PendingSend> &sends)
{
    QList<Result<Message>> results;
    results.reserve(sends.size());
    for (const PendingSend &pending : sends) {
        try {
            results.append(send(db, pending.callerId, pending.request));
        } catch (const DbError &error) {
            if (!error.isConnectionError()) {
                results.append(failedSend(error));
                continue;
            }
            // Nothing answered yet: Database::run retries or answers 503 for all.
            if (results.isEmpty())
                throw;
            while (results.size() < sends.size())
                results.append(ApiError::unavailable(u"Database unavailable, try again later"_s));
        }
    }
    return results;
}

// The answer for a send whose client_id was used before, read after the batch
// committed. A failure here fails that answer alone: the batch is committed,
// and the other sends' 200s stand.
Result<Message> replayedAfterCommit(Db &db, const PendingSend &pending)
{
    try {
        if (auto existing = byClientId(db, pending.callerId, *pending.request.clientId))
            return replayed(db, pending.request, std::move(*existing));
        return ApiError::internal();
    } catch (const DbError &error) {
        return failedSend(error);
    }
}

// Right after the batch committed: the message stands whatever happens here
// (a failure is logged by Db::exec and leaves the settings as they were).
void applySettingsAfterCommit(Db &db, const Message &message)
{
    try {
        Transaction transaction(db);
        ChatSettingsService::applyNewMessage(db, message.chatId, message.senderId);
        transaction.commit();
    } catch (const DbError &) { }
}

} // namespace

SentBatch sendBatch(Db &db, const QList<PendingSend> &sends, const FeedInterest &audience)
{
    // In-process, a statement costs no round trip; and a send with files is
    // rare and goes the long way (the one-statement send carries none).
    const bool carriesFiles = std::any_of(sends.cbegin(), sends.cend(),
        [](const PendingSend &send) { return !send.request.attachmentIds.isEmpty(); });
    if (!db.isPostgres() || carriesFiles)
        return { sendEachAlone(db, sends), {}, {}, false };
    // Every batch locks chat rows in the same order, so two never deadlock;
    // sends into one chat keep the order they arrived in.
    QList<qsizetype> order(sends.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&sends](qsizetype a, qsizetype b) {
        return sends[a].request.chatId < sends[b].request.chatId;
    });
    QList<Stored> stored(sends.size());
    try {
        // The whole batch in one round trip and one transaction.
        const QVariantList interest = audience.values();
        QList<Message> messages;
        QList<QVariantList> batch;
        messages.reserve(sends.size());
        batch.reserve(sends.size());
        for (qsizetype index : order) {
            messages.append(newMessage(sends[index].callerId, sends[index].request));
            batch.append(sendValues(sends[index], messages.last(), interest));
        }
        std::vector<Rows> rows = db.pipeline(sendStatement, batch);
        for (qsizetype i = 0; i < order.size(); ++i)
            stored[order[i]] = readStored(rows[size_t(i)], sends[order[i]], std::move(messages[i]));
    } catch (const DbError &error) {
        if (error.isConnectionError())
            throw;
        // Nothing of the batch was committed; no send may fail for another's sake.
        return { sendEachAlone(db, sends), {}, {}, false };
    }
    SentBatch sent;
    sent.complete = true;
    sent.answers.reserve(sends.size());
    for (qsizetype index = 0; index < sends.size(); ++index) {
        Stored &outcome = stored[index];
        if (outcome.answer && outcome.answer->ok()) {
            const Message &message = outcome.answer->value();
            if (outcome.settingsAffected) {
                applySettingsAfterCommit(db, message);
                sent.complete = false;
            }
            ++Metrics::global().messagesStored;
            // As the log reads it back: read by nobody yet.
            Message logged = message;
            logged.isRead = false;
            sent.stored.append(Update::ofMessage(logged));
            sent.audiences.insert(message.chatId, std::move(outcome.audience));
        }
        if (outcome.answer)
            sent.answers.append(std::move(*outcome.answer));
        else
            sent.answers.append(replayedAfterCommit(db, sends[index]));
    }
    return sent;
}

namespace {

QList<Message> readMessages(Rows rows)
{
    QList<Message> messages;
    while (rows.next())
        messages.append(MessageRows::read(rows));
    return messages;
}

// The page around `seq`, newest first like every page: up to limit / 2 older
// messages, then the message at `seq` (or where it would be) and newer ones.
// Near either end of the chat the other side fills the page. `hasMore` tells
// of older messages, as on the default page; newer ones exist when the first
// message's chat_seq is below `total`.
HistoryPage aroundPage(Db &db, const QString &chatId, qint64 seq, int limit)
{
    const QList<Message> older = readMessages(
        db.exec(selectMessages(u"m.chat_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?"),
            { chatId, seq, qint64(limit) + 1 }));
    const QList<Message> newer = readMessages(
        db.exec(selectMessages(u"m.chat_id = ? AND m.seq >= ? ORDER BY m.seq ASC LIMIT ?"),
            { chatId, seq, qint64(limit) }));
    const qsizetype olderTaken
        = qMin(older.size(), qMax<qsizetype>(limit / 2, limit - newer.size()));
    const qsizetype newerTaken = qMin(newer.size(), limit - olderTaken);
    HistoryPage page;
    page.messages.reserve(olderTaken + newerTaken);
    for (qsizetype index = newerTaken - 1; index >= 0; --index)
        page.messages.append(newer[index]);
    page.messages.append(older.mid(0, olderTaken));
    page.hasMore = older.size() > olderTaken;
    return page;
}

} // namespace

Result<HistoryPage> history(
    Db &db, const QString &callerId, const QString &chatId, const HistoryQuery &query)
{
    const auto membership = ChatAccess::requireMember(db, chatId, callerId);
    if (!membership)
        return membership.error();
    HistoryPage page;
    page.total = membership.value().lastChatSeq; // every message keeps its chat_seq, tombstones too
    const qint64 fetch = qint64(query.limit) + 1; // one extra row tells whether more exist
    if (query.aroundSeq) {
        page = aroundPage(db, chatId, *query.aroundSeq, query.limit);
        page.total = membership.value().lastChatSeq;
    } else {
        Rows rows = query.beforeSeq
            ? db.exec(selectMessages(u"m.chat_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?"),
                { chatId, *query.beforeSeq, fetch })
            : query.afterSeq
            ? db.exec(selectMessages(u"m.chat_id = ? AND m.seq > ? ORDER BY m.seq ASC LIMIT ?"),
                { chatId, *query.afterSeq, fetch })
            // chat_seq has no gaps, so the page is a range closed at both
            // ends: with statistics that predate a burst of messages (or
            // none yet), the planner sorted the whole chat for the newest
            // page; now no plan reads more than `fetch` rows.
            : db.exec(selectMessages(u"m.chat_id = ? AND m.chat_seq <= ? AND m.chat_seq > ? "
                                     "ORDER BY m.chat_seq DESC LIMIT ?"),
                { chatId, page.total - query.offset, page.total - query.offset - fetch, fetch });
        while (rows.next())
            page.messages.append(MessageRows::read(rows));
        page.hasMore = page.messages.size() > query.limit;
        if (page.hasMore)
            page.messages.removeLast();
    }
    const auto horizon = MessageRows::ReadHorizon::load(db, chatId);
    for (Message &message : page.messages)
        message.isRead = horizon.isRead(message.senderId, message.seq);
    MessageRows::loadReactions(db, page.messages, callerId);
    return page;
}

Result<ReadState> markRead(
    Db &db, const QString &callerId, const QString &messageId, const std::optional<QString> &chatId)
{
    Transaction transaction(db);
    // A chat in the path is checked first (403 for a non-member, as every
    // chat route answers), so a non-member learns nothing of its messages.
    if (chatId) {
        const auto membership = ChatAccess::requireMember(db, *chatId, callerId);
        if (!membership)
            return membership.error();
    }
    const auto message = findMessage(db, messageId);
    if (!message || (chatId && message->chatId != *chatId))
        return messageNotFound();
    // A message of a chat the caller is not in is, for them, no message at
    // all: 404, exactly as for an unknown id (a 403 would confirm it exists).
    const auto membership = ChatAccess::requireMember(db, message->chatId, callerId);
    if (!membership)
        return messageNotFound();
    ReadState state { message->chatId, message->id, membership.value().lastReadSeq, 0 };
    qint64 readChatSeq = membership.value().lastReadChatSeq;
    ChatSettingsService::applyRead(db, message->chatId, callerId);
    if (message->seq > state.lastReadSeq) {
        db.exec(u"UPDATE chat_members SET last_read_seq = ?, last_read_chat_seq = ? "
                "WHERE chat_id = ? AND user_id = ?"_s,
            { message->seq, message->chatSeq, message->chatId, callerId });
        state.lastReadSeq = message->seq;
        readChatSeq = message->chatSeq;
        EventLog::append(db, message->chatId, {}, WsEvents::read,
            ReadReceipt { message->chatId, callerId, message->id, message->seq }.toJson());
    }
    {
        // By chat_seq on the (chat_id, chat_seq) key, see ChatService::listWithLastMessage.
        Rows rows = db.exec(u"SELECT COUNT(*) FROM messages WHERE chat_id = ? AND chat_seq > ? "
                            "AND sender_id <> ? AND deleted_at IS NULL"_s,
            { message->chatId, readChatSeq, callerId });
        rows.next();
        state.unreadCount = rows.integer(0);
    }
    transaction.commit();
    return state;
}

Result<Message> edit(
    Db &db, const QString &callerId, const QString &messageId, const EditMessageRequest &request)
{
    Transaction transaction(db);
    Result<Message> message = ownMessage(db, callerId, messageId);
    if (!message)
        return message;
    if (message.value().deleted)
        return ApiError::conflict(u"message_deleted"_s, u"A deleted message cannot be edited"_s);
    Message edited = std::move(message).value();
    edited.text = request.text;
    edited.editedAt = currentTimestamp();
    db.exec(u"UPDATE messages SET text = "_s + MessageRows::textParameter
            + u", edited_at = ? WHERE id = ?"_s,
        { MessageRows::guardedText(edited.text), *edited.editedAt, edited.id });
    edited = withReadState(db, std::move(edited));
    edited.reactions = MessageRows::reactionsOf(db, edited.id, callerId);
    // Stored without the preview of the message it replies to: that text may
    // be deleted later, and readers fill in the preview as it is then. And
    // without reactions: their `me` differs by reader, and an edit leaves them
    // as they are (message_reactions events change them).
    Message stored = edited;
    stored.replyTo.reset();
    QJsonObject storedJson = stored.toJson();
    Message::dropReactions(storedJson);
    EventLog::append(db, edited.chatId, {}, WsEvents::messageEdited, storedJson, edited.id);
    transaction.commit();
    return edited;
}

Result<Message> remove(Db &db, const QString &callerId, const QString &messageId)
{
    Transaction transaction(db);
    Result<Message> message = ownMessage(db, callerId, messageId);
    if (!message)
        return message;
    Message tombstone = std::move(message).value();
    if (tombstone.deleted)
        return withReadState(db, std::move(tombstone)); // deleting twice changes nothing
    tombstone.text.clear();
    tombstone.deleted = true;
    // A tombstone keeps its place and nothing of its content, what it
    // quoted included.
    tombstone.replyTo.reset();
    tombstone.attachments.clear();
    db.exec(u"UPDATE messages SET text = '', deleted_at = ?, reply_to_id = NULL, mentions = NULL, "
            "attachments = NULL WHERE id = ?"_s,
        { currentTimestamp(), tombstone.id });
    // Its files go once no other message (a forwarded copy) carries them.
    FileService::detach(db, tombstone.id);
    // Nor any reactions: a tombstone cannot be reacted to, and shows none.
    db.exec(u"DELETE FROM message_reactions WHERE message_id = ?"_s, { tombstone.id });
    tombstone = withReadState(db, std::move(tombstone));
    const QJsonObject deletion
        = MessageDeleted { tombstone.id, tombstone.chatId, tombstone.seq, tombstone.chatSeq }
              .toJson();
    // The edits quoted the text: they become tombstones like this one (and
    // so do the chat_pinned events that showed it).
    EventLog::eraseMessage(db, tombstone.id, deletion);
    EventLog::append(db, tombstone.chatId, {}, WsEvents::messageDeleted, deletion);
    // A deleted message is pinned no more: the chat's members are told.
    bool unpinned = false;
    {
        Rows rows = db.exec(u"UPDATE chats SET pinned_message_id = NULL "
                            "WHERE id = ? AND pinned_message_id = ? RETURNING id"_s,
            { tombstone.chatId, tombstone.id });
        unpinned = rows.next();
    }
    if (unpinned)
        EventLog::append(db, tombstone.chatId, {}, WsEvents::chatPinned,
            ChatPinned { tombstone.chatId, std::nullopt, callerId }.toJson());
    transaction.commit();
    return tombstone;
}

Result<Message> react(
    Db &db, const QString &callerId, const QString &messageId, const QString &emoji, bool add)
{
    Transaction transaction(db);
    // Locks the message on PostgreSQL: concurrent reactions to one message
    // take turns, so that no two of them both add the 20th distinct emoji.
    if (db.isPostgres())
        db.exec(u"SELECT id FROM messages WHERE id = ? FOR UPDATE"_s, { messageId });
    Result<Message> visible = visibleMessage(db, callerId, messageId);
    if (!visible)
        return visible;
    Message message = std::move(visible).value();
    if (message.deleted)
        return ApiError::conflict(
            u"message_deleted"_s, u"A deleted message cannot be reacted to"_s);
    QList<Reaction> reactions = MessageRows::reactionsOf(db, message.id, callerId);
    const auto current = std::find_if(reactions.cbegin(), reactions.cend(),
        [&emoji](const Reaction &reaction) { return reaction.emoji == emoji; });
    const bool mine = current != reactions.cend() && current->me;
    if (add && !mine) {
        if (current == reactions.cend() && reactions.size() >= Limits::reactionsPerMessageMax)
            return ApiError::conflict(u"reaction_limit_reached"_s,
                u"A message carries at most %1 different emoji"_s.arg(
                    Limits::reactionsPerMessageMax));
        db.exec(u"INSERT INTO message_reactions (message_id, user_id, emoji, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"_s,
            { message.id, callerId, emoji, currentTimestamp() });
    } else if (!add && mine) {
        db.exec(
            u"DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?"_s,
            { message.id, callerId, emoji });
    } else {
        // Already so: nothing stored, nothing sent.
        message.reactions = std::move(reactions);
        transaction.commit();
        return withReadState(db, std::move(message));
    }
    message.reactions = MessageRows::reactionsOf(db, message.id, callerId);
    MessageReactions changed { message.id, message.chatId, callerId, emoji, add,
        message.reactions };
    for (Reaction &reaction : changed.reactions)
        reaction.me = false;
    EventLog::append(db, message.chatId, {}, WsEvents::messageReactions, changed.toJson());
    transaction.commit();
    return withReadState(db, std::move(message));
}

namespace {

// A target chat of a forward the caller is not in answers as one that does
// not exist, and a message of a chat the caller is not in as a missing one:
// a forward tells nothing of ids the caller cannot see.
ApiError forwardChatNotFound()
{
    return ApiError::notFound(u"chat_not_found"_s, u"Chat not found"_s);
}

// A forwarded copy's client_id: derived from the request's, the original and
// the target chat, so that a retry finds the copies the first try stored.
QString copyClientId(const QString &clientId, const QString &messageId, const QString &chatId)
{
    return QUuid::createUuidV5(QUuid::fromString(clientId), messageId + u':' + chatId)
        .toString(QUuid::WithoutBraces);
}

// The copies a forward with a client_id stored before, in the answer's order:
// nothing when it stored none, 409 client_id_reused when the client_id was
// used for a different forward.
std::optional<Result<QList<Message>>> replayedForward(Db &db, const QString &callerId,
    const ForwardMessagesRequest &request, const QList<Message> &originalsBySeq)
{
    QList<Message> copies;
    qsizetype found = 0;
    for (const QString &chatId : request.chatIds) {
        for (const Message &original : originalsBySeq) {
            auto copy
                = byClientId(db, callerId, copyClientId(*request.clientId, original.id, chatId));
            if (copy) {
                copies.append(withReadState(db, std::move(*copy)));
                ++found;
            }
        }
    }
    if (found == 0)
        return std::nullopt;
    if (found != qsizetype(request.chatIds.size()) * originalsBySeq.size())
        return Result<QList<Message>>(ApiError::conflict(
            u"client_id_reused"_s, u"This client_id was already used for another forward"_s));
    MessageRows::loadReactions(db, copies, callerId);
    return Result<QList<Message>>(std::move(copies));
}

} // namespace

Result<QList<Message>> forward(
    Db &db, const QString &callerId, const ForwardMessagesRequest &request)
{
    std::optional<Transaction> transaction;
    transaction.emplace(db);
    const Result<User> caller = ChatAccess::requireUser(db, callerId);
    if (!caller)
        return caller.error();
    for (const QString &chatId : request.chatIds) {
        if (!ChatAccess::requireMember(db, chatId, callerId))
            return forwardChatNotFound();
    }
    QList<Message> originals;
    QHash<QString, bool> memberOf;
    for (const QString &messageId : request.messageIds) {
        auto original = findMessage(db, messageId);
        if (!original)
            return messageNotFound();
        auto member = memberOf.constFind(original->chatId);
        if (member == memberOf.constEnd())
            member = memberOf.insert(
                original->chatId, bool(ChatAccess::requireMember(db, original->chatId, callerId)));
        if (!*member)
            return messageNotFound();
        if (original->deleted)
            return ApiError::conflict(
                u"message_deleted"_s, u"A deleted message cannot be forwarded"_s);
        originals.append(std::move(*original));
    }
    std::sort(originals.begin(), originals.end(),
        [](const Message &a, const Message &b) { return a.seq < b.seq; });
    if (request.clientId) {
        if (auto replayed = replayedForward(db, callerId, request, originals))
            return std::move(*replayed);
    }
    // Chats are locked in id order, as send batches lock them, so that the
    // two never wait for each other in a circle; the answer keeps the
    // request's order.
    QStringList lockOrder = request.chatIds;
    std::sort(lockOrder.begin(), lockOrder.end());
    QHash<QString, QList<Message>> copiesByChat;
    bool clientIdTaken = false;
    for (const QString &chatId : std::as_const(lockOrder)) {
        QList<Message> &copies = copiesByChat[chatId];
        for (const Message &original : std::as_const(originals)) {
            Message copy;
            copy.id = newUuid();
            copy.chatId = chatId;
            copy.senderId = callerId;
            copy.sender = caller.value();
            copy.text = original.text;
            // The same files, not copies of their bytes.
            copy.attachments = original.attachments;
            copy.timestamp = currentTimestamp();
            if (request.clientId)
                copy.clientId = copyClientId(*request.clientId, original.id, chatId);
            // The first author, however many forwards ago.
            copy.forwardedFrom = original.forwardedFrom.value_or(
                ForwardedFrom { original.senderId, original.sender.name });
            if (!assignSeqs(db, copy))
                return ApiError::internal();
            Rows rows = db.exec(u"INSERT INTO messages (id, seq, chat_id, chat_seq, sender_id, "
                                "text, created_at, client_id, forwarded_from_id, attachments) "
                                "VALUES (?, ?, ?, ?, ?, "_s
                    + MessageRows::textParameter
                    + u", ?, ?, ?, ?) ON CONFLICT (sender_id, client_id) DO NOTHING "
                      "RETURNING id"_s,
                { copy.id, copy.seq, copy.chatId, copy.chatSeq, callerId,
                    MessageRows::guardedText(copy.text), copy.timestamp,
                    copy.clientId ? QVariant(*copy.clientId) : QVariant(),
                    copy.forwardedFrom->senderId,
                    FileService::storedAttachments(copy.attachments) });
            if (!rows.next()) {
                clientIdTaken = true; // a concurrent retry stored these copies
                break;
            }
            FileService::attach(db, copy.id, copy.attachments);
            copies.append(std::move(copy));
        }
        if (clientIdTaken)
            break;
        markSenderRead(db, copies.constLast());
        ChatSettingsService::applyNewMessage(db, chatId, callerId);
    }
    if (clientIdTaken) {
        transaction.reset(); // rolled back: the concurrent retry's copies stand
        if (auto replayed = replayedForward(db, callerId, request, originals))
            return std::move(*replayed);
        return ApiError::internal();
    }
    QList<Message> answer;
    answer.reserve(qsizetype(request.chatIds.size()) * originals.size());
    for (const QString &chatId : request.chatIds) {
        const auto horizon = MessageRows::ReadHorizon::load(db, chatId);
        for (Message &copy : copiesByChat[chatId]) {
            copy.isRead = horizon.isRead(copy.senderId, copy.seq);
            answer.append(std::move(copy));
        }
    }
    transaction->commit();
    Metrics::global().messagesStored += answer.size();
    return answer;
}

} // namespace Messenger::Server::MessageService
