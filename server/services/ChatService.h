#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Chat.h"
#include "shared/Requests.h"

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

} // namespace Messenger::Server::ChatService
