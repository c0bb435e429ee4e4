#include "User.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject User::toJson() const
{
    return { { u"id"_s, id }, { u"email"_s, email }, { u"name"_s, name },
        { u"avatar_url"_s, optionalToJson(avatarUrl) } };
}

Parsed<User> User::fromJson(const QJsonObject &json, const QStringList &location)
{
    JsonReader reader(json, location);
    User user;
    user.id = reader.uuid(u"id");
    user.email = reader.string(u"email");
    user.name = reader.string(u"name");
    // Absent (an older server) reads as none.
    user.avatarUrl = reader.optionalString(u"avatar_url");
    return reader.result(std::move(user));
}

} // namespace Messenger
