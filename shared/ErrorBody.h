#pragma once

#include "Json.h"

namespace Messenger {

// Every non-validation error: {"detail": "...", "code": "machine_code"}.
// Validation errors (422) carry {"detail": [FieldError...], "code": "validation_error"}.
struct ErrorBody
{
    QString detail;
    QString code;
    QList<FieldError> fieldErrors; // non-empty only for 422

    QJsonObject toJson() const;
    // Accepts both shapes; a missing detail yields an empty ErrorBody.
    static ErrorBody fromJson(const QJsonObject &json);
};

} // namespace Messenger
