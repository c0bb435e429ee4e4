#pragma once

#include "Db.h"

namespace Messenger::Server::Migrations {

// Applies every migration in :/migrations/<backend>/NNN_*.sql not yet recorded
// in schema_migrations, in order, each in its own transaction. Several
// instances starting together on PostgreSQL take turns through an advisory lock.
bool apply(Db &db, QString *error);

} // namespace Messenger::Server::Migrations
