#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace Messenger::Client {

class ChatSearchModel;
class ClientSession;

// Forward: the chats to copy messages into, found by name (the chat list's
// own search, ChatSearchModel) and ticked with a click, up to maximumChats()
// of them; Send says which.
class ForwardDialog : public QDialog
{
    Q_OBJECT
public:
    // What one forward request takes (the server's limits): so many chats,
    // and so many copies (messages × chats).
    static constexpr int maximumChatsPerForward = 10;
    static constexpr int maximumCopies = 100;
    static constexpr int maximumMessages = maximumCopies;

    ForwardDialog(ClientSession *session, int messageCount, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QListView *chatList() const { return m_list; }
    QPushButton *sendButton() const { return m_send; }
    // How many chats may be ticked: ten, fewer for many messages (30
    // messages go to at most 3 chats).
    int maximumChats() const { return m_maximumChats; }
    // The ticked chats, in the order they were ticked.
    QStringList chosenChats() const { return m_chosen; }
    // Ticks (or unticks) the chat in `row` of the list; false past the maximum.
    bool toggleRow(int row);

Q_SIGNALS:
    // Send: forward to these chats.
    void chatsChosen(const QStringList &chatIds);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateSummary();

    ChatSearchModel *m_results;
    QLineEdit *m_search;
    QListView *m_list;
    QLabel *m_summary;
    QPushButton *m_send;
    QStringList m_chosen;
    int m_maximumChats;
};

} // namespace Messenger::Client
