#pragma once

#include <QDialog>

class QComboBox;

namespace Messenger::Client {

class ClientSession;
class SessionsPanel;

// Settings: the UI language, and the devices signed in to the account.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(ClientSession *session, QWidget *parent = nullptr);

    // "" for the system's, or a language code.
    QString chosenLanguage() const;
    SessionsPanel *sessionsPanel() const { return m_sessions; }

private:
    QComboBox *m_language;
    SessionsPanel *m_sessions;
};

} // namespace Messenger::Client
