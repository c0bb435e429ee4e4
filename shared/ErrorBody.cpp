#include "ErrorBody.h"

using namespace Qt::StringLiterals;

namespace Messenger {

QJsonObject ErrorBody::toJson() const
{
    if (!fieldErrors.isEmpty()) {
        QJsonArray details;
        for (const FieldError &error : fieldErrors)
            details.append(error.toJson());
        // FastAPI's list, and the code every other error carries beside it.
        return { { u"detail"_s, details },
            { u"code"_s, code.isEmpty() ? u"validation_error"_s : code } };
    }
    return { { u"detail"_s, detail }, { u"code"_s, code } };
}

ErrorBody ErrorBody::fromJson(const QJsonObject &json)
{
    ErrorBody body;
    const QJsonValue detail = json.value(u"detail");
    if (detail.isArray()) {
        for (const QJsonValue &item : detail.toArray())
            body.fieldErrors.append(FieldError::fromJson(item.toObject()));
        body.code = u"validation_error"_s;
        if (!body.fieldErrors.isEmpty())
            body.detail = body.fieldErrors.first().msg;
    } else {
        body.detail = detail.toString();
        body.code = json.value(u"code").toString();
    }
    return body;
}

} // namespace Messenger
