#include "Validation.h"

#include "Limits.h"

#include <QRegularExpression>

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

} // namespace Messenger::Validation
