#pragma once

#include <QString>

namespace Messenger::Server::Logging {

// One line per message on stderr: UTC time, level, category, text. `level` is
// debug, info, warning or error; QT_LOGGING_RULES still refines it.
void install(const QString &level);

} // namespace Messenger::Server::Logging
