#include "JsonWriter.h"

#include "Json.h"

#include <QJsonDocument>

#include <charconv>

namespace Messenger {

void JsonWriter::separate()
{
    if (m_out.isEmpty())
        return;
    const char last = m_out.back();
    if (last != '{' && last != '[' && last != ':')
        m_out.append(',');
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_out.append('{');
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    m_out.append('}');
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_out.append('[');
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    m_out.append(']');
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1StringView name)
{
    // Keys are our own constants: nothing in them needs escaping.
    separate();
    m_out.append('"').append(name.data(), name.size()).append("\":");
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    separate();
    m_out.append('"');
    const char16_t *unit = text.utf16();
    const char16_t *const end = unit + text.size();
    while (unit < end) {
        char32_t code = *unit++;
        if (code < 0x80) {
            switch (code) {
            case '"':
                m_out.append("\\\"");
                break;
            case '\\':
                m_out.append("\\\\");
                break;
            case '\b':
                m_out.append("\\b");
                break;
            case '\f':
                m_out.append("\\f");
                break;
            case '\n':
                m_out.append("\\n");
                break;
            case '\r':
                m_out.append("\\r");
                break;
            case '\t':
                m_out.append("\\t");
                break;
            default:
                if (code < 0x20) {
                    static constexpr char hex[] = "0123456789abcdef";
                    const char escaped[] = { '\\', 'u', '0', '0', hex[code >> 4], hex[code & 0xf] };
                    m_out.append(escaped, sizeof escaped);
                } else {
                    m_out.append(char(code));
                }
            }
            continue;
        }
        if (QChar::isHighSurrogate(code) && unit < end && QChar::isLowSurrogate(*unit))
            code = QChar::surrogateToUcs4(char16_t(code), *unit++);
        else if (QChar::isSurrogate(code))
            code = QChar::ReplacementCharacter;
        char encoded[4];
        int length = 0;
        if (code < 0x800) {
            encoded[length++] = char(0xc0 | (code >> 6));
        } else if (code < 0x10000) {
            encoded[length++] = char(0xe0 | (code >> 12));
            encoded[length++] = char(0x80 | ((code >> 6) & 0x3f));
        } else {
            encoded[length++] = char(0xf0 | (code >> 18));
            encoded[length++] = char(0x80 | ((code >> 12) & 0x3f));
            encoded[length++] = char(0x80 | ((code >> 6) & 0x3f));
        }
        encoded[length++] = char(0x80 | (code & 0x3f));
        m_out.append(encoded, length);
    }
    m_out.append('"');
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    char digits[24];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), number).ptr;
    m_out.append(digits, end - digits);
    return *this;
}

JsonWriter &JsonWriter::value(bool flag)
{
    separate();
    m_out.append(flag ? "true" : "false");
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_out.append("null");
    return *this;
}

JsonWriter &JsonWriter::value(const std::optional<QString> &text)
{
    return text ? value(QStringView(*text)) : null();
}

JsonWriter &JsonWriter::value(const std::optional<qint64> &number)
{
    return number ? value(*number) : null();
}

JsonWriter &JsonWriter::value(const std::optional<int> &number)
{
    return number ? value(qint64(*number)) : null();
}

JsonWriter &JsonWriter::timestamp(qint64 microsecondsSinceEpoch)
{
    separate();
    char text[timestampCapacity];
    const int length = writeTimestamp(text, microsecondsSinceEpoch);
    m_out.append('"').append(text, length).append('"');
    return *this;
}

QJsonObject JsonWriter::parsed(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

} // namespace Messenger
