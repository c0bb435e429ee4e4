#pragma once

#include "RateLimiter.h"

#include <QMutex>
#include <QSet>
#include <QString>

#include <memory>

namespace Messenger::Server {

// The budgets of password guesses. Every attempt takes its tokens before the
// password is hashed, so guesses sent at the same moment cannot all pass a
// check made before any of them failed: at most a burst is evaluated at once.
// A login that succeeds gives its tokens back, so only failures cost.
//
// Three budgets, so that an attacker is limited without locking the owner out:
//  - per account and address (LOGIN_RATE): one address guessing one account;
//  - per address (LOGIN_RATE): one address trying many accounts;
//  - per account from anywhere (LOGIN_ACCOUNT_RATE, looser than one address
//    can use up): many addresses guessing one account.
// An address the account signed in from before (remembered in memory) is
// charged only its own account-and-address budget: no one elsewhere can spend
// that, so the owner gets in from there whatever happens to the others.
// Thread-safe: attempts end on hashing threads.
class LoginGuard
{
public:
    LoginGuard(RateLimiter::Rule perAccountAndAddress, RateLimiter::Rule perAccount);

    // One attempt's tokens. Call failed() when the credentials were wrong (the
    // tokens stay spent) or succeeded() (they come back and the address is
    // remembered); an attempt ending otherwise (the database was down) gives
    // them back too.
    class Attempt
    {
    public:
        ~Attempt();
        Attempt(const Attempt &) = delete;
        Attempt &operator=(const Attempt &) = delete;
        void failed();
        void succeeded();

    private:
        friend class LoginGuard;
        Attempt(LoginGuard &guard, QString account, QString address);
        void refund();
        LoginGuard &m_guard;
        QString m_account;
        QString m_address;
        QList<QPair<RateLimiter *, QString>> m_taken;
        bool m_settled = false;
    };

    struct Admission
    {
        std::shared_ptr<Attempt> attempt; // null: refused
        int retryAfterSeconds = 0;
    };
    // Takes the tokens of one attempt on `account` (the email, lower-case) from
    // `address`, or says how long to wait.
    Admission admit(const QString &account, const QString &address);

    // Bounds memory (about 100 bytes a pair); past it the set starts over.
    static constexpr qsizetype maxKnownPairs = 100000;

private:
    static QString pairKey(const QString &account, const QString &address);
    bool isKnown(const QString &pair) const;
    void remember(const QString &pair);

    RateLimiter m_byAccountAndAddress;
    RateLimiter m_byAddress;
    RateLimiter m_byAccount;
    mutable QMutex m_knownMutex;
    QSet<QString> m_knownPairs; // account + address that signed in successfully
};

} // namespace Messenger::Server
