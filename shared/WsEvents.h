#pragma once

#include <QStringView>

// WebSocket frame and /updates event type names.
namespace Messenger::WsEvents {

// server -> client
inline constexpr QStringView message = u"message";
inline constexpr QStringView messageEdited = u"message_edited";
inline constexpr QStringView messageDeleted = u"message_deleted";
inline constexpr QStringView read = u"read";
// Someone reacted to a message, or took a reaction back (MessageReactions).
inline constexpr QStringView messageReactions = u"message_reactions";
// A chat was created: the whole chat, to its first members.
inline constexpr QStringView chat = u"chat";
// Later changes carry only what changed (MembersAdded, ChatRenamed).
inline constexpr QStringView membersAdded = u"members_added";
inline constexpr QStringView chatRenamed = u"chat_renamed";
// A chat's pinned message changed (ChatPinned; pinned_message null: unpinned).
inline constexpr QStringView chatPinned = u"chat_pinned";
// A group's photo was set or removed (ChatUpdated; avatar_url null: removed).
inline constexpr QStringView chatUpdated = u"chat_updated";
// The caller's own settings of a chat changed (ChatSettingsChanged): to the
// user's devices only, never to the other members.
inline constexpr QStringView chatSettings = u"chat_settings";
inline constexpr QStringView chatRemoved = u"chat_removed";
inline constexpr QStringView memberLeft = u"member_left";
inline constexpr QStringView typing = u"typing";
// Someone who shares a chat with you (or you, from another device) changed
// their profile (name, photo): data is the whole User.
inline constexpr QStringView userUpdated = u"user_updated";
inline constexpr QStringView ack = u"ack";
inline constexpr QStringView error = u"error";
inline constexpr QStringView pong = u"pong";
// A session of the user ended (logout, revoked from another device, or a
// reused refresh token); data {"session_id"}. Its sockets close with
// WsCloseCodes::sessionRevoked.
inline constexpr QStringView sessionRevoked = u"session_revoked";
// The answer to `auth`: the socket now lives until the new token expires.
inline constexpr QStringView authenticated = u"authenticated";

// client -> server
inline constexpr QStringView send = u"send";
inline constexpr QStringView ping = u"ping";
// {"type": "auth", "token": <a fresh access token of the same session>}.
inline constexpr QStringView auth = u"auth";

} // namespace Messenger::WsEvents

// Close codes of our own (4000-4999 are for applications). Both mean "the
// credentials of this socket ended", not a network failure.
namespace Messenger::WsCloseCodes {
// The access token the socket was opened (or last re-authenticated) with
// expired: refresh, then reconnect or, better, send `auth` before expiry.
inline constexpr int tokenExpired = 4001;
// The socket's session was revoked: log in again.
inline constexpr int sessionRevoked = 4003;
} // namespace Messenger::WsCloseCodes
