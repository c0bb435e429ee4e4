#include "ImageFixtures.h"
#include "files/ImageProcessing.h"

#include <QBuffer>
#include <QColor>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QLoggingCategory>
#include <QPainter>
#include <QRandomGenerator>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent>
#include <QtEndian>

#include <array>

using namespace Qt::StringLiterals;
using namespace Messenger::Server;

namespace {

using namespace ImageFixtures;

// The classic one-pixel transparent GIF.
const QByteArray transparentGif
    = QByteArray("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00\x21\xf9\x04\x01\x00"
                 "\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b",
        43);

const QByteArray htmlDocument = "<!DOCTYPE html>\n<html><head><title>x</title></head>"
                                "<body><script>alert(document.cookie)</script></body></html>\n"_ba;
const QByteArray svgDocument
    = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" "
      "onload=\"alert(document.cookie)\"><circle r=\"4\"/></svg>\n"_ba;

QByteArray randomBytes(qsizetype size)
{
    QRandomGenerator generator(17);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &byte : bytes)
        byte = char(generator.bounded(256));
    return bytes;
}

// --- Images -------------------------------------------------------------------

enum class WriteOption { None, Progressive };

QByteArray encoded(const QImage &image, const char *format, int quality = -1,
    WriteOption option = WriteOption::None)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    writer.setProgressiveScanWrite(option == WriteOption::Progressive);
    if (!writer.write(image))
        qFatal("cannot write the %s fixture: %s", format, qPrintable(writer.errorString()));
    return bytes;
}

// Vertical bands of the given colours, left to right.
QImage bands(int width, int height, const QList<QColor> &colours,
    QImage::Format format = QImage::Format_RGB32)
{
    QImage image(width, height, format);
    const int bandWidth = width / int(colours.size());
    for (int x = 0; x < width; ++x) {
        const QColor colour = colours.at(qMin(x / bandWidth, int(colours.size()) - 1));
        for (int y = 0; y < height; ++y)
            image.setPixelColor(x, y, colour);
    }
    return image;
}

QImage noise(int width, int height)
{
    QRandomGenerator generator(42);
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, 0xFF000000u | generator.bounded(0x1000000u));
    }
    return image;
}

// Decoded as a browser without EXIF support would: no orientation applied.
QImage decodedAsStored(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(false);
    return reader.read();
}

// Decoded as a browser with EXIF support would.
QImage decodedAsDisplayed(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    return reader.read();
}

// Near enough for JPEG's losses.
bool looksLike(const QImage &image, int x, int y, const QColor &expected)
{
    const QColor actual = image.pixelColor(x, y);
    return qAbs(actual.red() - expected.red()) < 48 && qAbs(actual.green() - expected.green()) < 48
        && qAbs(actual.blue() - expected.blue()) < 48;
}

// The first trace of the fixtures' metadata found in `bytes`; empty when none is.
QByteArray secretIn(const QByteArray &bytes)
{
    for (const QByteArray &secret : { "Exif"_ba, cameraMake, "SecretComment"_ba, "xmpmeta"_ba,
             "Location"_ba, "eXIf"_ba, "tEXt"_ba, "tIME"_ba }) {
        if (bytes.contains(secret))
            return secret;
    }
    return {};
}

} // namespace

class tst_Images : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void safeImageTypes();
    void sniffing_data();
    void sniffing();
    void rotatedJpegIsReencodedUpright();
    void uprightJpegLosesMetadataLosslessly_data();
    void uprightJpegLosesMetadataLosslessly();
    void pngLosesMetadataLosslessly();
    void gifIsServedAsUploaded();
    void thumbnails_data();
    void thumbnails();
    void undecodableGivesNothing_data();
    void undecodableGivesNothing();
    void avatars_data();
    void avatars();
    void avatarIsTheCentreSquareUpright();
    void avatarFlattensTransparencyOnWhite();
    void workerThreadsShareNothing();
    void corruptUploadsNeverCrash();
};

void tst_Images::initTestCase()
{
    // The damaged fixtures make libjpeg explain each fault; the results are
    // what the tests check.
    QLoggingCategory::setFilterRules(u"qt.gui.imageio.*.warning=false"_s);
}

void tst_Images::safeImageTypes()
{
    QVERIFY(Images::isSafeImageType(u"image/jpeg"_s));
    QVERIFY(Images::isSafeImageType(u"image/png"_s));
    QVERIFY(Images::isSafeImageType(u"image/gif"_s));
    QVERIFY(!Images::isSafeImageType(u"image/svg+xml"_s));
    QVERIFY(!Images::isSafeImageType(u"image/webp"_s));
    QVERIFY(!Images::isSafeImageType(u"text/html"_s));
    QVERIFY(!Images::isSafeImageType(u"application/octet-stream"_s));
    QVERIFY(!Images::isSafeImageType(QString()));
}

void tst_Images::sniffing_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("expected");

    const QByteArray jpeg = encoded(bands(8, 8, { Qt::red }), "jpeg");
    const QByteArray png = encoded(bands(8, 8, { Qt::red }), "png");
    QTest::newRow("jpeg named .txt") << jpeg << u"x.txt"_s << u"image/jpeg"_s;
    QTest::newRow("png named .txt") << png << u"x.txt"_s << u"image/png"_s;
    QTest::newRow("gif named .txt") << transparentGif << u"x.txt"_s << u"image/gif"_s;
    QTest::newRow("png with no name") << png << QString() << u"image/png"_s;
    QTest::newRow("html named .png") << htmlDocument << u"a.png"_s << u"text/html"_s;
    QTest::newRow("svg named .png") << svgDocument << u"a.png"_s << u"image/svg+xml"_s;
    QTest::newRow("random bytes") << randomBytes(Images::sniffBytes) << u"random.bin"_s
                                  << u"application/octet-stream"_s;
    QTest::newRow("random bytes named .jpg")
        << randomBytes(Images::sniffBytes) << u"photo.jpg"_s << u"application/octet-stream"_s;
    // Text can be told from binary, not CSV from plain text: the name decides,
    // but only within text, and never a type a browser renders.
    const QByteArray table = "name,count\napples,3\npears,5\n"_ba;
    QTest::newRow("text named .csv") << table << u"fruit.csv"_s << u"text/csv"_s;
    QTest::newRow("text named .txt") << table << u"fruit.txt"_s << u"text/plain"_s;
    QTest::newRow("text named .png") << table << u"fruit.png"_s << u"text/plain"_s;
    QTest::newRow("text named .html") << table << u"fruit.html"_s << u"text/plain"_s;
    QTest::newRow("text named .svg") << table << u"fruit.svg"_s << u"text/plain"_s;
    QTest::newRow("text named .js") << table << u"fruit.js"_s << u"text/plain"_s;
    QTest::newRow("text named .xml") << table << u"fruit.xml"_s << u"text/plain"_s;
    QTest::newRow("text named .xhtml") << table << u"fruit.xhtml"_s << u"text/plain"_s;
}

void tst_Images::sniffing()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, fileName);
    QFETCH(QString, expected);
    const QString sniffed = Images::sniffMimeType(content.left(Images::sniffBytes), fileName);
    QCOMPARE(sniffed, expected);
    QCOMPARE(Images::isSafeImageType(sniffed),
        expected.startsWith("image/"_L1) && expected != "image/svg+xml"_L1);
}

void tst_Images::rotatedJpegIsReencodedUpright()
{
    // Stored 40x20, red on the left; orientation 6 turns it a quarter clockwise
    // for display: 20x40, red on top.
    const QByteArray upload
        = withJpegMetadata(encoded(bands(40, 20, { Qt::red, Qt::blue }), "jpeg", 95), 6);
    QCOMPARE(decodedAsDisplayed(upload).size(), QSize(20, 40)); // the fixture is what a phone sends

    const std::optional<Images::ProcessedImage> processed
        = Images::process(upload, u"image/jpeg"_s);
    QVERIFY(processed);
    QCOMPARE(processed->width, 20);
    QCOMPARE(processed->height, 40);
    QCOMPARE(secretIn(processed->content), QByteArray());
    QCOMPARE(
        Images::sniffMimeType(processed->content.left(Images::sniffBytes), {}), u"image/jpeg"_s);

    // Upright in the pixels, so it shows the same with or without EXIF support.
    const QImage served = decodedAsStored(processed->content);
    QCOMPARE(served.size(), QSize(20, 40));
    QCOMPARE(decodedAsDisplayed(processed->content).size(), QSize(20, 40));
    QVERIFY(looksLike(served, 10, 5, Qt::red));
    QVERIFY(looksLike(served, 10, 34, Qt::blue));

    QCOMPARE(processed->thumbnailMimeType, u"image/jpeg"_s);
    QCOMPARE(secretIn(processed->thumbnail), QByteArray());
    const QImage thumbnail = decodedAsStored(processed->thumbnail);
    QCOMPARE(thumbnail.size(), QSize(20, 40));
    QVERIFY(looksLike(thumbnail, 10, 5, Qt::red));
}

void tst_Images::uprightJpegLosesMetadataLosslessly_data()
{
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("upload");
    const QByteArray baseline = encoded(noise(64, 48), "jpeg", 90);
    QTest::newRow("baseline, orientation 1") << baseline << withJpegMetadata(baseline, 1);
    QTest::newRow("baseline, no orientation")
        << baseline
        << QByteArray(baseline.left(2) + jpegSegment(0xE1, "Exif\0\0II*\0\0\0\0\0"_ba + cameraMake)
               + jpegSegment(0xFE, secretComment) + baseline.mid(2));
    // Several scans, with Huffman tables between them.
    const QByteArray progressive = encoded(noise(64, 48), "jpeg", 90, WriteOption::Progressive);
    QCOMPARE_GT(progressive.count("\xFF\xDA"_ba), 1); // start of scan
    QTest::newRow("progressive") << progressive << withJpegMetadata(progressive, 1);
}

void tst_Images::uprightJpegLosesMetadataLosslessly()
{
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, upload);
    QVERIFY(upload.contains(cameraMake));

    const std::optional<Images::ProcessedImage> processed
        = Images::process(upload, u"image/jpeg"_s);
    QVERIFY(processed);
    QCOMPARE(processed->width, 64);
    QCOMPARE(processed->height, 48);
    QCOMPARE(secretIn(processed->content), QByteArray());
    // Not re-encoded: the same pixels, and in fact the bytes Qt wrote before
    // the metadata went in.
    QCOMPARE(decodedAsStored(processed->content), decodedAsStored(upload));
    QCOMPARE(processed->content, plain);
    QCOMPARE(secretIn(processed->thumbnail), QByteArray());
}

void tst_Images::pngLosesMetadataLosslessly()
{
    // Half transparent, so the thumbnail is a PNG too (written by Qt, which
    // would copy the tEXt chunk it read into it).
    const QImage picture
        = bands(60, 30, { QColor(255, 0, 0, 128), Qt::green, Qt::blue }, QImage::Format_ARGB32);
    const QByteArray plain = encoded(picture, "png");
    const QByteArray upload = withPngMetadata(plain);
    QVERIFY(upload.contains(location));
    QVERIFY(!decodedAsStored(upload).isNull()); // the hand-made chunks are valid

    const std::optional<Images::ProcessedImage> processed = Images::process(upload, u"image/png"_s);
    QVERIFY(processed);
    QCOMPARE(processed->width, 60);
    QCOMPARE(processed->height, 30);
    QCOMPARE(secretIn(processed->content), QByteArray());
    QCOMPARE(decodedAsStored(processed->content), decodedAsStored(upload));
    QCOMPARE(processed->content, plain);

    QCOMPARE(processed->thumbnailMimeType, u"image/png"_s);
    QCOMPARE(secretIn(processed->thumbnail), QByteArray());
    const QImage thumbnail = decodedAsStored(processed->thumbnail);
    QCOMPARE(thumbnail.size(), QSize(60, 30));
    QCOMPARE(qAlpha(thumbnail.pixel(5, 5)), 128);
}

void tst_Images::gifIsServedAsUploaded()
{
    const std::optional<Images::ProcessedImage> processed
        = Images::process(transparentGif, u"image/gif"_s);
    QVERIFY(processed);
    QCOMPARE(processed->content, transparentGif);
    QCOMPARE(processed->width, 1);
    QCOMPARE(processed->height, 1);
    QCOMPARE(processed->thumbnailMimeType, u"image/png"_s); // its one pixel is transparent
    QCOMPARE(decodedAsStored(processed->thumbnail).size(), QSize(1, 1));
}

void tst_Images::thumbnails_data()
{
    QTest::addColumn<QByteArray>("upload");
    QTest::addColumn<QString>("mimeType");
    QTest::addColumn<QSize>("expectedSize");
    QTest::addColumn<QString>("expectedType");

    const QList<QColor> opaque = { Qt::red, Qt::green };
    QTest::newRow("wide") << encoded(bands(2000, 1000, opaque), "jpeg") << u"image/jpeg"_s
                          << QSize(320, 160) << u"image/jpeg"_s;
    QTest::newRow("tall") << encoded(bands(1000, 2000, opaque), "png") << u"image/png"_s
                          << QSize(160, 320) << u"image/jpeg"_s;
    QTest::newRow("small, not upscaled") << encoded(bands(100, 50, opaque), "jpeg")
                                         << u"image/jpeg"_s << QSize(100, 50) << u"image/jpeg"_s;
    QTest::newRow("thin") << encoded(bands(3000, 2, opaque), "png") << u"image/png"_s
                          << QSize(320, 1) << u"image/jpeg"_s;
    QTest::newRow("alpha channel, every pixel opaque")
        << encoded(bands(640, 640, opaque, QImage::Format_ARGB32), "png") << u"image/png"_s
        << QSize(320, 320) << u"image/jpeg"_s;
    QTest::newRow("transparent") << encoded(
        bands(640, 640, { Qt::transparent, Qt::red }, QImage::Format_ARGB32), "png")
                                 << u"image/png"_s << QSize(320, 320) << u"image/png"_s;
}

void tst_Images::thumbnails()
{
    QFETCH(QByteArray, upload);
    QFETCH(QString, mimeType);
    QFETCH(QSize, expectedSize);
    QFETCH(QString, expectedType);

    const std::optional<Images::ProcessedImage> processed = Images::process(upload, mimeType);
    QVERIFY(processed);
    QCOMPARE(processed->thumbnailMimeType, expectedType);
    QCOMPARE(
        Images::sniffMimeType(processed->thumbnail.left(Images::sniffBytes), {}), expectedType);
    QCOMPARE(decodedAsStored(processed->thumbnail).size(), expectedSize);
}

void tst_Images::undecodableGivesNothing_data()
{
    QTest::addColumn<QByteArray>("upload");
    QTest::addColumn<QString>("mimeType");

    // Big enough that half of it is well inside the entropy-coded data, which
    // libjpeg would pad with grey and call a picture.
    const QByteArray jpeg = encoded(noise(300, 300), "jpeg", 90);
    QTest::newRow("jpeg cut in half") << jpeg.left(jpeg.size() / 2) << u"image/jpeg"_s;
    QTest::newRow("jpeg without its EOI") << jpeg.chopped(2) << u"image/jpeg"_s;
    const QByteArray png = encoded(noise(300, 300), "png");
    QTest::newRow("png cut in half") << png.left(png.size() / 2) << u"image/png"_s;

    // Decompression bombs: small files whose headers ask for too many pixels.
    QTest::newRow("png claiming 100000x100000") << pngSignature
            + pngChunk(
                "IHDR", bigEndian32(100000) + bigEndian32(100000) + "\x08\x02\x00\x00\x00"_ba)
            + pngChunk("IEND", {}) << u"image/png"_s;
    // Whole and valid, just over the pixel limit and just under the
    // allocation limit Qt's decoders apply (4 bytes a pixel): only the pixel
    // limit stops it.
    const QByteArray bomb = blackPng(7072, 7072);
    QCOMPARE_GT(7072 * 7072, Images::maxPixels);
    QVERIFY(bomb.size() < 100'000);
    QTest::newRow("png of 50.01 million pixels") << bomb << u"image/png"_s;
    QByteArray hugeJpeg = encoded(bands(16, 16, { Qt::red }), "jpeg");
    const qsizetype frame = hugeJpeg.indexOf("\xFF\xC0"_ba);
    QVERIFY(frame > 0);
    hugeJpeg.replace(
        frame + 5, 4, QByteArray(bigEndian16(60000) + bigEndian16(60000))); // height, width
    QTest::newRow("jpeg claiming 60000x60000") << hugeJpeg << u"image/jpeg"_s;

    // Types that lie.
    QTest::newRow("html as png") << htmlDocument << u"image/png"_s;
    QTest::newRow("svg as png") << svgDocument << u"image/png"_s;
    QTest::newRow("png as jpeg") << png << u"image/jpeg"_s;
    QTest::newRow("jpeg as gif") << jpeg << u"image/gif"_s;
    QTest::newRow("random bytes as gif") << randomBytes(5000) << u"image/gif"_s;
    QTest::newRow("empty") << QByteArray() << u"image/png"_s;
    QTest::newRow("svg as svg") << svgDocument << u"image/svg+xml"_s;
    QTest::newRow("gif header only") << transparentGif.left(13) << u"image/gif"_s;
}

void tst_Images::undecodableGivesNothing()
{
    QFETCH(QByteArray, upload);
    QFETCH(QString, mimeType);
    QVERIFY(!Images::process(upload, mimeType));
    QVERIFY(!Images::makeAvatar(upload, mimeType));
}

void tst_Images::avatars_data()
{
    QTest::addColumn<QByteArray>("upload");
    QTest::addColumn<QString>("mimeType");
    QTest::addColumn<int>("expectedSide");
    QTest::addColumn<int>("expectedThumbnailSide");

    const QList<QColor> colours = { Qt::red, Qt::green, Qt::blue };
    QTest::newRow("300x200, not upscaled")
        << encoded(bands(300, 200, colours), "png") << u"image/png"_s << 200 << 128;
    QTest::newRow("2000x1000") << encoded(bands(2000, 1000, colours), "jpeg") << u"image/jpeg"_s
                               << 512 << 128;
    QTest::newRow("50x80, thumbnail not upscaled")
        << encoded(bands(50, 80, colours), "jpeg") << u"image/jpeg"_s << 50 << 50;
    QTest::newRow("gif") << transparentGif << u"image/gif"_s << 1 << 1;
}

void tst_Images::avatars()
{
    QFETCH(QByteArray, upload);
    QFETCH(QString, mimeType);
    QFETCH(int, expectedSide);
    QFETCH(int, expectedThumbnailSide);

    const std::optional<Images::Avatar> avatar = Images::makeAvatar(upload, mimeType);
    QVERIFY(avatar);
    QCOMPARE(avatar->side, expectedSide);
    QCOMPARE(Images::sniffMimeType(avatar->image.left(Images::sniffBytes), {}), u"image/jpeg"_s);
    QCOMPARE(
        Images::sniffMimeType(avatar->thumbnail.left(Images::sniffBytes), {}), u"image/jpeg"_s);
    QCOMPARE(decodedAsStored(avatar->image).size(), QSize(expectedSide, expectedSide));
    QCOMPARE(decodedAsStored(avatar->thumbnail).size(),
        QSize(expectedThumbnailSide, expectedThumbnailSide));
}

void tst_Images::avatarIsTheCentreSquareUpright()
{
    // Stored 180x60 in three bands; orientation 6 displays it 60x180 with the
    // red band on top, green in the middle: the centre square is all green.
    const QByteArray upload = withJpegMetadata(
        encoded(bands(180, 60, { Qt::red, Qt::green, Qt::blue }), "jpeg", 95), 6);
    const std::optional<Images::Avatar> avatar = Images::makeAvatar(upload, u"image/jpeg"_s);
    QVERIFY(avatar);
    QCOMPARE(avatar->side, 60);
    QCOMPARE(secretIn(avatar->image), QByteArray());
    QCOMPARE(secretIn(avatar->thumbnail), QByteArray());
    const QImage image = decodedAsStored(avatar->image);
    QCOMPARE(image.size(), QSize(60, 60));
    for (const QPoint corner : { QPoint(4, 4), QPoint(55, 4), QPoint(4, 55), QPoint(55, 55) })
        QVERIFY2(looksLike(image, corner.x(), corner.y(), Qt::green),
            qPrintable(image.pixelColor(corner).name()));
}

void tst_Images::avatarFlattensTransparencyOnWhite()
{
    const QByteArray upload
        = encoded(bands(200, 200, { Qt::transparent }, QImage::Format_ARGB32), "png");
    const std::optional<Images::Avatar> avatar = Images::makeAvatar(upload, u"image/png"_s);
    QVERIFY(avatar);
    const QImage image = decodedAsStored(avatar->image);
    QVERIFY2(looksLike(image, 100, 100, Qt::white), qPrintable(image.pixelColor(100, 100).name()));
}

void tst_Images::workerThreadsShareNothing()
{
    // The same uploads processed on many threads at once come out as they do
    // one at a time.
    const QList<QByteArray> uploads = {
        withJpegMetadata(encoded(bands(400, 300, { Qt::red, Qt::blue }), "jpeg"), 6),
        withJpegMetadata(encoded(noise(200, 100), "jpeg"), 1),
        withPngMetadata(
            encoded(bands(300, 200, { Qt::transparent, Qt::green }, QImage::Format_ARGB32), "png")),
        transparentGif,
    };
    const auto run = [](const QByteArray &upload) {
        const QString type = Images::sniffMimeType(upload.left(Images::sniffBytes), u"x.bin"_s);
        const std::optional<Images::ProcessedImage> processed = Images::process(upload, type);
        const std::optional<Images::Avatar> avatar = Images::makeAvatar(upload, type);
        return processed && avatar
            ? processed->content + processed->thumbnail + avatar->image + avatar->thumbnail
            : QByteArray();
    };
    QList<QByteArray> expected;
    for (const QByteArray &upload : uploads)
        expected.append(run(upload));
    QVERIFY(!expected.contains(QByteArray()));

    QList<QByteArray> many;
    for (int round = 0; round < 8; ++round)
        many.append(uploads);
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    const QList<QByteArray> results = QtConcurrent::blockingMapped(&pool, many, run);
    for (qsizetype i = 0; i < results.size(); ++i)
        QCOMPARE(results.at(i), expected.at(i % uploads.size()));
}

void tst_Images::corruptUploadsNeverCrash()
{
    // Seeded damage to uploads carrying metadata: flipped bytes (lengths in
    // segment and chunk headers among them) and cuts. Each one is refused or
    // comes out as a whole image of its type with the metadata gone; under
    // the ASan build, with no read out of bounds either.
    const QList<QPair<QByteArray, QString>> uploads = {
        { withJpegMetadata(encoded(noise(48, 32), "jpeg"), 6), u"image/jpeg"_s },
        { withJpegMetadata(encoded(noise(48, 32), "jpeg"), 1), u"image/jpeg"_s },
        { withPngMetadata(encoded(noise(48, 32), "png")), u"image/png"_s },
        { transparentGif, u"image/gif"_s },
    };
    QRandomGenerator generator(7);
    int processedCount = 0;
    for (const auto &[original, type] : uploads) {
        for (int attempt = 0; attempt < 150; ++attempt) {
            QByteArray damaged = original;
            if (attempt % 3 == 0) {
                damaged.truncate(generator.bounded(damaged.size()));
            } else {
                for (int flips = 1 + generator.bounded(4); flips > 0; --flips)
                    damaged[generator.bounded(damaged.size())] = char(generator.bounded(256));
            }
            const std::optional<Images::ProcessedImage> processed = Images::process(damaged, type);
            Images::makeAvatar(damaged, type);
            if (!processed)
                continue;
            ++processedCount;
            QVERIFY(processed->width > 0 && processed->height > 0);
            QCOMPARE(Images::sniffMimeType(processed->content.left(Images::sniffBytes), {}), type);
            if (type != u"image/gif"_s)
                QCOMPARE(secretIn(processed->content), QByteArray());
        }
    }
    QVERIFY(processedCount > 0); // some damage (in pixel data) still decodes
}

// No QGuiApplication: the server decodes and paints images without one.
QTEST_GUILESS_MAIN(tst_Images)
#include "tst_images.moc"
