#pragma once

#include <QByteArray>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace Messenger::Server {

// Signed download URLs, for places that cannot send a bearer token (an <img>
// in a browser, a download manager): the path with the user it was made for,
// its expiry and an HMAC-SHA256 over the three, under a key derived from the
// server's SECRET_KEY (so a signature is never a valid token, nor one for
// another path). A link speaks for its user only: the download still checks
// that they may see the file, so a member removed from the chat loses it.
class FileLinks
{
public:
    FileLinks(const QByteArray &secretKey, int lifetimeSeconds);

    int lifetimeSeconds() const { return m_lifetimeSeconds; }
    // `path` with the query that signs it for `userId` until `expiresAt` (Unix seconds).
    QString sign(const QString &path, const QString &userId, qint64 expiresAt) const;
    // The user a request of `path` with this query speaks for: its signature
    // must match and it must not have expired.
    std::optional<QString> verify(const QString &path, const QUrlQuery &query) const;
    // Whether the query is a signed link's at all (then a missing bearer
    // token is not an error).
    static bool isSigned(const QUrlQuery &query);

private:
    QByteArray signature(const QString &path, const QString &userId, qint64 expiresAt) const;

    QByteArray m_key;
    int m_lifetimeSeconds;
};

} // namespace Messenger::Server
