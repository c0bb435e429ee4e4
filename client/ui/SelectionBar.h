#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace Messenger::Client {

// In place of the composer while messages are chosen in the timeline: how
// many, and what to do with them (Forward, Copy, Delete for the user's own),
// or Cancel.
class SelectionBar : public QWidget
{
    Q_OBJECT
public:
    explicit SelectionBar(QWidget *parent = nullptr);

    void setSelection(int count, bool deletable);
    QLabel *countLabel() const { return m_count; }
    QPushButton *forwardButton() const { return m_forward; }
    QPushButton *copyButton() const { return m_copy; }
    QPushButton *deleteButton() const { return m_delete; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    void forwardRequested();
    void copyRequested();
    void deleteRequested();
    void cancelRequested();

private:
    QLabel *m_count;
    QPushButton *m_forward;
    QPushButton *m_copy;
    QPushButton *m_delete;
    QPushButton *m_cancel;
};

} // namespace Messenger::Client
