#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QToolButton;

namespace Messenger::Client {

class ApiClient;
class MessageSearchModel;

// Find in the open chat (Ctrl+F), over its timeline: a field searched on the
// server as the user types, "N of M" (M is how many are loaded, "M+" while
// the server has more), and Enter / the up button for the next older hit,
// Shift+Enter / the down button for the next newer; stepping past the loaded
// hits fetches the next page. Each hit shown is asked for with hitChosen();
// Esc or the close button hides the bar (closed()).
class FindBar : public QWidget
{
    Q_OBJECT
public:
    explicit FindBar(ApiClient *api, QWidget *parent = nullptr);

    // Shows the bar for `chatId` with the focus in its field (the query
    // kept, searched again in another chat).
    void start(const QString &chatId);
    // Hides the bar; `quietly`: without closed() (the chat is being left).
    void finish(bool quietly = false);
    // Older (+1) or newer (-1) than the hit shown.
    void step(int direction);

    QLineEdit *field() const { return m_field; }
    QLabel *counter() const { return m_counter; }
    QToolButton *olderButton() const { return m_older; }
    QToolButton *newerButton() const { return m_newer; }
    MessageSearchModel *results() const { return m_results; }
    // The hit shown (its row in results(), newest first); -1 if none.
    int currentHit() const { return m_current; }

Q_SIGNALS:
    void hitChosen(const QString &messageId, qint64 seq);
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showHit(int row);
    void updateState();

    MessageSearchModel *m_results;
    QString m_chatId;
    QLineEdit *m_field;
    QLabel *m_counter;
    QToolButton *m_older;
    QToolButton *m_newer;
    QToolButton *m_close;
    int m_current = -1;
    // A step past the loaded hits waits for the next page.
    bool m_olderRequested = false;
};

} // namespace Messenger::Client
