#pragma once

#include "Message.h"

// Message search (GET /search/messages): what a result is, and the one
// definition of a "word" that the query, the highlighting and the clients share.
namespace Messenger {

// The words of `text`: runs of letters and digits (with their combining
// marks); everything else separates words, so no character of a search is
// ever syntax.
QStringList searchWords(QStringView text);

// A part of a snippet: `start` and `length` in UTF-16 code units (as
// QString and JavaScript count), serialised as [start, length].
struct TextRange
{
    qsizetype start = 0;
    qsizetype length = 0;
    bool operator==(const TextRange &) const = default;
};

// The words of `text` that a search for `words` (lower-cased) matches: those
// starting with one of them, case-insensitively.
QList<TextRange> searchMatches(const QString &text, const QStringList &words);

// A message's text cut down to about Limits::messageSearchSnippetMax
// characters around its first match ("…" marks a cut; line breaks become
// spaces), with the words that match highlighted. Plain text, no markup.
struct Snippet
{
    QString text;
    QList<TextRange> highlights;

    // The snippet of `text` for `words` (lower-cased): a word of the text is
    // highlighted when it starts with one of them, case-insensitively.
    static Snippet of(const QString &text, const QStringList &words);
};

// One found message: the message as history returns it, its chat's id and
// name (a personal chat's name is the other member's) and the snippet.
struct MessageSearchResult
{
    Message message;
    QString chatId;
    QString chatName;
    Snippet snippet;

    QJsonObject toJson() const;
    static Parsed<MessageSearchResult> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

// A page of results, newest first. When `has_more`, `next_before` is the
// `before` of the next page.
struct MessageSearchPage
{
    QList<MessageSearchResult> results;
    bool hasMore = false;
    std::optional<qint64> nextBefore;

    QJsonObject toJson() const;
    static Parsed<MessageSearchPage> fromJson(
        const QJsonObject &json, const QStringList &location = {});
};

} // namespace Messenger
