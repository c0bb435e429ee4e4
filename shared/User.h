#pragma once

#include "Json.h"

namespace Messenger {

struct User
{
    QString id;
    QString email;
    QString name;

    QJsonObject toJson() const;
    static Parsed<User> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const User &) const = default;
};

} // namespace Messenger
