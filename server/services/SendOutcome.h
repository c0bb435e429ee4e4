#pragma once

#include "core/ApiError.h"
#include "shared/Message.h"

#include <QByteArray>
#include <QJsonObject>

namespace Messenger::Server {

// What a send's result tells the client that sent it, for REST and the
// WebSocket alike, so that both answer the same refusal with the same status,
// code, detail and retry_after: the stored message (HTTP 200, or an `ack`), or
// the error (its HTTP status and body, or an `error` frame with the send's
// client_id).
class SendOutcome
{
public:
    SendOutcome(Result<Message> result, std::optional<QString> clientId);

    bool stored() const { return m_result.ok(); }
    // REST: 200 with the message, or the error's status and {"detail", "code"}
    // (a 422's field list); retryAfterSeconds() > 0 goes into Retry-After.
    int httpStatus() const;
    // The answer's JSON text.
    QByteArray httpBody() const;
    int retryAfterSeconds() const;
    // /ws/user: the `ack` or the `error` frame. /ws/{chat_id} (`chatSocket`):
    // nothing once stored (the `message` event follows), {"error"} if not.
    QByteArray frame(bool chatSocket) const;

private:
    Result<Message> m_result;
    std::optional<QString> m_clientId;
};

// Every WebSocket error goes out this way, a send's included: on /ws/user an
// `error` frame with the code and the client_id of the command it answers (if
// it had one), on /ws/{chat_id} the seed's {"error"}.
QByteArray wsErrorFrame(
    const ApiError &error, const std::optional<QString> &clientId, bool chatSocket);

} // namespace Messenger::Server
