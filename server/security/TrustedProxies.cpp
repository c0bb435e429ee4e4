#include "TrustedProxies.h"

using namespace Qt::StringLiterals;

namespace Messenger::Server {

namespace {

// 127.0.0.1 and ::ffff:127.0.0.1 are one client.
QHostAddress normalized(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

} // namespace

std::optional<TrustedProxies> TrustedProxies::parse(const QString &text)
{
    TrustedProxies proxies;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString entry = part.trimmed();
        auto subnet = QHostAddress::parseSubnet(entry.contains(u'/') ? entry
                : entry.contains(u':')                               ? entry + u"/128"_s
                                                                     : entry + u"/32"_s);
        if (subnet.first.isNull())
            return std::nullopt;
        proxies.m_subnets.append(subnet);
    }
    return proxies;
}

bool TrustedProxies::trusts(const QHostAddress &address) const
{
    for (const auto &subnet : m_subnets) {
        if (address.isInSubnet(subnet))
            return true;
    }
    return false;
}

QString TrustedProxies::clientAddress(
    const QHostAddress &peer, const QByteArray &forwardedFor) const
{
    QHostAddress client = normalized(peer);
    if (!trusts(client))
        return client.toString();
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (auto hop = hops.crbegin(); hop != hops.crend(); ++hop) {
        const QHostAddress address(QString::fromLatin1(hop->trimmed()));
        if (address.isNull())
            break; // garbage: stop at the last address we could read
        client = normalized(address);
        if (!trusts(client))
            break;
    }
    return client.toString();
}

} // namespace Messenger::Server
