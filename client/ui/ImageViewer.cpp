#include "ImageViewer.h"

#include "Theme.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QWheelEvent>

using namespace Qt::StringLiterals;

namespace Messenger::Client {

namespace {
constexpr double zoomStep = 1.25;
constexpr double zoomMin = 0.05;
constexpr double zoomMax = 8;
} // namespace

ImageViewer::ImageViewer(FileCache *files, const Attachment &file, QWidget *parent)
    : QDialog(parent)
    , m_files(files)
    , m_file(file)
    , m_scroll(new QScrollArea(this))
    , m_canvas(new QLabel)
    , m_zoomLabel(new QLabel(this))
    , m_saveButton(new QPushButton(tr("Save As…"), this))
{
    setWindowTitle(file.name);
    setAttribute(Qt::WA_DeleteOnClose);
    resize(900, 700);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_canvas->setAlignment(Qt::AlignCenter);
    m_canvas->setText(tr("Loading…"));
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(false);
    m_scroll->setAlignment(Qt::AlignCenter);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setBackgroundRole(QPalette::Dark);
    m_scroll->viewport()->installEventFilter(this);
    m_scroll->setAccessibleName(tr("Image"));
    layout->addWidget(m_scroll, 1);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(12, 6, 12, 6);
    auto *name = new QLabel(file.name, this);
    name->setTextFormat(Qt::PlainText);
    bar->addWidget(name, 1);
    m_zoomLabel->setAccessibleName(tr("Zoom"));
    bar->addWidget(m_zoomLabel);
    m_saveButton->setEnabled(false);
    connect(m_saveButton, &QPushButton::clicked, this, &ImageViewer::saveAs);
    bar->addWidget(m_saveButton);
    layout->addLayout(bar);

    for (const QKeySequence &keys : { QKeySequence(QKeySequence::ZoomIn),
             QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal) })
        connect(new QShortcut(keys, this), &QShortcut::activated, this, &ImageViewer::zoomIn);
    for (const QKeySequence &keys :
        { QKeySequence(QKeySequence::ZoomOut), QKeySequence(Qt::Key_Minus) })
        connect(new QShortcut(keys, this), &QShortcut::activated, this, &ImageViewer::zoomOut);
    connect(new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_0), this), &QShortcut::activated, this,
        &ImageViewer::fitToWindow);

    if (!m_files)
        return;
    // The thumbnail while the whole image comes.
    if (const QImage thumbnail = m_files->thumbnail(file); !thumbnail.isNull())
        showImage(thumbnail, false);
    const auto load = [this](const QString &path) {
        QImage full;
        if (full.load(path))
            showImage(full, true);
    };
    if (const QString path = m_files->localPath(file); !path.isEmpty()) {
        load(path);
        return;
    }
    connect(m_files, &FileCache::downloadFinished, this,
        [this, load](const QString &fileId, const QString &path) {
            if (fileId == m_file.id)
                load(path);
        });
    connect(m_files, &FileCache::downloadFailed, this,
        [this](const QString &fileId, const QString &message) {
            if (fileId == m_file.id && !m_loaded && m_image.isNull())
                m_canvas->setText(message);
        });
    m_files->download(file);
}

void ImageViewer::showImage(const QImage &image, bool full)
{
    m_image = image;
    m_loaded = full;
    m_saveButton->setEnabled(full);
    if (m_fitted)
        setZoom(fittingZoom());
    else
        setZoom(m_zoom);
    if (full)
        Q_EMIT loaded();
}

double ImageViewer::fittingZoom() const
{
    if (m_image.isNull())
        return 1;
    // A thumbnail stands in at the size the full image will have.
    const QSize natural = m_loaded || !m_file.isImage()
        ? m_image.size()
        : QSize(m_file.width.value_or(m_image.width()), m_file.height.value_or(m_image.height()));
    const QSize room = m_scroll->viewport()->size() - QSize(8, 8);
    const double fit = std::min(double(room.width()) / std::max(1, natural.width()),
        double(room.height()) / std::max(1, natural.height()));
    return std::min(1.0, fit);
}

void ImageViewer::setZoom(double zoom)
{
    m_zoom = std::clamp(zoom, zoomMin, zoomMax);
    if (m_image.isNull())
        return;
    const QSize natural = m_loaded || !m_file.isImage()
        ? m_image.size()
        : QSize(m_file.width.value_or(m_image.width()), m_file.height.value_or(m_image.height()));
    const QSize shown = (QSizeF(natural) * m_zoom).toSize().expandedTo(QSize(1, 1));
    m_canvas->setPixmap(
        QPixmap::fromImage(m_image.scaled(shown, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)));
    m_canvas->resize(shown);
    m_zoomLabel->setText(tr("%1%").arg(qRound(m_zoom * 100)));
}

void ImageViewer::zoomIn()
{
    m_fitted = false;
    setZoom(m_zoom * zoomStep);
}

void ImageViewer::zoomOut()
{
    m_fitted = false;
    setZoom(m_zoom / zoomStep);
}

void ImageViewer::fitToWindow()
{
    m_fitted = true;
    setZoom(fittingZoom());
}

void ImageViewer::saveAs()
{
    const QString from = m_files ? m_files->localPath(m_file) : QString();
    if (from.isEmpty())
        return;
    const QString to = QFileDialog::getSaveFileName(this, tr("Save As"),
        QDir(QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
            .filePath(m_file.name));
    if (to.isEmpty())
        return;
    QFile::remove(to); // the dialog asked before replacing it
    if (!QFile::copy(from, to))
        QMessageBox::warning(this, tr("Save As"), tr("Could not save %1.").arg(to));
}

bool ImageViewer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Wheel) {
        const auto *wheel = static_cast<QWheelEvent *>(event);
        if (wheel->angleDelta().y() > 0)
            zoomIn();
        else if (wheel->angleDelta().y() < 0)
            zoomOut();
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void ImageViewer::resizeEvent(QResizeEvent *event)
{
    QDialog::resizeEvent(event);
    if (m_fitted)
        setZoom(fittingZoom());
}

} // namespace Messenger::Client
