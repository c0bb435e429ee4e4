#include "Queries.h"

#include "Search.h"
#include "Validation.h"

using namespace Qt::StringLiterals;

namespace Messenger {

namespace {

void addItem(QUrlQuery &query, QStringView name, qint64 value)
{
    query.addQueryItem(name.toString(), QString::number(value));
}

} // namespace

bool QueryReader::has(QStringView name) const
{
    return m_query.hasQueryItem(name.toString());
}

std::optional<qint64> QueryReader::integer(QStringView name, qint64 min, qint64 max)
{
    if (hasErrors() || !has(name))
        return std::nullopt;
    bool ok = false;
    const qint64 value = m_query.queryItemValue(name.toString()).toLongLong(&ok);
    if (!ok) {
        addError(name, u"Input should be a valid integer"_s, u"int_parsing"_s);
        return std::nullopt;
    }
    if (value < min || value > max) {
        addError(name, u"Input should be between %1 and %2"_s.arg(min).arg(max),
            value < min ? u"greater_than_equal"_s : u"less_than_equal"_s);
        return std::nullopt;
    }
    return value;
}

QString QueryReader::text(QStringView name) const
{
    return m_query.queryItemValue(name.toString(), QUrl::FullyDecoded).trimmed();
}

void QueryReader::addError(QStringView name, const QString &msg, const QString &type)
{
    m_errors.append({ queryLocation(name), msg, type });
}

QUrlQuery HistoryQuery::toQuery() const
{
    QUrlQuery query;
    addItem(query, limitKey, limit);
    if (offset > 0)
        addItem(query, offsetKey, offset);
    if (beforeSeq)
        addItem(query, beforeSeqKey, *beforeSeq);
    if (afterSeq)
        addItem(query, afterSeqKey, *afterSeq);
    if (aroundSeq)
        addItem(query, aroundSeqKey, *aroundSeq);
    return query;
}

Parsed<HistoryQuery> HistoryQuery::fromQuery(const QUrlQuery &query)
{
    constexpr qint64 seqMax = std::numeric_limits<qint64>::max();
    QueryReader reader(query);
    HistoryQuery result;
    result.limit = int(
        reader.integer(limitKey, 1, Limits::historyPageMax).value_or(Limits::historyPageDefault));
    result.offset = int(reader.integer(offsetKey, 0, std::numeric_limits<int>::max()).value_or(0));
    result.beforeSeq = reader.integer(beforeSeqKey, 0, seqMax);
    result.afterSeq = reader.integer(afterSeqKey, 0, seqMax);
    result.aroundSeq = reader.integer(aroundSeqKey, 0, seqMax);
    if (reader.hasErrors())
        return reader.result(result);
    // Four ways to page, one at a time: each names a different starting point.
    QStringList given;
    for (const QStringView name : { offsetKey, beforeSeqKey, afterSeqKey, aroundSeqKey }) {
        if (reader.has(name))
            given.append(name.toString());
    }
    if (given.size() > 1) {
        const QString message = u"Use only one of %1, %2, %3 and %4 (got %5)"_s.arg(
            offsetKey, beforeSeqKey, afterSeqKey, aroundSeqKey, given.join(u", "_s));
        for (const QString &name : std::as_const(given))
            reader.addError(name, message, u"parameter_conflict"_s);
    }
    return reader.result(result);
}

QUrlQuery UpdatesQuery::toQuery() const
{
    QUrlQuery query;
    addItem(query, sinceSeqKey, sinceSeq);
    addItem(query, limitKey, limit);
    return query;
}

Parsed<UpdatesQuery> UpdatesQuery::fromQuery(const QUrlQuery &query)
{
    QueryReader reader(query);
    UpdatesQuery result;
    const auto since = reader.integer(sinceSeqKey, 0, std::numeric_limits<qint64>::max());
    result.limit = int(reader.integer(limitKey, 1, limitMax).value_or(Limits::historyPageMax));
    if (!reader.hasErrors() && !since)
        reader.addError(sinceSeqKey, u"Field required"_s, u"missing"_s);
    result.sinceSeq = since.value_or(0);
    return reader.result(result);
}

QUrlQuery UserSearchQuery::toQuery() const
{
    QUrlQuery query;
    query.addQueryItem(textKey.toString(), QString::fromLatin1(QUrl::toPercentEncoding(text)));
    addItem(query, limitKey, limit);
    return query;
}

Parsed<UserSearchQuery> UserSearchQuery::fromQuery(const QUrlQuery &query)
{
    QueryReader reader(query);
    UserSearchQuery result;
    result.text = reader.text(textKey);
    if (result.text.isEmpty())
        reader.addError(textKey, u"Field required"_s, u"missing"_s);
    // One or two letters would list everyone a page at a time.
    else if (result.text.size() < Limits::userSearchQueryMin)
        reader.addError(textKey,
            u"String should have at least %1 characters"_s.arg(Limits::userSearchQueryMin),
            u"string_too_short"_s);
    else if (result.text.size() > Limits::userSearchQueryMax)
        reader.addError(textKey,
            u"String should have at most %1 characters"_s.arg(Limits::userSearchQueryMax),
            u"string_too_long"_s);
    else if (!Validation::isStorableText(result.text))
        reader.addError(textKey, Validation::unstorableTextMessage.toString(),
            Validation::unstorableTextType.toString());
    result.limit = int(
        reader.integer(limitKey, 1, Limits::userSearchMax).value_or(Limits::userSearchDefault));
    return reader.result(result);
}

QStringList MessageSearchQuery::words() const
{
    QStringList distinct;
    for (const QString &word : searchWords(text)) {
        const QString lower = word.toLower();
        if (!distinct.contains(lower))
            distinct.append(lower);
    }
    return distinct;
}

QUrlQuery MessageSearchQuery::toQuery() const
{
    QUrlQuery query;
    query.addQueryItem(textKey.toString(), QString::fromLatin1(QUrl::toPercentEncoding(text)));
    if (chatId)
        query.addQueryItem(chatIdKey.toString(), *chatId);
    addItem(query, limitKey, limit);
    if (beforeSeq)
        addItem(query, beforeKey, *beforeSeq);
    return query;
}

Parsed<MessageSearchQuery> MessageSearchQuery::fromQuery(const QUrlQuery &query)
{
    QueryReader reader(query);
    MessageSearchQuery result;
    result.text = reader.text(textKey);
    if (result.text.isEmpty())
        reader.addError(textKey, u"Field required"_s, u"missing"_s);
    else if (result.text.size() > Limits::messageSearchQueryMax)
        reader.addError(textKey,
            u"String should have at most %1 characters"_s.arg(Limits::messageSearchQueryMax),
            u"string_too_long"_s);
    else if (!Validation::isStorableText(result.text))
        reader.addError(textKey, Validation::unstorableTextMessage.toString(),
            Validation::unstorableTextType.toString());
    else if (result.words().size() > Limits::messageSearchWordsMax)
        reader.addError(textKey,
            u"Search for at most %1 words"_s.arg(Limits::messageSearchWordsMax),
            u"too_many_words"_s);
    if (!reader.hasErrors() && reader.has(chatIdKey)) {
        result.chatId = canonicalUuid(reader.text(chatIdKey));
        if (!result.chatId)
            reader.addError(chatIdKey, u"Input should be a valid UUID"_s, u"uuid_parsing"_s);
    }
    result.limit = int(reader.integer(limitKey, 1, Limits::messageSearchMax)
                           .value_or(Limits::messageSearchDefault));
    result.beforeSeq = reader.integer(beforeKey, 0, std::numeric_limits<qint64>::max());
    return reader.result(result);
}

QUrlQuery WsConnectQuery::toQuery() const
{
    QUrlQuery query;
    query.addQueryItem(tokenKey.toString(), QString::fromLatin1(QUrl::toPercentEncoding(token)));
    if (sinceSeq)
        addItem(query, sinceSeqKey, *sinceSeq);
    return query;
}

} // namespace Messenger
