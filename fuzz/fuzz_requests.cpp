// Feeds arbitrary bytes to every request and response parser of the shared
// DTO library, as a request body or a server answer would reach them. A
// parser may refuse anything; it may not crash, and what it accepts must
// survive a round trip through its own JSON.
#include "shared/AuthDtos.h"
#include "shared/Chat.h"
#include "shared/Message.h"
#include "shared/Requests.h"
#include "shared/User.h"

#include <QJsonDocument>

#include <cstdlib>

using namespace Messenger;

namespace {

template <typename Dto> void roundTrip(const QJsonObject &json)
{
    auto parsed = Dto::fromJson(json);
    if (!parsed)
        return;
    const QJsonObject again = std::move(parsed).value().toJson();
    if (!Dto::fromJson(again))
        std::abort(); // accepted once, refused in its own words: a parser bug
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument document = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!document.isObject())
        return 0;
    const QJsonObject json = document.object();
    roundTrip<RegisterRequest>(json);
    roundTrip<LoginRequest>(json);
    roundTrip<RefreshRequest>(json);
    roundTrip<LogoutRequest>(json);
    roundTrip<TokenResponse>(json);
    roundTrip<Chat>(json);
    roundTrip<ChatSummary>(json);
    roundTrip<Message>(json);
    roundTrip<LastMessage>(json);
    roundTrip<CreatePersonalChatRequest>(json);
    roundTrip<CreateGroupChatRequest>(json);
    roundTrip<SendMessageRequest>(json);
    roundTrip<EditMessageRequest>(json);
    roundTrip<RenameChatRequest>(json);
    roundTrip<AddMembersRequest>(json);
    roundTrip<MarkReadRequest>(json);
    roundTrip<HistoryPage>(json);
    roundTrip<ReadState>(json);
    roundTrip<User>(json);
    return 0;
}
