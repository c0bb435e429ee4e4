#pragma once

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "JsonWriter.h"

#include <optional>

namespace Messenger {

// One failed field, shaped like a FastAPI/pydantic validation error so the
// server can answer 422 with {"detail": [{"loc", "msg", "type"}]}.
struct FieldError
{
    QStringList loc; // e.g. {"body", "email"}
    QString msg;
    QString type;

    QJsonObject toJson() const;
    static FieldError fromJson(const QJsonObject &json);
    bool operator==(const FieldError &) const = default;
};

// The result of parsing a DTO: a value, or the errors that prevented it.
// Never a half-filled object.
template <typename T> class Parsed
{
public:
    Parsed(T value)
        : m_value(std::move(value))
    { }
    Parsed(QList<FieldError> errors)
        : m_errors(std::move(errors))
    { }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    const QList<FieldError> &errors() const { return m_errors; }

private:
    std::optional<T> m_value;
    QList<FieldError> m_errors;
};

// Reads typed fields from a JSON object, collecting an error with the full
// location for each field that is missing, of the wrong type or out of range.
class JsonReader
{
public:
    explicit JsonReader(const QJsonObject &object, QStringList location = {});

    // Strings. `trim` trims before checking the length (and returns trimmed).
    QString string(QStringView key, int minLength = 0, int maxLength = -1, bool trim = false);
    // A person's or a group's name: trimmed of whitespace and of U+FEFF (an
    // invisible zero-width no-break space, which SQLite and Qt's PostgreSQL
    // driver drop at the start of a value anyway), then length-checked.
    QString name(QStringView key, int minLength, int maxLength);
    std::optional<QString> optionalString(
        QStringView key, int minLength = 0, int maxLength = -1, bool trim = false);
    QString email(QStringView key);
    QString uuid(QStringView key);
    std::optional<QString> optionalUuid(QStringView key);
    QStringList uuidList(QStringView key, int minCount, int maxCount);
    qint64 integer(QStringView key);
    std::optional<qint64> optionalInteger(QStringView key);
    bool boolean(QStringView key);
    qint64 timestamp(QStringView key);
    std::optional<qint64> optionalTimestamp(QStringView key);
    QJsonObject object(QStringView key);
    QJsonArray array(QStringView key);
    // A field that must be a given constant string when present.
    void literal(QStringView key, QStringView expected, bool required);

    // A nested DTO parsed by T::fromJson, its errors located under `key`.
    template <typename T> std::optional<T> nested(QStringView key)
    {
        if (!m_object.value(key).isObject()) {
            object(key); // records the right error
            return std::nullopt;
        }
        Parsed<T> parsed = T::fromJson(m_object.value(key).toObject(), location(key));
        if (!parsed) {
            m_errors.append(parsed.errors());
            return std::nullopt;
        }
        return std::move(parsed).value();
    }

    void addError(QStringView key, const QString &msg, const QString &type);
    void addErrors(const QList<FieldError> &errors) { m_errors.append(errors); }
    bool hasErrors() const { return !m_errors.isEmpty(); }
    const QList<FieldError> &errors() const { return m_errors; }
    QStringList location(QStringView key) const;

    template <typename T> Parsed<T> result(T value) const
    {
        if (hasErrors())
            return Parsed<T>(m_errors);
        return Parsed<T>(std::move(value));
    }

private:
    const QJsonValue *require(QStringView key, QJsonValue &slot, bool required);

    enum class Trim { None, Whitespace, WhitespaceAndZeroWidth };
    QString checkedString(QStringView key, int minLength, int maxLength, Trim trim);

    QJsonObject m_object;
    QStringList m_location;
    QList<FieldError> m_errors;
};

// Timestamps travel as ISO 8601 UTC with microseconds and 'Z' and are held as
// microseconds since the Unix epoch.
QString formatTimestamp(qint64 microsecondsSinceEpoch);
// The same text into `out` (at least timestampCapacity bytes, no terminator);
// returns its length.
constexpr int timestampCapacity = 40;
int writeTimestamp(char *out, qint64 microsecondsSinceEpoch);

// The JSON number as a 64-bit integer, if it is one exactly: not a fraction,
// and within range (converting 1e300 to qint64 is undefined behaviour).
std::optional<qint64> exactInteger(const QJsonValue &value);
std::optional<qint64> parseTimestamp(QStringView text);
qint64 currentTimestamp();

// Ids are canonical lower-case UUID strings with dashes.
std::optional<QString> canonicalUuid(QStringView text);
QString newUuid();

// Where request-body fields are reported in a 422: {"loc": ["body", field]}.
inline QStringList bodyLocation()
{
    return { QStringLiteral("body") };
}
// {"loc": ["body", field]}: a field the server checks beyond its DTO's parsing.
inline QStringList bodyLocation(QStringView field)
{
    return bodyLocation() << field.toString();
}

QJsonValue optionalToJson(const std::optional<QString> &value);

// QJsonDocument::fromJson, but keeping every U+FEFF. Qt 6.4's parser decodes
// each run of raw UTF-8 in a string as if it began a document and drops a
// U+FEFF (bytes EF BB BF) at its start: "\ufeffhello" sent as UTF-8 arrived
// as "hello". Escaped, the parser keeps it, so raw ones are escaped first (a
// byte order mark before the document itself is still skipped). Use it for
// every JSON a person's text may be in: request bodies, frames, stored events.
QJsonDocument parseJson(QByteArray utf8, QJsonParseError *error = nullptr);

} // namespace Messenger
