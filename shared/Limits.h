#pragma once

#include <QtGlobal>

// Every limit the API enforces, in one place, shared by the server (validation)
// and the clients (input restrictions).
namespace Messenger::Limits {

inline constexpr int messageTextMax = 4096; // characters, after trimming
inline constexpr int userNameMin = 1;
inline constexpr int userNameMax = 64;
inline constexpr int emailMax = 254; // RFC 5321 path limit
inline constexpr int emailLocalPartMax = 64;
inline constexpr int passwordMin = 8;
inline constexpr int passwordMax = 128;
inline constexpr int groupNameMin = 1;
inline constexpr int groupNameMax = 128;
inline constexpr int groupMembersMax = 1000;
inline constexpr qint64 requestBodyMax = 1024 * 1024;
inline constexpr int historyPageMax = 200;
inline constexpr int historyPageDefault = 100;
// A reply quotes at most this many characters (UTF-16 code units) of the
// message it answers, cut where a character (grapheme cluster) ends.
inline constexpr int replyPreviewMax = 100;
// Distinct emoji one message may carry; one emoji (grapheme cluster, see
// Validation::isOneEmoji) is at most this many UTF-16 code units (the longest
// ZWJ sequences, e.g. a kiss with two skin tones, take 15).
inline constexpr int reactionsPerMessageMax = 20;
inline constexpr int reactionEmojiMax = 32;
// Forwarding: up to this many messages into up to this many chats at once, and
// at most forwardCopiesMax copies (messages x chats) per request: each copy is
// a message stored and sent to every member of its chat, as a send is.
inline constexpr int forwardMessagesMax = 100;
inline constexpr int forwardChatsMax = 10;
inline constexpr int forwardCopiesMax = 100;
// Users a message mentions (`mentions` of a send).
inline constexpr int mentionsMax = 50;
// Files a message carries (`attachment_ids` of a send).
inline constexpr int attachmentsPerMessageMax = 10;
// An upload's PATCH body: QHttpServer holds a whole request in memory, so a
// file arrives in pieces of at most this size (the request body limit).
inline constexpr qint64 uploadChunkMax = requestBodyMax;
// A file's name as stored (UTF-16 code units); longer names are cut.
inline constexpr int fileNameMax = 255;
inline constexpr int userSearchMax = 50;
inline constexpr int userSearchDefault = 20;
// Shorter queries would let anyone list every user a letter at a time.
inline constexpr int userSearchQueryMin = 3;
// Message search: q is at most this many characters and words (more words
// only narrow the result while each one costs an index lookup).
inline constexpr int messageSearchQueryMax = 256;
inline constexpr int messageSearchWordsMax = 10;
inline constexpr int messageSearchMax = 100;
inline constexpr int messageSearchDefault = 20;
// A result's snippet: about this many characters of the message around the
// first match.
inline constexpr int messageSearchSnippetMax = 160;
inline constexpr int deviceNameMax = 64;
inline constexpr int sessionClientMax = 200; // the User-Agent, as stored
inline constexpr int inviteCodeMax = 64; // REGISTRATION=invite codes
// A search matches a prefix of a name or an e-mail, so nothing longer than an
// e-mail can match; longer patterns only cost (SQLite refuses LIKE patterns
// over 50,000 bytes).
inline constexpr int userSearchQueryMax = emailMax;
// Chat settings: at most this many chats pinned to the top of a user's list;
// a mute "forever" lasts until this Unix time (9999-12-31T23:59:59Z), the
// largest `muted_until` accepted.
inline constexpr int pinnedChatsMax = 5;
inline constexpr qint64 chatMutedForever = 253402300799;
inline constexpr int refreshGraceSeconds = 60;
inline constexpr int refreshTokenDays = 30;

} // namespace Messenger::Limits
