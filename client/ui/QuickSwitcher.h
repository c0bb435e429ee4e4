#pragma once

#include <QDialog>

class QLineEdit;
class QListView;

namespace Messenger::Client {

class ChatSearchModel;
class ClientSession;

// Ctrl+K: a small window to go anywhere by typing, as in Telegram or Slack.
// It lists the chats (all of them, most recent first, until the user types),
// then the people found by name who have no chat with the user yet. The
// typing stays in the field: Up/Down move the highlight, Enter picks it, Esc
// closes without changing anything.
class QuickSwitcher : public QDialog
{
    Q_OBJECT
public:
    explicit QuickSwitcher(ClientSession *session, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QListView *resultList() const { return m_list; }
    ChatSearchModel *results() const { return m_results; }

Q_SIGNALS:
    void chatChosen(const QString &chatId);
    // A person with no chat yet: the caller starts one.
    void personChosen(const QString &userId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void highlight(int row);
    void choose(const QModelIndex &index);

    ChatSearchModel *m_results;
    QLineEdit *m_search;
    QListView *m_list;
};

} // namespace Messenger::Client
