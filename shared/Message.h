#pragma once

#include "Files.h"
#include "User.h"

namespace Messenger {

// What a reply shows of the message it answers, as it is now: its sender's
// current name and the start of its current text (Limits::replyPreviewMax);
// once that message is deleted, `deleted` and no text.
struct ReplyPreview
{
    QString id;
    QString senderId;
    QString senderName;
    QString text;
    bool deleted = false;
    // Where the original is (history's around_seq); 0 from a server that does not say.
    qint64 seq = 0;

    // The start of `text` a preview shows: at most Limits::replyPreviewMax
    // UTF-16 code units, never ending inside a grapheme cluster (so never
    // inside a surrogate pair).
    static QString cut(const QString &text);

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<ReplyPreview> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ReplyPreview &) const = default;
};

// One emoji on a message: how many people reacted with it, and whether the
// reader is one of them. A message's reactions are listed in the order each
// emoji was first used on it (stable: a new emoji goes last).
struct Reaction
{
    QString emoji;
    qint64 count = 0;
    bool me = false;

    // With `me` for a reader (history, answers); without it in the
    // `message_reactions` event, which every member gets alike.
    QJsonObject toJson(bool withMe = true) const;
    void write(JsonWriter &writer, bool withMe = true) const;
    static Parsed<Reaction> fromJson(const QJsonObject &json, const QStringList &location = {});
    static QJsonArray listToJson(const QList<Reaction> &reactions, bool withMe = true);
    static QList<Reaction> listFromJson(JsonReader &reader, QStringView key);
    bool operator==(const Reaction &) const = default;
};

// Who wrote a forwarded message first: its original author, as they are
// named now (a forward of a forward keeps the first author). Nothing of the
// chat it came from, which the reader may not be in.
struct ForwardedFrom
{
    QString senderId;
    QString senderName;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<ForwardedFrom> fromJson(
        const QJsonObject &json, const QStringList &location = {});
    bool operator==(const ForwardedFrom &) const = default;
};

// A message as history and sends return it. `seq` is the server-wide order of
// record; `chat_seq` counts 1, 2, 3... within the chat with no gaps.
struct Message
{
    QString id;
    QString chatId;
    QString senderId;
    User sender;
    QString text;
    qint64 timestamp = 0; // microseconds since the epoch, UTC
    bool isRead = false;
    qint64 seq = 0;
    qint64 chatSeq = 0;
    std::optional<QString> clientId;
    std::optional<qint64> editedAt;
    bool deleted = false;
    std::optional<ReplyPreview> replyTo; // `reply_to`: null when it answers nothing
    // `reactions`, for the reader. A `message_edited` event has none (an edit
    // never changes them; `message_reactions` events do): read as empty.
    QList<Reaction> reactions;
    // `forwarded_from`: null unless the message is a forwarded copy.
    std::optional<ForwardedFrom> forwardedFrom;
    // `mentions`: the ids of the members the message mentions, as sent.
    QStringList mentions;
    // `attachments`: the files it carries, in the order sent; none once deleted.
    QList<Attachment> attachments;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    // A Message's JSON (e.g. a stored event's) with `reply_to` replaced.
    static void setReplyTo(QJsonObject &json, const std::optional<ReplyPreview> &replyTo);
    // A Message's JSON without `reactions` (a `message_edited` event's).
    static void dropReactions(QJsonObject &json);
    static Parsed<Message> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const Message &) const = default;
};

// The preview of a chat's newest message in the chat list.
struct LastMessage
{
    QString id;
    QString senderId;
    QString senderName;
    QString text;
    qint64 timestamp = 0;
    bool isRead = false;
    qint64 seq = 0;
    qint64 chatSeq = 0;
    bool deleted = false;
    // What the message carries, so that a caption-less photo has a preview.
    QList<Attachment> attachments;

    static LastMessage fromMessage(const Message &message);
    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<LastMessage> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const LastMessage &) const = default;
};

} // namespace Messenger
