#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

namespace Messenger::Client {

class ClientSession;
class PhotoEditor;

// The right-hand panel of an open chat: who it is with, or a group's photo,
// name and members. The group's owner sets its photo, renames it and adds or
// removes people; anyone can leave.
class ChatInfoPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ChatInfoPanel(ClientSession *session, QWidget *parent = nullptr);
    void setChat(const QString &chatId);

    QListWidget *memberList() const { return m_members; }
    // The chat's photo (the other person's, or the group's: its owner sets it).
    PhotoEditor *photoEditor() const { return m_photo; }

Q_SIGNALS:
    void closeRequested();

private:
    void refresh();
    bool isOwner() const;

    ClientSession *m_session;
    QString m_chatId;
    PhotoEditor *m_photo;
    QLabel *m_title;
    QLabel *m_subtitle;
    QLineEdit *m_rename;
    QToolButton *m_renameButton;
    QListWidget *m_members;
    QPushButton *m_addMembers;
    QPushButton *m_leave;
};

} // namespace Messenger::Client
