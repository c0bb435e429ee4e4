#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
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
// Group commit: stores several sends in one transaction and answers each as
// send() would have. On PostgreSQL each message costs one statement; a batch
// that fails as a whole (a client_id race, a deadlock) is rolled back and its
// sends are stored one by one, so one bad send never fails the others.
QList<Result<Message>> sendBatch(Db &db, const QList<PendingSend> &sends);

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

} // namespace Messenger::Server::MessageService
