#include "CliOutput.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject CliFailure::toJson() const
{
    return { { u"error"_s, error }, { u"status"_s, status }, { u"code"_s, code } };
}

QJsonObject CliSignedIn::toJson() const
{
    return { { u"user_id"_s, userId } };
}

QJsonObject CliSignedOut::toJson() const
{
    return { { u"signed_out"_s, true } };
}

QJsonObject CliPasswordChanged::toJson() const
{
    return { { u"password_changed"_s, true } };
}

QJsonObject CliDownloaded::toJson() const
{
    return { { u"file_id"_s, fileId }, { u"path"_s, path }, { u"size"_s, size } };
}

} // namespace Messenger
