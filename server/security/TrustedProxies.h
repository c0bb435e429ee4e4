#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace Messenger::Server {

// The load balancers whose X-Forwarded-For we believe. Behind nginx every
// request comes from nginx's address; per-address limits need the client's.
class TrustedProxies
{
public:
    // Comma-separated addresses or subnets ("10.0.0.0/8, 127.0.0.1"); nullopt if malformed.
    static std::optional<TrustedProxies> parse(const QString &text);

    // The address a request is from: the peer, unless the peer is a trusted
    // proxy; then the nearest address in X-Forwarded-For that is not one
    // (a client can prepend anything to that header, but not append).
    QString clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    bool isEmpty() const { return m_subnets.isEmpty(); }
    bool trusts(const QHostAddress &address) const;

private:
    QList<QPair<QHostAddress, int>> m_subnets;
};

} // namespace Messenger::Server
