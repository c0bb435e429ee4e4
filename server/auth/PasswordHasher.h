#pragma once

#include <QFuture>
#include <QString>
#include <QThreadPool>

namespace Messenger::Server {

// argon2id through libsodium, at OWASP's minimum (19 MiB, 2 passes) or
// stronger. Hashing runs on its own small pool, so a burst of logins costs at
// most poolSize * memory and never occupies the database workers or the
// event loop.
struct Argon2Cost
{
    unsigned long long opsLimit = 2;
    size_t memLimit = 19 * 1024 * 1024;
};

class PasswordHasher
{
public:
    using Cost = Argon2Cost;

    explicit PasswordHasher(int maxConcurrent, Cost cost = Cost());
    ~PasswordHasher();

    QFuture<QString> hash(const QString &password);
    // Always does the full work, even for an unknown user (pass an empty hash),
    // so response times do not reveal which emails are registered.
    QFuture<bool> verify(const QString &storedHash, const QString &password);

    QString hashNow(const QString &password) const;
    bool verifyNow(const QString &storedHash, const QString &password) const;

private:
    Cost m_cost;
    QString m_dummyHash;
    QThreadPool m_pool;
};

} // namespace Messenger::Server
