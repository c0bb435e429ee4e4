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

// Whether `text` is exactly one emoji, as a reaction must be: a single
// grapheme cluster (QTextBoundaryFinder) of at most Limits::reactionEmojiMax
// UTF-16 code units, valid UTF-16, which is one of
//  - a pictograph (the Extended_Pictographic blocks: U+1F000-1FAFF, U+2600-27BF,
//    U+2300-23FF, U+2B00-2BFF and the few older symbols such as (c) and (tm)),
//    optionally followed by U+FE0F, a skin tone (U+1F3FB-1F3FF) or tag
//    characters (U+E0020-E007F, subdivision flags), and further pictographs
//    joined by ZWJ (U+200D): families, professions, flags like the rainbow one;
//  - a flag: exactly two regional indicators (U+1F1E6-1F1FF);
//  - a keycap: 0-9, # or *, optionally U+FE0F, then U+20E3.
// Letters, digits alone, two emoji, an empty string and U+FFFD (what invalid
// UTF-8 decodes to) are not.
bool isOneEmoji(QStringView text);

// Emails are compared case-insensitively; we store them lower-cased.
QString normalizedEmail(const QString &email);

} // namespace Messenger::Validation
