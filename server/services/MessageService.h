#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "services/Updates.h"
#include "shared/Message.h"
#include "shared/Queries.h"
#include "shared/Requests.h"

namespace Messenger::Server::MessageService {

// Stores a message; with a client_id it is idempotent: the same client_id
// again returns the first message and creates nothing. A reply_to_id must
// name a message of the same chat that is not deleted (404
// reply_target_not_found, 409 reply_target_deleted).
Result<Message> send(Db &db, const QString &callerId, const SendMessageRequest &request);

struct PendingSend
{
    QString callerId;
    SendMessageRequest request;
};
// What a batch of sends did: each send's answer, in order, and what the
// instance's event feed needs to deliver the stored messages without reading
// them back.
struct SentBatch
{
    QList<Result<Message>> answers;
    // The new messages, each as the feed reads it from the log (built here,
    // on the database worker, not on the event loop).
    QList<Update> stored;
    // Per chat of `stored`, its members in the audience asked for.
    QHash<QString, QStringList> audiences;
    // Nothing but `stored` was committed (false: the rest is for the feed to read).
    bool complete = false;
};
// Group commit: stores several sends in one transaction and answers each as
// send() would have. On PostgreSQL each message costs one statement; a batch
// that fails as a whole (a client_id race, a deadlock) is rolled back and its
// sends are stored one by one, so one bad send never fails the others.
// `audience`: whose membership each stored message's chat is read for.
SentBatch sendBatch(Db &db, const QList<PendingSend> &sends, const FeedInterest &audience);

// Newest first, except with afterSeq: oldest first, so that the next page
// continues after the last message of this one. Offset paging costs the same
// at any depth: chat_seq has no gaps, so an offset is a position in the
// chat's index, not a scan. aroundSeq: the page centred on that seq, newest
// first. At most one of offset, beforeSeq, afterSeq, aroundSeq is set.
Result<HistoryPage> history(
    Db &db, const QString &callerId, const QString &chatId, const HistoryQuery &query);

// Moves the caller's read cursor up to the message (never backwards). With a
// chat id, the message must belong to that chat.
Result<ReadState> markRead(Db &db, const QString &callerId, const QString &messageId,
    const std::optional<QString> &chatId = std::nullopt);

Result<Message> edit(
    Db &db, const QString &callerId, const QString &messageId, const EditMessageRequest &request);
// Leaves a tombstone: the text is gone, the message keeps its place.
Result<Message> remove(Db &db, const QString &callerId, const QString &messageId);

// Adds (or, with add false, takes back) the caller's reaction `emoji`, one
// emoji (Validation::isOneEmoji, checked by the caller). Idempotent: when it
// is already so, nothing changes and no event is sent. Answers the message
// with its reactions for the caller. 404 message_not_found (also to
// non-members), 409 message_deleted, 409 reaction_limit_reached for a new
// emoji past Limits::reactionsPerMessageMax. A change is stored as a
// `message_reactions` event for the chat.
Result<Message> react(
    Db &db, const QString &callerId, const QString &messageId, const QString &emoji, bool add);

// Copies each message into each chat, as new messages of the caller's with
// `forwarded_from` the original author (a copy of a copy: the first author),
// no reply and no reactions; all or nothing, in one transaction. Answers the
// copies chat by chat in the request's order, each chat's in the originals'
// seq order. 404 chat_not_found for a target chat the caller is not in (or
// that does not exist), 404 message_not_found for a message of a chat the
// caller is not in (or that does not exist), 409 message_deleted for a
// deleted original. With a client_id each copy gets one derived from it (and
// the original and the chat): the same request again stores nothing and
// answers the same copies; 409 client_id_reused for a different forward.
// The copies reach the target chats' members as `message` events, as sends do.
Result<QList<Message>> forward(
    Db &db, const QString &callerId, const ForwardMessagesRequest &request);

} // namespace Messenger::Server::MessageService
