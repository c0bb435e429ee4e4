#pragma once

#include "core/ApiError.h"
#include "shared/WsFrames.h"

#include <QByteArray>

namespace Messenger::Server::WsProtocol {

// A frame a client sent, read. On /ws/{chat_id} (the seed's socket) the only
// command is {"text": ..., "client_id"?}, a send to that chat. On /ws/user:
// {"type": "send"|"typing"|"read"|"ping", ...}. Both accept {"type": "auth",
// "token"}, which extends the socket's life.
struct Frame
{
    // Read first and leniently, so that even a refused command's error names it.
    std::optional<QString> clientId;
    // The validated command, or a 4xx-style error whose detail is safe to send back.
    Result<ClientCommand> command;

    bool isSend() const
    {
        return command && std::holds_alternative<SendCommand>(command.value().command);
    }
};

// Never throws, never crashes, whatever the bytes.
Frame parse(const QByteArray &frame, const QString &chatSocketId = {});

} // namespace Messenger::Server::WsProtocol
