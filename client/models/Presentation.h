#pragma once

#include "shared/Files.h"
#include "shared/Search.h"

#include <QColor>
#include <QDateTime>
#include <QLocale>
#include <QString>

#include <optional>

namespace Messenger::Client {

// How chats and messages look, the same everywhere in the app.
namespace Presentation {

// Telegram Desktop's rule for the chat list: today or within 20 hours the
// time, within a week the weekday, older the date.
QString chatListTime(const QDateTime &when, const QDateTime &now, const QLocale &locale = {});
// The time under a message bubble.
QString messageTime(const QDateTime &when, const QLocale &locale = {});
// A date separator in the timeline: "Today", "Yesterday", a weekday within
// the week, then "24 November" (this year) or "24 November 2025".
QString dateSeparator(const QDate &day, const QDate &today, const QLocale &locale = {});

// The chat header's presence line: "online", "last seen just now", "last
// seen 5 minutes ago", "last seen today at 14:02", "last seen yesterday at
// 14:02", "last seen 24 November at 14:02"; "last seen recently" when the
// time is unknown (hidden, or never seen).
QString presence(bool online, const std::optional<QDateTime> &lastSeen, const QDateTime &now,
    const QLocale &locale = {});

// Up to two letters: the first letters of the first two words.
QString initials(const QString &name);
// A pleasant, stable colour per id, so the same person looks the same everywhere.
QColor avatarColor(const QString &id);

// Where `text` has `mention` ("@Bob Stone"), case-insensitively, each not
// followed by more of a word ("@Bob" is not in "@Bobby").
QList<Messenger::TextRange> mentionRanges(const QString &text, const QString &mention);

// What a one-line preview (the chat list, a reply's quote, a notification)
// says of a message: its text on one line, or for a caption-less one its
// files: "🖼 Photo", "📎 report.pdf" (and how many more).
QString messageSummary(const QString &text, const QList<Messenger::Attachment> &attachments);

// Microseconds since the epoch (the API's timestamps) to local time.
QDateTime toLocalTime(qint64 microseconds);

} // namespace Presentation

} // namespace Messenger::Client
