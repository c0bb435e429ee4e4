#include "Json.h"

#include "Limits.h"
#include "Validation.h"

#include <QDateTime>
#include <QUuid>

#include <chrono>
#include <cmath>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject FieldError::toJson() const
{
    return { { u"loc"_s, QJsonArray::fromStringList(loc) }, { u"msg"_s, msg },
        { u"type"_s, type } };
}

FieldError FieldError::fromJson(const QJsonObject &json)
{
    FieldError error;
    for (const QJsonValue &part : json.value(u"loc").toArray())
        error.loc.append(part.isDouble() ? QString::number(part.toInteger()) : part.toString());
    error.msg = json.value(u"msg").toString();
    error.type = json.value(u"type").toString();
    return error;
}

JsonReader::JsonReader(const QJsonObject &object, QStringList location)
    : m_object(object)
    , m_location(std::move(location))
{ }

QStringList JsonReader::location(QStringView key) const
{
    QStringList loc = m_location;
    loc.append(key.toString());
    return loc;
}

void JsonReader::addError(QStringView key, const QString &msg, const QString &type)
{
    m_errors.append({ location(key), msg, type });
}

const QJsonValue *JsonReader::require(QStringView key, QJsonValue &slot, bool required)
{
    slot = m_object.value(key);
    if (slot.isUndefined() || (!required && slot.isNull())) {
        if (required)
            addError(key, u"Field required"_s, u"missing"_s);
        return nullptr;
    }
    return &slot;
}

QString JsonReader::string(QStringView key, int minLength, int maxLength, bool trim)
{
    return checkedString(key, minLength, maxLength, trim ? Trim::Whitespace : Trim::None);
}

QString JsonReader::name(QStringView key, int minLength, int maxLength)
{
    return checkedString(key, minLength, maxLength, Trim::WhitespaceAndZeroWidth);
}

QString JsonReader::checkedString(QStringView key, int minLength, int maxLength, Trim trim)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return {};
    if (!slot.isString()) {
        addError(key, u"Input should be a valid string"_s, u"string_type"_s);
        return {};
    }
    QString text = trim == Trim::None ? slot.toString() : slot.toString().trimmed();
    if (trim == Trim::WhitespaceAndZeroWidth) {
        constexpr QChar zeroWidthNoBreakSpace(0xfeff);
        while (!text.isEmpty()
            && (text.front() == zeroWidthNoBreakSpace || text.back() == zeroWidthNoBreakSpace)) {
            if (text.front() == zeroWidthNoBreakSpace)
                text.remove(0, 1);
            if (!text.isEmpty() && text.back() == zeroWidthNoBreakSpace)
                text.chop(1);
            text = text.trimmed();
        }
    }
    if (!Validation::isStorableText(text)) {
        // Refused on both backends, so both answer alike, and before anything
        // reaches a database (PostgreSQL answered U+0000 with an error).
        addError(key, Validation::unstorableTextMessage.toString(),
            Validation::unstorableTextType.toString());
        return {};
    }
    if (text.size() < minLength) {
        addError(key,
            u"String should have at least %1 character%2"_s.arg(minLength).arg(
                minLength == 1 ? ""_L1 : "s"_L1),
            u"string_too_short"_s);
        return {};
    }
    if (maxLength >= 0 && text.size() > maxLength) {
        addError(key, u"String should have at most %1 characters"_s.arg(maxLength),
            u"string_too_long"_s);
        return {};
    }
    return text;
}

std::optional<QString> JsonReader::optionalString(
    QStringView key, int minLength, int maxLength, bool trim)
{
    QJsonValue slot;
    if (!require(key, slot, false))
        return std::nullopt;
    const qsizetype before = m_errors.size();
    QString text = string(key, minLength, maxLength, trim);
    if (m_errors.size() != before)
        return std::nullopt;
    return text;
}

QString JsonReader::email(QStringView key)
{
    const qsizetype before = m_errors.size();
    const QString text = string(key, 1, Limits::emailMax, true);
    if (m_errors.size() != before)
        return {};
    if (!Validation::isValidEmail(text)) {
        addError(key, u"value is not a valid email address"_s, u"value_error"_s);
        return {};
    }
    return Validation::normalizedEmail(text);
}

QString JsonReader::uuid(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return {};
    const auto id = slot.isString() ? canonicalUuid(slot.toString()) : std::nullopt;
    if (!id) {
        addError(key, u"Input should be a valid UUID"_s, u"uuid_parsing"_s);
        return {};
    }
    return *id;
}

std::optional<QString> JsonReader::optionalUuid(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, false))
        return std::nullopt;
    const qsizetype before = m_errors.size();
    QString id = uuid(key);
    if (m_errors.size() != before)
        return std::nullopt;
    return id;
}

QStringList JsonReader::uuidList(QStringView key, int minCount, int maxCount)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return {};
    if (!slot.isArray()) {
        addError(key, u"Input should be a valid list"_s, u"list_type"_s);
        return {};
    }
    const QJsonArray items = slot.toArray();
    if (items.size() < minCount) {
        addError(key,
            u"List should have at least %1 item%2"_s.arg(minCount).arg(
                minCount == 1 ? ""_L1 : "s"_L1),
            u"too_short"_s);
        return {};
    }
    if (items.size() > maxCount) {
        addError(key, u"List should have at most %1 items"_s.arg(maxCount), u"too_long"_s);
        return {};
    }
    QStringList ids;
    ids.reserve(items.size());
    for (qsizetype i = 0; i < items.size(); ++i) {
        const auto id
            = items.at(i).isString() ? canonicalUuid(items.at(i).toString()) : std::nullopt;
        if (!id) {
            QStringList loc = location(key);
            loc.append(QString::number(i));
            m_errors.append({ loc, u"Input should be a valid UUID"_s, u"uuid_parsing"_s });
            continue;
        }
        if (!ids.contains(*id))
            ids.append(*id);
    }
    return ids;
}

qint64 JsonReader::integer(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return 0;
    const auto number = exactInteger(slot);
    if (!number) {
        addError(key, u"Input should be a valid integer"_s, u"int_type"_s);
        return 0;
    }
    return *number;
}

std::optional<qint64> JsonReader::optionalInteger(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, false))
        return std::nullopt;
    const qsizetype before = m_errors.size();
    const qint64 value = integer(key);
    if (m_errors.size() != before)
        return std::nullopt;
    return value;
}

bool JsonReader::boolean(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return false;
    if (!slot.isBool()) {
        addError(key, u"Input should be a valid boolean"_s, u"bool_type"_s);
        return false;
    }
    return slot.toBool();
}

qint64 JsonReader::timestamp(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return 0;
    const auto value = slot.isString() ? parseTimestamp(slot.toString()) : std::nullopt;
    if (!value) {
        addError(key, u"Input should be a valid datetime"_s, u"datetime_parsing"_s);
        return 0;
    }
    return *value;
}

std::optional<qint64> JsonReader::optionalTimestamp(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, false))
        return std::nullopt;
    const qsizetype before = m_errors.size();
    const qint64 value = timestamp(key);
    if (m_errors.size() != before)
        return std::nullopt;
    return value;
}

QJsonObject JsonReader::object(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return {};
    if (!slot.isObject()) {
        addError(key, u"Input should be a valid dictionary"_s, u"dict_type"_s);
        return {};
    }
    return slot.toObject();
}

QJsonArray JsonReader::array(QStringView key)
{
    QJsonValue slot;
    if (!require(key, slot, true))
        return {};
    if (!slot.isArray()) {
        addError(key, u"Input should be a valid list"_s, u"list_type"_s);
        return {};
    }
    return slot.toArray();
}

void JsonReader::literal(QStringView key, QStringView expected, bool required)
{
    QJsonValue slot;
    if (!require(key, slot, required))
        return;
    if (slot.toString() != expected)
        addError(key, u"Input should be '%1'"_s.arg(expected), u"literal_error"_s);
}

std::optional<qint64> exactInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    // 2^63 is exactly representable; every double below it in magnitude
    // converts without overflow.
    constexpr double limit = 9223372036854775808.0;
    if (!(number >= -limit && number < limit) || std::trunc(number) != number)
        return std::nullopt;
    return qint64(number);
}

QString formatTimestamp(qint64 microsecondsSinceEpoch)
{
    char text[timestampCapacity];
    return QString::fromLatin1(text, writeTimestamp(text, microsecondsSinceEpoch));
}

int writeTimestamp(char *out, qint64 microsecondsSinceEpoch)
{
    constexpr qint64 microsPerDay = 86'400'000'000;
    constexpr qint64 endOfYear9999 = 253'402'300'800'000'000;
    if (microsecondsSinceEpoch < 0 || microsecondsSinceEpoch >= endOfYear9999) {
        // Outside four-digit years after 1970: no message has such a time;
        // QDateTime spells them (it costs a tenth of the chat list's CPU).
        const qint64 millis = microsecondsSinceEpoch / 1000;
        const qint64 micros = microsecondsSinceEpoch % 1000000;
        const QByteArray text
            = (QDateTime::fromMSecsSinceEpoch(millis, Qt::UTC).toString(u"yyyy-MM-ddTHH:mm:ss")
                + u'.' + QString::number(micros).rightJustified(6, u'0') + u'Z')
                  .toLatin1()
                  .left(timestampCapacity);
        std::memcpy(out, text.constData(), size_t(text.size()));
        return int(text.size());
    }
    // The civil date of a day count (Howard Hinnant's days-to-civil algorithm).
    const qint64 days = microsecondsSinceEpoch / microsPerDay;
    qint64 rest = microsecondsSinceEpoch % microsPerDay;
    const qint64 shifted = days + 719'468; // days since 0000-03-01
    const qint64 era = shifted / 146'097;
    const qint64 dayOfEra = shifted - era * 146'097;
    const qint64 yearOfEra
        = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 monthIndex = (5 * dayOfYear + 2) / 153; // March is 0
    const qint64 day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
    const qint64 month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
    const qint64 year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    const qint64 micros = rest % 1'000'000;
    rest /= 1'000'000;
    const qint64 fields[] = { year, month, day, rest / 3600, rest / 60 % 60, rest % 60 };
    const int widths[] = { 4, 2, 2, 2, 2, 2 };
    const char separators[] = { '-', '-', 'T', ':', ':', '.' };
    char *cursor = out;
    const auto digits = [&cursor](qint64 number, int width) {
        for (int i = width - 1; i >= 0; --i, number /= 10)
            cursor[i] = char('0' + number % 10);
        cursor += width;
    };
    for (int i = 0; i < 6; ++i) {
        digits(fields[i], widths[i]);
        *cursor++ = separators[i];
    }
    digits(micros, 6);
    *cursor++ = 'Z';
    return int(cursor - out);
}

std::optional<qint64> parseTimestamp(QStringView text)
{
    // Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)"; we only ever emit UTC.
    QStringView rest = text;
    if (rest.endsWith(u'Z'))
        rest.chop(1);
    else if (rest.endsWith(u"+00:00"))
        rest.chop(6);
    else
        return std::nullopt;
    QStringView fraction;
    if (const qsizetype dot = rest.indexOf(u'.'); dot >= 0) {
        fraction = rest.sliced(dot + 1);
        rest.truncate(dot);
        if (fraction.isEmpty() || fraction.size() > 9)
            return std::nullopt;
        for (QChar c : fraction) {
            if (!c.isDigit())
                return std::nullopt;
        }
    }
    const QDateTime time = QDateTime::fromString(rest.toString(), Qt::ISODate);
    if (!time.isValid() || rest.size() != 19)
        return std::nullopt;
    const qint64 seconds = QDateTime(time.date(), time.time(), Qt::UTC).toSecsSinceEpoch();
    const qint64 micros
        = fraction.isEmpty() ? 0 : fraction.left(6).toString().leftJustified(6, u'0').toLongLong();
    return seconds * 1000000 + micros;
}

qint64 currentTimestamp()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<QString> canonicalUuid(QStringView text)
{
    if (text.size() != 36)
        return std::nullopt;
    const QUuid id = QUuid::fromString(text);
    if (id.isNull())
        return std::nullopt;
    return id.toString(QUuid::WithoutBraces);
}

QString newUuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QJsonValue optionalToJson(const std::optional<QString> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

QJsonDocument parseJson(QByteArray utf8, QJsonParseError *error)
{
    static const QByteArray byteOrderMark("\xEF\xBB\xBF");
    if (utf8.startsWith(byteOrderMark))
        utf8.remove(0, byteOrderMark.size());
    if (!utf8.contains(byteOrderMark))
        return QJsonDocument::fromJson(utf8, error);
    // EF starts a three-byte sequence, so EF BB BF is always a U+FEFF. Outside
    // strings it was invalid JSON before and still is; so is one right after
    // an escaping backslash, which is left alone (escaped, it would become
    // the text "\ufeff"). One pass: a body of nothing but U+FEFFs costs
    // linear time.
    QByteArray escaped;
    escaped.reserve(utf8.size() * 2);
    qsizetype backslashes = 0; // the run of backslashes just before
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        if (backslashes % 2 == 0 && QByteArrayView(utf8).sliced(i).startsWith(byteOrderMark)) {
            escaped += "\\ufeff";
            i += byteOrderMark.size() - 1;
            backslashes = 0;
            continue;
        }
        backslashes = utf8.at(i) == '\\' ? backslashes + 1 : 0;
        escaped += utf8.at(i);
    }
    return QJsonDocument::fromJson(escaped, error);
}

} // namespace Messenger
