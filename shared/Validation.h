#pragma once

#include <QString>

namespace Messenger::Validation {

// A sane syntax check within RFC 5321 lengths: one '@', a non-empty local part
// of at most 64 characters without spaces, and a dotted domain of letters,
// digits and hyphens. Not the full RFC 5322 grammar, on purpose.
bool isValidEmail(const QString &email);
// Emails are compared case-insensitively; we store them lower-cased.
QString normalizedEmail(const QString &email);

} // namespace Messenger::Validation
