#pragma once

#include <QString>

#include <functional>

class QMessageBox;
class QWidget;

namespace Messenger::Client {

// Asks before something that cannot be undone (delete, leave, sign out). The
// accept button is named after the action rather than "Yes", Cancel is the
// default, and the box is at least wide enough for its title, which window
// managers cut off otherwise (Russian titles are long).
//
// Window-modal and not exec(): the caller returns at once and the event loop
// (the live connection with it) runs on; `accepted` runs if the action is
// chosen. The box deletes itself when closed; the pointer is for tests.
QMessageBox *confirmAction(QWidget *parent, const QString &title, const QString &text,
    const QString &action, std::function<void()> accepted, const QString &details = {});

} // namespace Messenger::Client
