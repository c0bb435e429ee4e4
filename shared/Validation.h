#pragma once

#include <QString>

namespace Messenger::Validation {

// A sane syntax check within RFC 5321 lengths: one '@', a non-empty local part
// of at most 64 characters without spaces, and a dotted domain of letters,
// digits and hyphens. Not the full RFC 5322 grammar, on purpose.
bool isValidEmail(const QString &email);
// Whether both databases store and give back `text` exactly: valid UTF-16
// (no unpaired surrogate) without U+0000 (PostgreSQL refuses it in text),
// U+FFFE or U+FFFF (SQLite reads them back as U+FFFD). Anything else is kept
// byte for byte. The message for a 422, and its `type`, are below.
bool isStorableText(QStringView text);
inline constexpr QStringView unstorableTextMessage
    = u"String should not contain U+0000, U+FFFE, U+FFFF or unpaired surrogates";
inline constexpr QStringView unstorableTextType = u"string_forbidden_character";

// Emails are compared case-insensitively; we store them lower-cased.
QString normalizedEmail(const QString &email);

} // namespace Messenger::Validation
