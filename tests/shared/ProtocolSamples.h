#pragma once

#include "shared/Limits.h"
#include "shared/Presence.h"
#include "shared/WsEvents.h"
#include "shared/WsFrames.h"

// One value of every DTO of the WebSocket protocol and /updates (shared/
// WsFrames.h, Events.h), for the round-trip tests (tst_dto) and the schema
// tests (tst_protocol_schema). `full` sets every optional field; without it
// every optional field is left out.
namespace ProtocolSamples {

using namespace Messenger;
using namespace Qt::StringLiterals;

inline const QString chatId = u"966c7a93-c284-404e-b621-1a6f42eb8a0f"_s;
inline const QString messageId = u"96dbe9c8-b7eb-4533-a097-a29224763a83"_s;
inline const QString clientId = u"0b6b2f0e-6a43-4f7e-8d7e-2c1f3f0c9a11"_s;
inline const QString repliedToId = u"3f1c2b7a-5d4e-4f60-8a9b-0c1d2e3f4a5b"_s;
inline const QString avatarUrl = u"/api/v1/files/7d0e5c4b-3a29-4f18-8e07-d6c5b4a39281"_s;
inline const QString groupAvatarUrl = u"/api/v1/files/1b2c3d4e-5f60-4718-893a-4b5c6d7e8f90"_s;

inline User alice()
{
    return { u"8e48adf2-db6c-4164-9c1a-d640ef9d0972"_s, u"alice@example.com"_s, u"Алиса 👋"_s,
        avatarUrl };
}

inline User bob()
{
    return { u"5e2edab1-be4f-4d9e-8609-e5226df118ef"_s, u"bob@example.com"_s, u"Bob"_s };
}

inline Attachment attachment()
{
    return { u"c0a8e3b2-7d1f-4e5a-9b6c-2f3e4d5a6b7c"_s, u"Фото 1.jpg"_s, 183'204, u"image/jpeg"_s,
        1600, 1200, true };
}

inline Message message(bool full = true)
{
    Message message;
    message.id = messageId;
    message.chatId = chatId;
    message.senderId = alice().id;
    message.sender = alice();
    message.text = u"Привет, мир! 🌍"_s;
    message.timestamp = 1795485101922790;
    message.isRead = full;
    message.seq = 42;
    message.chatSeq = 7;
    if (full) {
        message.clientId = clientId;
        message.editedAt = 1795485102000001;
        message.replyTo
            = ReplyPreview { repliedToId, bob().id, bob().name, u"Как дела? 🙂"_s, false };
        message.reactions = { { u"👍"_s, 2, true }, { u"🇺🇦"_s, 1, false } };
        message.forwardedFrom = ForwardedFrom { bob().id, bob().name };
        message.attachments = { attachment() };
    }
    return message;
}

inline PinnedMessage pinnedMessage()
{
    return { repliedToId, 41, bob().id, bob().name, u"Как дела? 🙂"_s };
}

inline Chat group()
{
    return { chatId, u"Команда"_s, ChatType::Group, { alice(), bob() }, alice().id,
        1795485101000000, pinnedMessage(), std::nullopt, groupAvatarUrl };
}

inline Chat personal()
{
    return { chatId, std::nullopt, ChatType::Personal, { alice(), bob() }, std::nullopt,
        1795485101000000, std::nullopt, std::nullopt };
}

// Commands (client → server).
inline SendCommand send(bool full = true)
{
    return { { chatId, u"hello"_s, full ? std::optional(clientId) : std::nullopt,
        full ? std::optional(repliedToId) : std::nullopt,
        full ? QStringList { alice().id } : QStringList(),
        full ? QStringList { attachment().id } : QStringList() } };
}

inline TypingCommand typing(bool full = true)
{
    return { chatId, full ? std::optional(clientId) : std::nullopt };
}

inline ReadCommand read(bool full = true)
{
    return { chatId, messageId, full ? std::optional(clientId) : std::nullopt };
}

inline AuthCommand auth()
{
    return { u"eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"_s };
}

// Server frames.
inline Greeting greeting(bool chatSocket = false)
{
    return { alice().id, chatSocket ? std::optional(chatId) : std::nullopt, 41 };
}

inline Ack ack(bool full = true)
{
    return { full ? std::optional(clientId) : std::nullopt, message(full) };
}

inline ErrorFrame error(bool full = true)
{
    if (!full)
        return { u"Chat not found"_s, u"chat_not_found"_s, std::nullopt, 0 };
    return { u"Too many requests, try again in 3 s"_s, u"too_many_messages"_s, clientId, 3 };
}

inline Authenticated authenticated()
{
    return { 1800 };
}

inline Refusal refusal()
{
    return { u"Not a member of this chat"_s };
}

// Event payloads.
inline MessageDeleted messageDeleted()
{
    return { messageId, chatId, 43, 7 };
}

// Without `me`: every member gets the same event.
inline MessageReactions messageReactions()
{
    return { messageId, chatId, bob().id, u"👍"_s, true,
        { { u"👍"_s, 2, false }, { u"🇺🇦"_s, 1, false } } };
}

inline ChatPinned chatPinned(bool pinned = true)
{
    return { chatId, pinned ? std::optional(pinnedMessage()) : std::nullopt, alice().id };
}

// `full`: muted forever, pinned, archived and marked unread; else none of it.
inline ChatSettingsChanged chatSettings(bool full = true)
{
    if (!full)
        return { chatId, {} };
    return { chatId, { Limits::chatMutedForever, 2, true, true } };
}

inline ReadReceipt readReceipt()
{
    return { chatId, bob().id, messageId, 42 };
}

inline MembersAdded membersAdded()
{
    return { chatId, { bob() } };
}

inline ChatRenamed chatRenamed()
{
    return { chatId, u"Crew"_s };
}

// A group's photo set, or (without `set`) removed.
inline ChatUpdated chatUpdated(bool set = true)
{
    return { chatId, set ? std::optional<QString>(groupAvatarUrl) : std::nullopt };
}

inline MemberLeft memberLeft()
{
    return { chatId, bob().id };
}

inline SessionRevoked sessionRevoked()
{
    return { u"3f1c1a52-5f7e-4d36-9c39-3f8d6c1f2a10"_s };
}

inline Typing typingNotice()
{
    return { chatId, bob().id, bob().name };
}

// One person online, one last seen (full), or nobody (minimal).
inline PresenceList presence(bool full = true)
{
    if (!full)
        return {};
    return { { { bob().id, true, std::nullopt },
        { u"5b0f8f6c-2f53-4d0e-9d4e-6a1f0c3b2d41"_s, false, 1767225600 } } };
}

// Every stored event type, each in its envelope, seq 50, 51, ...
inline QList<Event> storedEvents()
{
    qint64 seq = 50;
    return {
        Event::of(seq++, WsEvents::message, MessageEvent { message() }),
        Event::of(seq++, WsEvents::messageEdited, message()),
        Event::of(seq++, WsEvents::messageDeleted, messageDeleted()),
        Event::of(seq++, WsEvents::read, readReceipt()),
        Event::of(seq++, WsEvents::chat, group()),
        Event::of(seq++, WsEvents::membersAdded, membersAdded()),
        Event::of(seq++, WsEvents::chatRenamed, chatRenamed()),
        Event::of(seq++, WsEvents::memberLeft, memberLeft()),
        Event::of(seq++, WsEvents::chatRemoved, ChatRemoved { memberLeft() }),
        Event::of(seq++, WsEvents::sessionRevoked, sessionRevoked()),
        Event::of(seq++, WsEvents::userUpdated, bob()),
        Event::of(seq++, WsEvents::messageReactions, messageReactions()),
        Event::of(seq++, WsEvents::chatPinned, chatPinned()),
        Event::of(seq++, WsEvents::chatPinned, chatPinned(false)),
        Event::of(seq++, WsEvents::chatSettings, chatSettings()),
        Event::of(seq++, WsEvents::chatSettings, chatSettings(false)),
        Event::of(seq++, WsEvents::chatUpdated, chatUpdated()),
        Event::of(seq++, WsEvents::chatUpdated, chatUpdated(false)),
    };
}

inline UpdatesPage updatesPage()
{
    return { storedEvents(), true, 60 };
}

} // namespace ProtocolSamples
