#pragma once

#include "Chat.h"

namespace Messenger {

// One entry of the user's event stream, as the WebSocket pushes it and
// GET /updates returns it: {"seq", "type", "data"}. `seq` orders the stream
// (shared by messages and events) and is where a client resumes from; a
// `typing` frame has none (it is not stored). `data` is one of the payloads
// below, chosen by `type` (see WsEvents.h for the names).
struct Event
{
    std::optional<qint64> seq;
    QString type;
    QJsonObject data;

    // An event whose data is a DTO's JSON.
    template <typename Payload>
    static Event of(std::optional<qint64> seq, QStringView type, const Payload &payload)
    {
        return { seq, type.toString(), payload.toJson() };
    }
    // `data` parsed as `Payload`, its errors located under "data".
    template <typename Payload> Parsed<Payload> payload() const
    {
        return Payload::fromJson(data, { dataKey.toString() });
    }

    QJsonObject toJson() const;
    static Parsed<Event> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Event &) const = default;

    static constexpr QStringView dataKey = u"data";
};

// `message`: the message as history returns it, plus `sender_name` (the
// original API's socket frames carry it).
struct MessageEvent
{
    Message message;

    QJsonObject toJson() const;
    static Parsed<MessageEvent> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const MessageEvent &) const = default;
};

// `message_edited` carries the whole edited Message; `chat` the whole Chat;
// `members_added` MembersAdded; `chat_renamed` ChatRenamed (Chat.h).

// `message_deleted`: which message, no text. Stored edits of the message are
// rewritten to this too.
struct MessageDeleted
{
    QString id;
    QString chatId;
    qint64 seq = 0;
    qint64 chatSeq = 0;

    QJsonObject toJson() const;
    static Parsed<MessageDeleted> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const MessageDeleted &) const = default;
};

// `message_reactions`: `userId` added (or removed) `emoji` on a message, and
// the message's reactions now, in their order, without `me` (one payload for
// every member: a reader sets `me` on the emoji they reacted with themselves).
struct MessageReactions
{
    QString messageId;
    QString chatId;
    QString userId;
    QString emoji;
    bool added = false;
    QList<Reaction> reactions; // `me` is always false here

    QJsonObject toJson() const;
    static Parsed<MessageReactions> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const MessageReactions &) const = default;
};

// `read`: `userId` has read the chat up to `messageId` (whose seq is `seq`).
struct ReadReceipt
{
    QString chatId;
    QString userId;
    QString messageId;
    qint64 seq = 0;

    QJsonObject toJson() const;
    static Parsed<ReadReceipt> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ReadReceipt &) const = default;
};

// `member_left` (to the chat's members) and `chat_removed` (to the one who
// left or was removed) carry the same data.
struct MemberLeft
{
    QString chatId;
    QString userId;

    QJsonObject toJson() const;
    static Parsed<MemberLeft> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const MemberLeft &) const = default;
};
using ChatRemoved = MemberLeft;

// `session_revoked`: one of the user's sessions ended.
struct SessionRevoked
{
    QString sessionId;

    QJsonObject toJson() const;
    static Parsed<SessionRevoked> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const SessionRevoked &) const = default;
};

// `typing`: `userId` (called `name`) is typing in the chat. Not stored: no seq.
struct Typing
{
    QString chatId;
    QString userId;
    QString name;

    QJsonObject toJson() const;
    static Parsed<Typing> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Typing &) const = default;
};

// GET /updates: the events after `since_seq`, oldest first; continue from
// `last_seq` while `has_more`.
struct UpdatesPage
{
    QList<Event> events;
    bool hasMore = false;
    qint64 lastSeq = 0;

    QJsonObject toJson() const;
    static Parsed<UpdatesPage> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const UpdatesPage &) const = default;
};

} // namespace Messenger
