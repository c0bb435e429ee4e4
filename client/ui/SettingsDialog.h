#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;

namespace Messenger::Client {

class ClientSession;
class SessionsPanel;

// Settings: the UI language, closing to the tray, and the devices signed in
// to the account.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(ClientSession *session, QWidget *parent = nullptr);

    // "" for the system's, or a language code.
    QString chosenLanguage() const;
    // Closing the window keeps the app running in the tray.
    bool keepsRunningInTray() const;
    SessionsPanel *sessionsPanel() const { return m_sessions; }

private:
    QComboBox *m_language;
    QCheckBox *m_closeToTray;
    SessionsPanel *m_sessions;
};

} // namespace Messenger::Client
