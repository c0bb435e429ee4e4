#include "User.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject User::toJson() const
{
    return JsonWriter::toObject(*this);
}

void User::write(JsonWriter &writer) const
{
    writer.beginObject()
        .field("id"_L1, id)
        .field("email"_L1, email)
        .field("name"_L1, name)
        .field("avatar_url"_L1, avatarUrl)
        .endObject();
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
