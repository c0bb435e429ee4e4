#pragma once

#include "client/models/FileCache.h"
#include "shared/Files.h"

#include <QDialog>
#include <QImage>
#include <QPointer>

class QLabel;
class QPushButton;
class QScrollArea;

namespace Messenger::Client {

// A photo of a message, large: the thumbnail at once, the full image once
// downloaded (into the account's file cache). Fitted to the window at first;
// the wheel, + and - zoom, Ctrl+0 fits again; Save As… writes a copy; Esc closes.
class ImageViewer : public QDialog
{
    Q_OBJECT
public:
    ImageViewer(FileCache *files, const Messenger::Attachment &file, QWidget *parent = nullptr);

    // The full image is shown (not just the thumbnail).
    bool isLoaded() const { return m_loaded; }
    // How large the image is shown: 1 is its own size.
    double zoom() const { return m_zoom; }
    QImage image() const { return m_image; }
    QPushButton *saveButton() const { return m_saveButton; }

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void fitToWindow();
    void saveAs();

Q_SIGNALS:
    void loaded();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void showImage(const QImage &image, bool full);
    void setZoom(double zoom);
    // The zoom that fits the image into the window (never above its own size).
    double fittingZoom() const;

    QPointer<FileCache> m_files;
    Messenger::Attachment m_file;
    QScrollArea *m_scroll;
    QLabel *m_canvas;
    QLabel *m_zoomLabel;
    QPushButton *m_saveButton;
    QImage m_image;
    double m_zoom = 1;
    bool m_fitted = true; // follows the window's size until the user zooms
    bool m_loaded = false;
};

} // namespace Messenger::Client
