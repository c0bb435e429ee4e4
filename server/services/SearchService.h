#pragma once

#include "core/ApiError.h"
#include "db/Db.h"
#include "shared/Queries.h"
#include "shared/Search.h"

namespace Messenger::Server::SearchService {

// The caller's messages (in the chats they are a member of, or in one of
// them: 404/403 as for history) with every word of the query as a word
// prefix, newest first; deleted messages never, edited ones by their current
// words only. PostgreSQL matches through messages.search_vector (GIN),
// SQLite through the messages_fts FTS5 index (see 006_search.sql).
Result<MessageSearchPage> messages(
    Db &db, const QString &callerId, const MessageSearchQuery &query);

} // namespace Messenger::Server::SearchService
