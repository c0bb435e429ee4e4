#include "SendOutcome.h"

#include "shared/ErrorBody.h"
#include "shared/WsFrames.h"

namespace Messenger::Server {

SendOutcome::SendOutcome(Result<Message> result, std::optional<QString> clientId)
    : m_result(std::move(result))
    , m_clientId(std::move(clientId))
{ }

int SendOutcome::httpStatus() const
{
    return m_result ? 200 : m_result.error().status;
}

QByteArray SendOutcome::httpBody() const
{
    if (m_result) {
        JsonWriter writer;
        writer.write(m_result.value());
        return writer.take();
    }
    const ApiError &error = m_result.error();
    return compactJson(ErrorBody { error.detail, error.code, error.fieldErrors }.toJson());
}

int SendOutcome::retryAfterSeconds() const
{
    return m_result ? 0 : m_result.error().retryAfterSeconds;
}

QByteArray SendOutcome::frame(bool chatSocket) const
{
    if (m_result)
        return chatSocket ? QByteArray()
                          : compactJson(Ack { m_clientId, m_result.value() }.toJson());
    return wsErrorFrame(m_result.error(), m_clientId, chatSocket);
}

QByteArray wsErrorFrame(
    const ApiError &error, const std::optional<QString> &clientId, bool chatSocket)
{
    if (chatSocket)
        return compactJson(Refusal { error.detail }.toJson());
    return compactJson(
        ErrorFrame { error.detail, error.code, clientId, error.retryAfterSeconds }.toJson());
}

} // namespace Messenger::Server
