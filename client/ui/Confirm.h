#pragma once

#include <QString>

class QWidget;

namespace Messenger::Client {

// Asks before something that cannot be undone (delete, leave, sign out). The
// accept button is named after the action rather than "Yes", Cancel is the
// default, and the box is at least wide enough for its title, which window
// managers cut off otherwise (Russian titles are long). True if accepted.
bool confirmAction(
    QWidget *parent, const QString &title, const QString &text, const QString &action);

} // namespace Messenger::Client
