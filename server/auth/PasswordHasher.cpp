#include "PasswordHasher.h"

#include "concurrency/PoolWork.h"
#include "observability/Metrics.h"

#include <sodium.h>

namespace Messenger::Server {

PasswordHasher::PasswordHasher(int maxConcurrent, Cost cost)
    : m_cost(cost)
{
    m_pool.setMaxThreadCount(qMax(1, maxConcurrent));
    m_dummyHash = hashNow(QStringLiteral("dummy password for unknown users"));
}

PasswordHasher::~PasswordHasher()
{
    m_pool.waitForDone();
}

QString PasswordHasher::hashNow(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, utf8.constData(), quint64(utf8.size()), m_cost.opsLimit,
            m_cost.memLimit, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return {}; // out of memory: the caller reports it as a server error
    return QString::fromLatin1(out);
}

bool PasswordHasher::verifyNow(const QString &storedHash, const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    const QByteArray hash = (storedHash.isEmpty() ? m_dummyHash : storedHash).toLatin1();
    const bool matches
        = crypto_pwhash_str_verify(hash.constData(), utf8.constData(), quint64(utf8.size())) == 0;
    return matches && !storedHash.isEmpty();
}

QFuture<QString> PasswordHasher::hash(const QString &password)
{
    return startAfterCaller(&m_pool, [this, password] {
        const InFlight counted(Metrics::global().passwordHashesInFlight);
        return hashNow(password);
    });
}

QFuture<bool> PasswordHasher::verify(const QString &storedHash, const QString &password)
{
    return startAfterCaller(&m_pool, [this, storedHash, password] {
        const InFlight counted(Metrics::global().passwordHashesInFlight);
        return verifyNow(storedHash, password);
    });
}

} // namespace Messenger::Server
