#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

namespace Messenger::Client {

class ClientSession;

// The right-hand panel of an open chat: who it is with, or a group's name and
// members. The group's creator renames it and adds or removes people; anyone
// can leave.
class ChatInfoPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ChatInfoPanel(ClientSession *session, QWidget *parent = nullptr);
    void setChat(const QString &chatId);

    QListWidget *memberList() const { return m_members; }

Q_SIGNALS:
    void closeRequested();

private:
    void refresh();
    bool isOwner() const;

    ClientSession *m_session;
    QString m_chatId;
    QLabel *m_avatar;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLineEdit *m_rename;
    QToolButton *m_renameButton;
    QListWidget *m_members;
    QPushButton *m_addMembers;
    QPushButton *m_leave;
};

} // namespace Messenger::Client
