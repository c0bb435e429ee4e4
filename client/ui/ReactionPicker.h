#pragma once

#include <QStringList>
#include <QWidget>

class QToolButton;

namespace Messenger::Client {

// A grid of emoji buttons to react with: the quick bar at the top of a
// message's menu (one row of the common ones) and the larger picker that
// "React…" opens. Arrow keys move between the buttons, Enter or Space picks.
class ReactionPicker : public QWidget
{
    Q_OBJECT
public:
    ReactionPicker(const QStringList &emoji, int columns, QWidget *parent = nullptr);

    // The six of the quick bar, and the picker's larger set.
    static QStringList quickEmoji();
    static QStringList moreEmoji();

    QList<QToolButton *> buttons() const { return m_buttons; }

Q_SIGNALS:
    void picked(const QString &emoji);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QList<QToolButton *> m_buttons;
    int m_columns;
};

} // namespace Messenger::Client
