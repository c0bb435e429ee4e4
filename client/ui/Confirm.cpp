#include "Confirm.h"

#include <QApplication>
#include <QGridLayout>
#include <QMessageBox>
#include <QPushButton>

namespace Messenger::Client {

namespace {
// The room a title bar takes besides the title: icon and window buttons.
constexpr int titleBarChrome = 160;
} // namespace

QMessageBox *confirmAction(QWidget *parent, const QString &title, const QString &text,
    const QString &action, std::function<void()> accepted, const QString &details)
{
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::NoButton, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(details);
    QPushButton *accept = box->addButton(action, QMessageBox::AcceptRole);
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);
    // QMessageBox sizes itself from its text and ignores setMinimumWidth();
    // a spacer across its grid is what widens it.
    const QFont titleFont = QApplication::font("QMdiSubWindowTitleBar");
    const int titleWidth = QFontMetrics(titleFont).horizontalAdvance(title) + titleBarChrome;
    if (auto *grid = qobject_cast<QGridLayout *>(box->layout()))
        grid->addItem(new QSpacerItem(titleWidth, 0, QSizePolicy::Minimum, QSizePolicy::Fixed),
            grid->rowCount(), 0, 1, grid->columnCount());
    QObject::connect(box, &QMessageBox::buttonClicked, box,
        [accept, accepted = std::move(accepted)](QAbstractButton *clicked) {
            if (clicked == accept)
                accepted();
        });
    box->open();
    return box;
}

} // namespace Messenger::Client
