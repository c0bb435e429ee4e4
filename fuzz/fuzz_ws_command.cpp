// Feeds arbitrary frames to the WebSocket command parser, on the user socket
// and on a seed chat socket. Any input must give a command or an error whose
// detail can be sent back (valid UTF-8 JSON), never a crash.
#include "ws/WsProtocol.h"

#include <QJsonDocument>

#include <cstdlib>

using namespace Messenger::Server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray frame
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const QString &chatSocket :
        { QString(), QStringLiteral("5b0c5c5e-8f9b-4d3a-9c55-0f7f8e8b1a2c") }) {
        const auto command = WsProtocol::parse(frame, chatSocket);
        if (command)
            continue;
        const QByteArray reply = WsProtocol::error(command.error().detail);
        if (!QJsonDocument::fromJson(reply).isObject())
            std::abort(); // the error frame itself must be valid JSON
    }
    return 0;
}
