#pragma once

#include "Json.h"

namespace Messenger {

// What `messenger-cli --json` prints besides the API's own DTOs (users,
// chats, messages, read states, events). Scripts parse these lines, so they
// are wire format like the rest; the CLI only writes them, hence no fromJson.

// Any failure: {"error": message, "status": HTTP status or 0 when no request
// was made, "code": the server's error code or the CLI's own
// (usage_error, not_signed_in)}.
struct CliFailure
{
    QString error;
    int status = 0;
    QString code;

    QJsonObject toJson() const;
};

// `login`: {"user_id"}. The tokens stay in the session store, never on stdout.
struct CliSignedIn
{
    QString userId;

    QJsonObject toJson() const;
};

// `logout`: {"signed_out": true}, also when there was no session to end.
struct CliSignedOut
{
    QJsonObject toJson() const;
};

// `password`: {"password_changed": true}; the other sessions have ended.
struct CliPasswordChanged
{
    QJsonObject toJson() const;
};

// `download`: {"file_id", "path" (where it was saved), "size" (bytes)}.
struct CliDownloaded
{
    QString fileId;
    QString path;
    qint64 size = 0;

    QJsonObject toJson() const;
};

} // namespace Messenger
