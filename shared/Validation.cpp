#include "Validation.h"

#include "Limits.h"

#include <QRegularExpression>
#include <QTextBoundaryFinder>

using namespace Qt::StringLiterals;

namespace Messenger::Validation {

bool isValidEmail(const QString &email)
{
    if (email.size() > Limits::emailMax)
        return false;
    const qsizetype at = email.lastIndexOf(u'@');
    if (at <= 0 || at > Limits::emailLocalPartMax || email.indexOf(u'@') != at)
        return false;
    static const QRegularExpression localPart(u"^[^\\s\"(),:;<>\\[\\\\\\]]+$"_s);
    static const QRegularExpression domain(
        u"^(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+[\\p{L}]{2,63}$"_s);
    const QString local = email.left(at);
    return localPart.match(local).hasMatch() && !local.startsWith(u'.') && !local.endsWith(u'.')
        && !local.contains(u".."_s) && domain.match(email.mid(at + 1)).hasMatch();
}

QString normalizedEmail(const QString &email)
{
    return email.trimmed().toLower();
}

bool isStorableText(QStringView text)
{
    for (const QChar c : text) {
        if (c.unicode() == 0 || c.unicode() == 0xfffe || c.unicode() == 0xffff)
            return false;
    }
    return text.isValidUtf16();
}

namespace {

bool isRegionalIndicator(char32_t c)
{
    return c >= 0x1f1e6 && c <= 0x1f1ff;
}

bool isSkinTone(char32_t c)
{
    return c >= 0x1f3fb && c <= 0x1f3ff;
}

bool isTag(char32_t c)
{
    return c >= 0xe0020 && c <= 0xe007f;
}

bool isKeycapBase(char32_t c)
{
    return (c >= u'0' && c <= u'9') || c == u'#' || c == u'*';
}

// Extended_Pictographic, by blocks: generous within the emoji blocks (an
// unassigned code point there is a future emoji), exact for the older symbols.
bool isPictograph(char32_t c)
{
    if ((c >= 0x1f000 && c <= 0x1faff && !isRegionalIndicator(c) && !isSkinTone(c))
        || (c >= 0x2600 && c <= 0x27bf) || (c >= 0x2300 && c <= 0x23ff)
        || (c >= 0x2b00 && c <= 0x2bff) || (c >= 0x2190 && c <= 0x21ff)
        || (c >= 0x25a0 && c <= 0x25ff) || (c >= 0x2934 && c <= 0x2935))
        return true;
    switch (c) {
    case 0x00a9: // (c)
    case 0x00ae: // (r)
    case 0x203c:
    case 0x2049:
    case 0x2122: // (tm)
    case 0x2139:
    case 0x24c2:
    case 0x3030:
    case 0x303d:
    case 0x3297:
    case 0x3299:
        return true;
    default:
        return false;
    }
}

} // namespace

bool isOneEmoji(QStringView text)
{
    if (text.isEmpty() || text.size() > Limits::reactionEmojiMax || !text.isValidUtf16())
        return false;
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, text.data(), text.size());
    if (graphemes.toNextBoundary() != text.size())
        return false;
    const QList<uint> codePoints = text.toUcs4();
    const auto at
        = [&](qsizetype i) { return i < codePoints.size() ? char32_t(codePoints[i]) : 0; };
    constexpr char32_t variationSelector = 0xfe0f;
    constexpr char32_t zeroWidthJoiner = 0x200d;
    constexpr char32_t combiningKeycap = 0x20e3;
    if (isKeycapBase(at(0))) {
        const qsizetype keycap = at(1) == variationSelector ? 2 : 1;
        return at(keycap) == combiningKeycap && codePoints.size() == keycap + 1;
    }
    if (isRegionalIndicator(at(0)))
        return codePoints.size() == 2 && isRegionalIndicator(at(1));
    // Pictographs joined by ZWJ, each with its modifiers.
    qsizetype i = 0;
    while (true) {
        if (!isPictograph(at(i)))
            return false;
        ++i;
        while (at(i) == variationSelector || isSkinTone(at(i)) || isTag(at(i)))
            ++i;
        if (i == codePoints.size())
            return true;
        if (at(i) != zeroWidthJoiner)
            return false;
        ++i;
    }
}

} // namespace Messenger::Validation
