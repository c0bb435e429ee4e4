#include "Presentation.h"

#include <QCoreApplication>
#include <QCryptographicHash>

#include <array>

using namespace Qt::StringLiterals;

namespace Messenger::Client::Presentation {

namespace {
// The locale's short time without seconds (the C locale's includes them).
QString shortTime(const QTime &time, const QLocale &locale)
{
    QString format = locale.timeFormat(QLocale::ShortFormat);
    format.remove(u":ss"_s).remove(u".ss"_s);
    return locale.toString(time, format);
}
} // namespace

QString chatListTime(const QDateTime &when, const QDateTime &now, const QLocale &locale)
{
    if (!when.isValid())
        return {};
    const qint64 secondsAgo = when.secsTo(now);
    if (when.date() == now.date() || (secondsAgo >= 0 && secondsAgo < 20 * 3600))
        return shortTime(when.time(), locale);
    if (secondsAgo >= 0 && when.date().daysTo(now.date()) < 7)
        return locale.dayName(when.date().dayOfWeek(), QLocale::ShortFormat);
    return locale.toString(when.date(), QLocale::ShortFormat);
}

QString messageTime(const QDateTime &when, const QLocale &locale)
{
    return shortTime(when.time(), locale);
}

QString dateSeparator(const QDate &day, const QDate &today, const QLocale &locale)
{
    const qint64 daysAgo = day.daysTo(today);
    if (daysAgo == 0)
        return QCoreApplication::translate("Messenger::Client::Presentation", "Today");
    if (daysAgo == 1)
        return QCoreApplication::translate("Messenger::Client::Presentation", "Yesterday");
    if (daysAgo > 1 && daysAgo < 7)
        return locale.standaloneDayName(day.dayOfWeek(), QLocale::LongFormat);
    // "d MMMM" reads naturally in both English and Russian (genitive month).
    return locale.toString(day, day.year() == today.year() ? u"d MMMM" : u"d MMMM yyyy");
}

QString presence(bool online, const std::optional<QDateTime> &lastSeen, const QDateTime &now,
    const QLocale &locale)
{
    if (online)
        return QCoreApplication::translate("Messenger::Client::Presentation", "online");
    if (!lastSeen || !lastSeen->isValid())
        return QCoreApplication::translate("Messenger::Client::Presentation", "last seen recently");
    const qint64 secondsAgo = std::max<qint64>(0, lastSeen->secsTo(now));
    if (secondsAgo < 60)
        return QCoreApplication::translate("Messenger::Client::Presentation", "last seen just now");
    if (const int minutesAgo = int(secondsAgo / 60); minutesAgo < 60)
        return QCoreApplication::translate(
            "Messenger::Client::Presentation", "last seen %n minute(s) ago", nullptr, minutesAgo);
    const QString time = shortTime(lastSeen->time(), locale);
    const qint64 daysAgo = lastSeen->date().daysTo(now.date());
    if (daysAgo == 0)
        return QCoreApplication::translate(
            "Messenger::Client::Presentation", "last seen today at %1")
            .arg(time);
    if (daysAgo == 1)
        return QCoreApplication::translate(
            "Messenger::Client::Presentation", "last seen yesterday at %1")
            .arg(time);
    const QString day = locale.toString(lastSeen->date(),
        lastSeen->date().year() == now.date().year() ? u"d MMMM" : u"d MMMM yyyy");
    return QCoreApplication::translate("Messenger::Client::Presentation", "last seen %1 at %2")
        .arg(day, time);
}

QString initials(const QString &name)
{
    QString result;
    const QStringList words = name.split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words) {
        result += word.at(0).toUpper();
        if (result.size() == 2)
            break;
    }
    return result.isEmpty() ? QStringLiteral("?") : result;
}

QColor avatarColor(const QString &id)
{
    // Telegram-like palette: saturated enough for white initials to read well.
    static constexpr std::array<QRgb, 8> palette { 0xffe17076, 0xfffaa774, 0xffa695e7, 0xff7bc862,
        0xff6ec9cb, 0xff65aadd, 0xffee7aae, 0xff6fb1a0 };
    const QByteArray hash = QCryptographicHash::hash(id.toUtf8(), QCryptographicHash::Md5);
    return QColor::fromRgba(palette[quint8(hash.at(0)) % palette.size()]);
}

QList<TextRange> mentionRanges(const QString &text, const QString &mention)
{
    QList<TextRange> ranges;
    if (mention.isEmpty())
        return ranges;
    for (qsizetype at = text.indexOf(mention, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(mention, at + 1, Qt::CaseInsensitive)) {
        const qsizetype end = at + mention.size();
        if (end < text.size() && (text.at(end).isLetterOrNumber() || text.at(end) == u'_'))
            continue;
        ranges.append({ at, mention.size() });
    }
    return ranges;
}

QDateTime toLocalTime(qint64 microseconds)
{
    return QDateTime::fromMSecsSinceEpoch(microseconds / 1000, Qt::UTC).toLocalTime();
}

QString messageSummary(const QString &text, const QList<Attachment> &attachments)
{
    if (!text.trimmed().isEmpty() || attachments.isEmpty())
        return QString(text).replace(u'\n', u' ');
    const Attachment &first = attachments.first();
    // Plain variables: lupdate's parser loops on an expression as the count.
    const int count = int(attachments.size());
    const int more = count - 1;
    const bool allImages = std::all_of(attachments.cbegin(), attachments.cend(),
        [](const Attachment &file) { return file.isImage(); });
    if (allImages) {
        return attachments.size() == 1
            ? QCoreApplication::translate("Messenger::Client::Presentation", "🖼 Photo")
            : QCoreApplication::translate(
                "Messenger::Client::Presentation", "🖼 %n photos", "", count);
    }
    return attachments.size() == 1
        ? QCoreApplication::translate("Messenger::Client::Presentation", "📎 %1").arg(first.name)
        : QCoreApplication::translate(
            "Messenger::Client::Presentation", "📎 %1 and %n more", "", more)
              .arg(first.name);
}

} // namespace Messenger::Client::Presentation
