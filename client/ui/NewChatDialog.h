#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace Messenger::Client {

class ClientSession;
class UserSearchModel;

// Find people by name or email, then start a personal chat with one of them,
// create a group with a name and chosen members, or add members to a group.
class NewChatDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode { Personal, Group, AddMembers };

    NewChatDialog(ClientSession *session, Mode mode, QWidget *parent = nullptr);
    // AddMembers: the group whose members are shown as already in.
    void setChat(const QString &chatId);

    UserSearchModel *results() const { return m_results; }
    QLineEdit *searchField() const { return m_search; }
    QLineEdit *nameField() const { return m_name; }
    QListView *resultView() const { return m_view; }
    void accept() override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setMode(Mode mode);
    // A click, Enter or Space on a person: starts the chat (New Message) or
    // ticks them (groups).
    void pick(const QModelIndex &index);
    void updateState();

    ClientSession *m_session;
    Mode m_mode;
    QString m_chatId;
    UserSearchModel *m_results;
    QLineEdit *m_name;
    QLineEdit *m_search;
    QListView *m_view;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QPushButton *m_groupButton;
};

} // namespace Messenger::Client
