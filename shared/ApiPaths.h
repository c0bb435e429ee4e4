#pragma once

#include <QStringView>
#include <QUrl>

// The REST and WebSocket paths, shared by the server's router and the clients.
// Paths with ids are built by the helpers below; the server registers the
// same shapes as the OpenAPI document names them ("{chat_id}").
namespace Messenger::ApiPaths {

inline constexpr QStringView apiPrefix = u"/api/v1";
inline constexpr QStringView authRegister = u"/api/v1/auth/register";
inline constexpr QStringView authToken = u"/api/v1/auth/token";
inline constexpr QStringView authRefresh = u"/api/v1/auth/refresh";
inline constexpr QStringView authLogout = u"/api/v1/auth/logout";
inline constexpr QStringView usersMe = u"/api/v1/users/me";
inline constexpr QStringView usersMePassword = u"/api/v1/users/me/password";
// PUT {upload_id} sets the caller's profile photo, DELETE removes it.
inline constexpr QStringView usersMeAvatar = u"/api/v1/users/me/avatar";
inline constexpr QStringView users = u"/api/v1/users";
inline constexpr QStringView chats = u"/api/v1/chats";
inline constexpr QStringView chatsWithLastMessage = u"/api/v1/chats/with-last-message";
inline constexpr QStringView chatsPersonal = u"/api/v1/chats/personal";
inline constexpr QStringView chatsGroup = u"/api/v1/chats/group";
// PUT {chat_ids}: the order of the caller's pinned chats.
inline constexpr QStringView chatsPinned = u"/api/v1/chats/pinned";
inline constexpr QStringView chatsMessages = u"/api/v1/chats/messages";
inline constexpr QStringView chatsMessagesForward = u"/api/v1/chats/messages/forward";
inline constexpr QStringView messages = u"/api/v1/messages";
inline constexpr QStringView updates = u"/api/v1/updates";
inline constexpr QStringView searchMessages = u"/api/v1/search/messages";
inline constexpr QStringView sessions = u"/api/v1/sessions";
inline constexpr QStringView sessionsRevokeOthers = u"/api/v1/sessions/revoke-others";
// tus 1.0 uploads: POST creates, HEAD/PATCH/DELETE /uploads/{id} (and GET, ours).
inline constexpr QStringView uploads = u"/api/v1/uploads";
inline constexpr QStringView files = u"/api/v1/files";
inline constexpr QStringView health = u"/health";
inline constexpr QStringView wsUser = u"/ws/user";
inline constexpr QStringView wsPrefix = u"/ws/";

inline QString chat(QStringView chatId)
{
    return chats + u'/' + chatId;
}
inline QString chatHistory(QStringView chatId)
{
    return chat(chatId) + u"/history";
}
inline QString chatRead(QStringView chatId)
{
    return chat(chatId) + u"/read";
}
// PUT pins a message of the chat, DELETE unpins.
inline QString chatPin(QStringView chatId)
{
    return chat(chatId) + u"/pin";
}
// PATCH: the caller's own settings of the chat (mute, pin, archive, unread).
inline QString chatSettings(QStringView chatId)
{
    return chat(chatId) + u"/settings";
}
// PUT {upload_id} sets a group's photo, DELETE removes it (the owner only).
inline QString chatAvatar(QStringView chatId)
{
    return chat(chatId) + u"/avatar";
}
inline QString chatMembers(QStringView chatId)
{
    return chat(chatId) + u"/members";
}
inline QString chatMember(QStringView chatId, QStringView userId)
{
    return chatMembers(chatId) + u'/' + userId;
}
inline QString messageRead(QStringView messageId)
{
    return chatsMessages + u'/' + messageId + u"/read";
}
// PUT adds, DELETE takes back the caller's reaction; the emoji percent-encoded.
inline QString messageReaction(QStringView messageId, const QString &emoji)
{
    return chatsMessages + u'/' + messageId + u"/reactions/"
        + QString::fromLatin1(QUrl::toPercentEncoding(emoji));
}
inline QString message(QStringView messageId)
{
    return messages + u'/' + messageId;
}
inline QString session(QStringView sessionId)
{
    return sessions + u'/' + sessionId;
}
inline QString upload(QStringView uploadId)
{
    return uploads + u'/' + uploadId;
}
// GET: the file's bytes (Range, ETag); with a signed link's query, no header.
inline QString file(QStringView fileId)
{
    return files + u'/' + fileId;
}
inline QString fileThumbnail(QStringView fileId)
{
    return file(fileId) + u"/thumbnail";
}
// GET: signed URLs for the file and its thumbnail (FileLink).
inline QString fileLink(QStringView fileId)
{
    return file(fileId) + u"/link";
}
inline QString wsChat(QStringView chatId)
{
    return wsPrefix + chatId;
}

} // namespace Messenger::ApiPaths
