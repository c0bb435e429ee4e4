#include "FileLinks.h"

#include "shared/Json.h"

#include <QDateTime>
#include <QMessageAuthenticationCode>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {
const QString userKey = u"user"_s;
const QString expiresKey = u"expires"_s;
const QString signatureKey = u"signature"_s;
} // namespace

FileLinks::FileLinks(const QByteArray &secretKey, int lifetimeSeconds)
    : m_key(QMessageAuthenticationCode::hash(
        "messenger file links", secretKey, QCryptographicHash::Sha256))
    , m_lifetimeSeconds(lifetimeSeconds)
{ }

QByteArray FileLinks::signature(const QString &path, const QString &userId, qint64 expiresAt) const
{
    const QByteArray message
        = path.toUtf8() + '\n' + userId.toLatin1() + '\n' + QByteArray::number(expiresAt);
    return QMessageAuthenticationCode::hash(message, m_key, QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QString FileLinks::sign(const QString &path, const QString &userId, qint64 expiresAt) const
{
    QUrlQuery query;
    query.addQueryItem(userKey, userId);
    query.addQueryItem(expiresKey, QString::number(expiresAt));
    query.addQueryItem(signatureKey, QString::fromLatin1(signature(path, userId, expiresAt)));
    return path + u'?' + query.toString(QUrl::FullyEncoded);
}

std::optional<QString> FileLinks::verify(const QString &path, const QUrlQuery &query) const
{
    const auto userId = canonicalUuid(query.queryItemValue(userKey));
    bool isNumber = false;
    const qint64 expiresAt = query.queryItemValue(expiresKey).toLongLong(&isNumber);
    const QByteArray given = query.queryItemValue(signatureKey).toLatin1();
    if (!userId || !isNumber || expiresAt < QDateTime::currentSecsSinceEpoch())
        return std::nullopt;
    const QByteArray expected = signature(path, *userId, expiresAt);
    if (given.size() != expected.size()
        || sodium_memcmp(given.constData(), expected.constData(), size_t(given.size())) != 0)
        return std::nullopt;
    return *userId;
}

bool FileLinks::isSigned(const QUrlQuery &query)
{
    return query.hasQueryItem(signatureKey);
}

} // namespace Messenger::Server
