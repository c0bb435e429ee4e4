#include "PhotoEditor.h"

#include "Theme.h"
#include "client/models/ClientSession.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace Messenger::Client {

PhotoEditor::PhotoEditor(ClientSession *session, int size, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_size(size)
    , m_preview(new QLabel(this))
    , m_set(new QPushButton(tr("Set Photo…"), this))
    , m_remove(new QPushButton(tr("Remove Photo"), this))
    , m_status(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->setFixedHeight(size);
    layout->addWidget(m_preview);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_set);
    buttons->addWidget(m_remove);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_status->setAlignment(Qt::AlignCenter);
    m_status->setWordWrap(true);
    QPalette palette = m_status->palette();
    palette.setColor(QPalette::WindowText, Theme::error);
    m_status->setPalette(palette);
    m_status->hide();
    layout->addWidget(m_status);
    connect(m_set, &QPushButton::clicked, this, &PhotoEditor::choosePhoto);
    connect(m_remove, &QPushButton::clicked, this, &PhotoEditor::removePhoto);
    connect(session, &ClientSession::avatarReady, this, [this](const QString &avatarUrl) {
        if (avatarUrl == m_avatarUrl)
            repaintPreview();
    });
    updateButtons();
}

void PhotoEditor::showPhoto(const QString &chatId, const QString &colourId, const QString &name,
    const QString &avatarUrl, bool editable)
{
    if (chatId != m_chatId)
        m_status->hide(); // another chat's failure says nothing about this one
    m_chatId = chatId;
    m_colourId = colourId;
    m_name = name;
    m_avatarUrl = avatarUrl;
    m_editable = editable;
    repaintPreview();
    updateButtons();
}

void PhotoEditor::repaintPreview()
{
    m_preview->setPixmap(
        Theme::avatarPixmap(m_colourId, m_name, m_session->avatar(m_avatarUrl), m_size));
}

void PhotoEditor::updateButtons()
{
    m_set->setVisible(m_editable);
    m_remove->setVisible(m_editable && !m_avatarUrl.isEmpty());
    m_set->setEnabled(!m_busy);
    m_remove->setEnabled(!m_busy);
    m_set->setText(m_busy ? tr("Uploading…") : tr("Set Photo…"));
}

void PhotoEditor::choosePhoto()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a Photo"),
        QStandardPaths::writableLocation(QStandardPaths::PicturesLocation),
        tr("Images (*.jpg *.jpeg *.png *.gif)"));
    if (!path.isEmpty())
        setPhotoFromFile(path);
}

void PhotoEditor::setPhotoFromFile(const QString &path)
{
    if (m_busy)
        return;
    m_busy = true;
    m_status->hide();
    updateButtons();
    m_session->setPhoto(m_chatId, path).then(this, [this](const ApiResult<Empty> &done) {
        settle(done ? QString() : done.error().message());
    });
}

void PhotoEditor::removePhoto()
{
    if (m_busy)
        return;
    m_busy = true;
    m_status->hide();
    updateButtons();
    m_session->removePhoto(m_chatId).then(this, [this](const ApiResult<Empty> &done) {
        settle(done ? QString() : done.error().message());
    });
}

void PhotoEditor::settle(const QString &error)
{
    m_busy = false;
    m_status->setText(error);
    m_status->setVisible(!error.isEmpty());
    updateButtons();
    Q_EMIT photoChanged(error.isEmpty());
}

} // namespace Messenger::Client
