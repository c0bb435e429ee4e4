#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Messenger {

class JsonWriter;

// A DTO that writes its own JSON.
template <typename T>
concept WritesJson = requires(const T &item, JsonWriter &writer)
{
    item.write(writer);
};

// Writes compact JSON straight into bytes. The answers that are long lists
// (a chat list of 200 summaries) spent about 70% of their CPU building
// QJsonObjects and serialising them through QJsonDocument; a DTO with a
// write(JsonWriter &) is written here instead, and its toJson() reads those
// bytes back, so each DTO's JSON is spelled once.
//
// Commas are placed by looking at the byte before: a value or key that does
// not follow '{', '[' or ':' is preceded by one. Strings are UTF-8 with the
// escapes RFC 8259 requires; an unpaired surrogate becomes U+FFFD, as
// QString::toUtf8 makes it.
class JsonWriter
{
public:
    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(QLatin1StringView name);

    JsonWriter &value(QStringView text);
    JsonWriter &value(const QString &text) { return value(QStringView(text)); }
    JsonWriter &value(qint64 number);
    JsonWriter &value(int number) { return value(qint64(number)); }
    JsonWriter &value(bool flag);
    JsonWriter &null();
    // null when absent.
    JsonWriter &value(const std::optional<QString> &text);
    JsonWriter &value(const std::optional<qint64> &number);
    JsonWriter &value(const std::optional<int> &number);
    // As formatTimestamp writes it.
    JsonWriter &timestamp(qint64 microsecondsSinceEpoch);
    // A value this writer (or another) wrote before, copied as it is: a piece
    // that many answers share is written once.
    JsonWriter &written(QByteArrayView json);

    // `key: value` for anything value() takes or that has write(JsonWriter &).
    template <typename T> JsonWriter &field(QLatin1StringView name, const T &item)
    {
        key(name);
        return write(item);
    }
    template <typename T> JsonWriter &write(const T &item)
    {
        if constexpr (WritesJson<T>) {
            item.write(*this);
            return *this;
        } else {
            return value(item);
        }
    }
    template <WritesJson T> JsonWriter &write(const std::optional<T> &item)
    {
        return item ? write(*item) : null();
    }
    template <typename T> JsonWriter &write(const QList<T> &items)
    {
        beginArray();
        for (const T &item : items)
            write(item);
        return endArray();
    }

    const QByteArray &bytes() const { return m_out; }
    QByteArray take() { return std::move(m_out); }

    // The JSON object `item` writes, for the callers that build on it.
    template <typename T> static QJsonObject toObject(const T &item)
    {
        JsonWriter writer;
        writer.write(item);
        return parsed(writer.m_out);
    }

private:
    // Room for `most` more bytes at the end, to be written in place; then
    // shrinkTo() the end of what was written.
    char *grow(qsizetype most);
    void shrinkTo(const char *end);
    void separate();
    static QJsonObject parsed(const QByteArray &bytes);

    QByteArray m_out;
};

} // namespace Messenger
