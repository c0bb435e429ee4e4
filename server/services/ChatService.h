#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Chat.h"
#include "shared/Requests.h"

namespace Messenger::Server {
class FileStore;
}

namespace Messenger::Server::ChatService {

// Personal chats are unique per pair: asking again returns the same chat.
Result<Chat> createPersonal(
    Db &db, const QString &callerId, const CreatePersonalChatRequest &request);
// The creator owns the group and is always a member.
Result<Chat> createGroup(Db &db, const QString &callerId, const CreateGroupChatRequest &request);

Result<Chat> chat(Db &db, const QString &callerId, const QString &chatId);
// The caller's chats, latest activity first.
Result<QList<Chat>> list(Db &db, const QString &callerId);
Result<QList<ChatSummary>> listWithLastMessage(Db &db, const QString &callerId);

// Group management: the owner adds, removes and renames; anyone may leave
// (remove themselves). Personal chats have fixed members and no name.
Result<Chat> addMembers(
    Db &db, const QString &callerId, const QString &chatId, const AddMembersRequest &request);
Result<Empty> removeMember(
    Db &db, const QString &callerId, const QString &chatId, const QString &userId);
Result<Chat> rename(
    Db &db, const QString &callerId, const QString &chatId, const RenameChatRequest &request);

// PUT (with `uploadId`) and DELETE /chats/{id}/avatar: sets or removes a
// group's photo (FileService::replaceAvatar), the owner only: 403
// not_chat_owner, 400 personal_chat. The members get a `chat_updated` event.
// Answers the chat.
Result<Chat> setAvatar(Db &db, FileStore &store, const QString &callerId, const QString &chatId,
    const std::optional<QString> &uploadId);

// Pins a message of the chat (with a message id) or unpins (without). Any
// member of a personal chat, only the owner of a group (403 not_chat_owner).
// 404 message_not_found for a message that is not in this chat, 409
// message_deleted for a deleted one. Idempotent: when it is already so,
// nothing is stored or sent; else a `chat_pinned` event goes to the members.
// Answers the chat. Deleting the pinned message unpins it (MessageService::remove).
Result<Chat> pin(Db &db, const QString &callerId, const QString &chatId,
    const std::optional<QString> &messageId);

} // namespace Messenger::Server::ChatService
