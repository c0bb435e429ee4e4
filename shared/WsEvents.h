#pragma once

#include <QStringView>

// WebSocket frame and /updates event type names.
namespace Messenger::WsEvents {

// server -> client
inline constexpr QStringView message = u"message";
inline constexpr QStringView messageEdited = u"message_edited";
inline constexpr QStringView messageDeleted = u"message_deleted";
inline constexpr QStringView read = u"read";
// A chat was created: the whole chat, to its first members.
inline constexpr QStringView chat = u"chat";
// Later changes carry only what changed (MembersAdded, ChatRenamed).
inline constexpr QStringView membersAdded = u"members_added";
inline constexpr QStringView chatRenamed = u"chat_renamed";
inline constexpr QStringView chatRemoved = u"chat_removed";
inline constexpr QStringView memberLeft = u"member_left";
inline constexpr QStringView typing = u"typing";
inline constexpr QStringView ack = u"ack";
inline constexpr QStringView error = u"error";
inline constexpr QStringView pong = u"pong";

// client -> server
inline constexpr QStringView send = u"send";
inline constexpr QStringView ping = u"ping";

} // namespace Messenger::WsEvents
