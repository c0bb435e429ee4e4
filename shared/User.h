#pragma once

#include "Json.h"

namespace Messenger {

struct User
{
    QString id;
    QString email;
    QString name;
    // `avatar_url`: the profile photo, a 512 px square JPEG, as a path of the
    // API (ApiPaths::file; its 128 px thumbnail at ApiPaths::fileThumbnail);
    // null when the user has none.
    std::optional<QString> avatarUrl = std::nullopt;

    QJsonObject toJson() const;
    void write(JsonWriter &writer) const;
    static Parsed<User> fromJson(const QJsonObject &json, const QStringList &location = {});
    bool operator==(const User &) const = default;
};

} // namespace Messenger
