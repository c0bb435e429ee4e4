#include "JsonWriter.h"

#include "Json.h"

#include <QJsonDocument>

#include <algorithm>
#include <charconv>

namespace Messenger {

char *JsonWriter::grow(qsizetype most)
{
    // resize() grows the capacity geometrically and leaves the bytes as they are.
    const qsizetype used = m_out.size();
    m_out.resize(used + most);
    return m_out.data() + used;
}

void JsonWriter::shrinkTo(const char *end)
{
    m_out.resize(end - m_out.constData());
}

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

JsonWriter &JsonWriter::written(QByteArrayView json)
{
    separate();
    m_out.append(json);
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1StringView name)
{
    // Keys are our own constants: nothing in them needs escaping.
    separate();
    char *out = grow(name.size() + 3);
    *out++ = '"';
    out = std::copy(name.begin(), name.end(), out);
    *out++ = '"';
    *out++ = ':';
    shrinkTo(out);
    return *this;
}

JsonWriter &JsonWriter::value(QStringView text)
{
    separate();
    // At most 6 bytes per UTF-16 code unit (\u001f), and the quotes; the
    // bytes are written in place, not appended one by one.
    char *out = grow(text.size() * 6 + 2);
    *out++ = '"';
    const char16_t *unit = text.utf16();
    const char16_t *const end = unit + text.size();
    while (unit < end) {
        char32_t code = *unit++;
        if (code >= 0x20 && code < 0x80 && code != '"' && code != '\\') {
            *out++ = char(code);
            continue;
        }
        if (code < 0x80) {
            *out++ = '\\';
            switch (code) {
            case '"':
                *out++ = '"';
                break;
            case '\\':
                *out++ = '\\';
                break;
            case '\b':
                *out++ = 'b';
                break;
            case '\f':
                *out++ = 'f';
                break;
            case '\n':
                *out++ = 'n';
                break;
            case '\r':
                *out++ = 'r';
                break;
            case '\t':
                *out++ = 't';
                break;
            default: {
                static constexpr char hex[] = "0123456789abcdef";
                out = std::copy_n("u00", 3, out);
                *out++ = hex[code >> 4];
                *out++ = hex[code & 0xf];
            }
            }
            continue;
        }
        if (code == 0xfeff) {
            // Escaped: QJsonDocument::fromJson (toObject, and any client
            // parsing with it) drops a raw U+FEFF, taking it for a BOM.
            out = std::copy_n("\\ufeff", 6, out);
            continue;
        }
        if (QChar::isHighSurrogate(code) && unit < end && QChar::isLowSurrogate(*unit))
            code = QChar::surrogateToUcs4(char16_t(code), *unit++);
        else if (QChar::isSurrogate(code))
            code = QChar::ReplacementCharacter;
        if (code < 0x800) {
            *out++ = char(0xc0 | (code >> 6));
        } else if (code < 0x10000) {
            *out++ = char(0xe0 | (code >> 12));
            *out++ = char(0x80 | ((code >> 6) & 0x3f));
        } else {
            *out++ = char(0xf0 | (code >> 18));
            *out++ = char(0x80 | ((code >> 12) & 0x3f));
            *out++ = char(0x80 | ((code >> 6) & 0x3f));
        }
        *out++ = char(0x80 | (code & 0x3f));
    }
    *out++ = '"';
    shrinkTo(out);
    return *this;
}

JsonWriter &JsonWriter::value(qint64 number)
{
    separate();
    char *out = grow(20);
    shrinkTo(std::to_chars(out, out + 20, number).ptr);
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
    char *out = grow(timestampCapacity + 2);
    *out++ = '"';
    out += writeTimestamp(out, microsecondsSinceEpoch);
    *out++ = '"';
    shrinkTo(out);
    return *this;
}

QJsonObject JsonWriter::parsed(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

} // namespace Messenger
