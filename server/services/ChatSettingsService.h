#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Chat.h"
#include "shared/Requests.h"

// Each user's own settings of their chats (issue 16): mute, pin to the top,
// archive, mark as unread. Stored on the user's chat_members row; a change
// reaches the user's own devices as a `chat_settings` event addressed to the
// user (never to the other members). The server only stores `muted_until`:
// clients decide from it not to notify (mentions may notify regardless).
namespace Messenger::Server::ChatSettingsService {

// The settings columns of the chat_members row `me`, for SELECTs that read
// them with read() at the column they start at.
inline constexpr QStringView columns
    = u"me.muted_until, me.pin_position, me.archived, me.marked_unread";
inline constexpr int columnCount = 4;
// An expired mute reads as none.
ChatSettings read(const Rows &rows, int first, qint64 nowSeconds);

// The caller's settings of a chat they are in (nothing if they are not).
std::optional<ChatSettings> load(Db &db, const QString &chatId, const QString &userId);

// PATCH /chats/{id}/settings: 404 chat_not_found, 403 not_a_member; pinning
// a 6th chat: 409 pinned_chats_limit. A pin goes after the pinned ones.
// Idempotent: when nothing changes, nothing is stored or sent.
Result<ChatSettings> update(Db &db, const QString &callerId, const QString &chatId,
    const UpdateChatSettingsRequest &request);

// PUT /chats/pinned: the new order of the caller's pinned chats, which must
// name exactly the pinned ones (else 422 pinned_chats_mismatch). Answers each
// pinned chat's settings in the new order.
Result<QList<ChatSettingsChanged>> reorderPinned(
    Db &db, const QString &callerId, const ReorderPinnedChatsRequest &request);

// A new message of `senderId` was stored in the chat (inside the send's
// transaction, or right after it): the chat leaves the archive of each other
// member who has not muted it, and stops being marked unread for the sender.
void applyNewMessage(Db &db, const QString &chatId, const QString &senderId);

// The user read the chat: it stops being marked unread.
void applyRead(Db &db, const QString &chatId, const QString &userId);

} // namespace Messenger::Server::ChatSettingsService
