#include "Search.h"

#include "Limits.h"

using namespace Qt::StringLiterals;

namespace Messenger {

namespace {

// A word starts with a letter or digit; combining marks belong to it.
bool isWordCharacter(QChar c)
{
    return c.isLetterOrNumber() || c.isMark();
}

// Where each word of `text` starts and how long it is.
QList<TextRange> wordRanges(QStringView text)
{
    QList<TextRange> ranges;
    qsizetype start = -1;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const bool inWord = i < text.size()
            && (start >= 0 ? isWordCharacter(text[i]) : text[i].isLetterOrNumber());
        if (inWord && start < 0)
            start = i;
        else if (!inWord && start >= 0) {
            ranges.append({ start, i - start });
            start = -1;
        }
    }
    return ranges;
}

constexpr QChar ellipsis = u'\u2026';

} // namespace

QStringList searchWords(QStringView text)
{
    QStringList words;
    for (const TextRange &range : wordRanges(text))
        words.append(text.sliced(range.start, range.length).toString());
    return words;
}

QList<TextRange> searchMatches(const QString &text, const QStringList &words)
{
    QList<TextRange> matches;
    for (const TextRange &range : wordRanges(text)) {
        const QStringView word = QStringView(text).sliced(range.start, range.length);
        for (const QString &wanted : words) {
            if (word.startsWith(wanted, Qt::CaseInsensitive)) {
                matches.append(range);
                break;
            }
        }
    }
    return matches;
}

Snippet Snippet::of(const QString &text, const QStringList &words)
{
    const QList<TextRange> matches = searchMatches(text, words);
    // The window: from a little before the first match, at a word's start.
    constexpr qsizetype windowMax = Limits::messageSearchSnippetMax;
    qsizetype from = 0;
    qsizetype to = text.size();
    if (text.size() > windowMax) {
        const qsizetype firstMatch = matches.isEmpty() ? 0 : matches.first().start;
        from = qMax<qsizetype>(0, firstMatch - windowMax / 4);
        while (from > 0 && from < firstMatch && isWordCharacter(text[from - 1]))
            ++from;
        to = qMin(text.size(), from + windowMax);
        // Never cut a surrogate pair in two.
        if (from > 0 && text[from].isLowSurrogate())
            ++from;
        if (to < text.size() && text[to - 1].isHighSurrogate())
            --to;
    }
    Snippet snippet;
    const qsizetype shift = from > 0 ? 1 : 0; // the leading ellipsis
    if (from > 0)
        snippet.text += ellipsis;
    snippet.text += QStringView(text).sliced(from, to - from);
    if (to < text.size())
        snippet.text += ellipsis;
    for (QChar &c : snippet.text) {
        if (c == u'\n' || c == u'\r')
            c = u' ';
    }
    for (const TextRange &match : std::as_const(matches)) {
        const qsizetype start = qMax(match.start, from);
        const qsizetype end = qMin(match.start + match.length, to);
        if (start < end)
            snippet.highlights.append({ start - from + shift, end - start });
    }
    return snippet;
}

QJsonObject MessageSearchResult::toJson() const
{
    QJsonArray highlights;
    for (const TextRange &range : snippet.highlights)
        highlights.append(QJsonArray { range.start, range.length });
    return { { u"message"_s, message.toJson() }, { u"chat_id"_s, chatId },
        { u"chat_name"_s, chatName }, { u"snippet"_s, snippet.text },
        { u"highlights"_s, highlights } };
}

Parsed<MessageSearchResult> MessageSearchResult::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MessageSearchResult result;
    if (auto message = reader.nested<Message>(u"message"))
        result.message = std::move(*message);
    result.chatId = reader.uuid(u"chat_id");
    result.chatName = reader.string(u"chat_name");
    result.snippet.text = reader.string(u"snippet");
    const QJsonArray highlights = reader.array(u"highlights");
    for (const QJsonValue &value : highlights) {
        const QJsonArray pair = value.toArray();
        const auto start = exactInteger(pair.at(0));
        const auto length = exactInteger(pair.at(1));
        if (pair.size() != 2 || !start || !length || *start < 0 || *length <= 0
            || *start + *length > result.snippet.text.size()) {
            reader.addError(u"highlights",
                u"Each highlight should be [start, length] within "
                "the snippet"_s,
                u"value_error"_s);
            break;
        }
        result.snippet.highlights.append({ *start, *length });
    }
    return reader.result(std::move(result));
}

QJsonObject MessageSearchPage::toJson() const
{
    QJsonArray array;
    for (const MessageSearchResult &result : results)
        array.append(result.toJson());
    return { { u"results"_s, array }, { u"has_more"_s, hasMore },
        { u"next_before"_s, nextBefore ? QJsonValue(*nextBefore) : QJsonValue() } };
}

Parsed<MessageSearchPage> MessageSearchPage::fromJson(
    const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    MessageSearchPage page;
    const QJsonArray array = reader.array(u"results");
    for (qsizetype i = 0; i < array.size(); ++i) {
        QStringList resultLocation = reader.location(u"results");
        resultLocation.append(QString::number(i));
        auto result = MessageSearchResult::fromJson(array.at(i).toObject(), resultLocation);
        if (result)
            page.results.append(std::move(result).value());
        else
            reader.addErrors(result.errors());
    }
    page.hasMore = reader.boolean(u"has_more");
    page.nextBefore = reader.optionalInteger(u"next_before");
    return reader.result(std::move(page));
}

} // namespace Messenger
