#include "ImageProcessing.h"

#include <QBuffer>
#include <QByteArrayView>
#include <QImage>
#include <QImageIOHandler>
#include <QImageReader>
#include <QImageWriter>
#include <QMimeDatabase>
#include <QPainter>
#include <QRect>
#include <QSize>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Messenger::Server::Images {
namespace {

const QString jpegType = u"image/jpeg"_s;
const QString pngType = u"image/png"_s;
const QString gifType = u"image/gif"_s;
const QString octetStreamType = u"application/octet-stream"_s;

// The largest decoded image (4 bytes a pixel) Qt's decoders may allocate, in
// the mebibytes QImageReader::setAllocationLimit takes: a second guard behind
// the size check, for a decoder whose header size understates what it allocates.
constexpr int allocationLimitMiB = int((maxPixels * 4 + (1 << 20) - 1) >> 20);

const char *qtFormat(const QString &mimeType)
{
    if (mimeType == jpegType)
        return "jpeg";
    if (mimeType == pngType)
        return "png";
    return "gif";
}

// --- JPEG: segments ----------------------------------------------------------

constexpr uchar jpegMarkerPrefix = 0xFF;
constexpr uchar jpegStuffedZero = 0x00;
constexpr uchar jpegTem = 0x01;
constexpr uchar jpegRst0 = 0xD0;
constexpr uchar jpegRst7 = 0xD7;
constexpr uchar jpegSoi = 0xD8;
constexpr uchar jpegEoi = 0xD9;
constexpr uchar jpegSos = 0xDA;
constexpr uchar jpegApp0 = 0xE0;
constexpr uchar jpegApp14 = 0xEE;
constexpr uchar jpegApp15 = 0xEF;
constexpr uchar jpegCom = 0xFE;
// "JFIF\0", version (2), units (1), densities (2 + 2), thumbnail width and height (1 + 1).
constexpr qsizetype jfifHeaderSize = 14;

bool isRestartMarker(uchar marker)
{
    return marker >= jpegRst0 && marker <= jpegRst7;
}

// The JFIF segment without its optional thumbnail: the thumbnail is a picture
// of its own that an editor may have left showing what was cropped away.
void appendJfifWithoutThumbnail(QByteArray &out, QByteArrayView payload)
{
    if (payload.size() < jfifHeaderSize)
        return; // malformed; JFIF is optional, so drop it
    out.append(char(jpegMarkerPrefix));
    out.append(char(jpegApp0));
    out.append(char(0));
    out.append(char(2 + jfifHeaderSize));
    out.append(payload.first(jfifHeaderSize - 2));
    out.append(2, char(0)); // no thumbnail
}

// Where the entropy-coded data that starts at `pos` ends: at the first marker
// that is neither a stuffed zero nor a restart. -1 when the data runs out first
// (a truncated file).
qsizetype endOfScan(const uchar *data, qsizetype size, qsizetype pos)
{
    while (pos < size) {
        const void *found = std::memchr(data + pos, jpegMarkerPrefix, size_t(size - pos));
        if (!found)
            return -1;
        pos = static_cast<const uchar *>(found) - data;
        if (pos + 1 >= size)
            return -1;
        const uchar next = data[pos + 1];
        if (next != jpegStuffedZero && !isRestartMarker(next))
            return pos;
        pos += 2;
    }
    return -1;
}

// The JPEG with every APPn segment but JFIF (APP0) and Adobe (APP14), and
// every comment, left out; every other byte as it was, so the pixels decode
// the same. Anything after EOI is dropped too. nullopt when the segment
// structure is broken or ends before EOI (a truncated upload).
std::optional<QByteArray> stripJpegMetadata(const QByteArray &jpeg)
{
    const auto *data = reinterpret_cast<const uchar *>(jpeg.constData());
    const qsizetype size = jpeg.size();
    if (size < 4 || data[0] != jpegMarkerPrefix || data[1] != jpegSoi)
        return std::nullopt;
    QByteArray out;
    out.reserve(size);
    out.append(jpeg.constData(), 2);
    qsizetype pos = 2;
    bool sawScan = false;
    for (;;) {
        if (pos >= size || data[pos] != jpegMarkerPrefix)
            return std::nullopt;
        while (pos < size && data[pos] == jpegMarkerPrefix)
            ++pos; // fill bytes
        if (pos >= size)
            return std::nullopt;
        const uchar marker = data[pos++];
        if (marker == jpegEoi) {
            if (!sawScan)
                return std::nullopt;
            out.append(char(jpegMarkerPrefix));
            out.append(char(jpegEoi));
            return out;
        }
        if (marker == jpegStuffedZero || marker == jpegSoi)
            return std::nullopt;
        if (marker == jpegTem || isRestartMarker(marker)) { // no length follows
            out.append(char(jpegMarkerPrefix));
            out.append(char(marker));
            continue;
        }
        if (pos + 2 > size)
            return std::nullopt;
        const qsizetype length = qFromBigEndian<quint16>(data + pos); // counts itself
        if (length < 2 || pos + length > size)
            return std::nullopt;
        const QByteArrayView segment(data + pos - 2, length + 2);
        const QByteArrayView payload(data + pos + 2, length - 2);
        pos += length;
        if (marker == jpegCom)
            continue;
        if (marker >= jpegApp0 && marker <= jpegApp15) {
            if (marker == jpegApp0 && payload.startsWith(QByteArrayView("JFIF\0", 5)))
                appendJfifWithoutThumbnail(out, payload);
            else if (marker == jpegApp14 && payload.startsWith("Adobe"))
                out.append(segment);
            continue;
        }
        out.append(segment);
        if (marker == jpegSos) {
            sawScan = true;
            const qsizetype scanEnd = endOfScan(data, size, pos);
            if (scanEnd < 0)
                return std::nullopt;
            out.append(reinterpret_cast<const char *>(data + pos), scanEnd - pos);
            pos = scanEnd;
        }
    }
}

// --- PNG: chunks -------------------------------------------------------------

constexpr QByteArrayView pngSignature("\x89PNG\r\n\x1a\n", 8);
// length (4), type (4), data, CRC (4)
constexpr qsizetype pngChunkOverhead = 12;

// The ancillary chunks that change how the picture looks (colour, transparency,
// pixel size, animation); the others carry text, dates and EXIF, or are
// private to some program, and are dropped.
constexpr std::array<QByteArrayView, 16> pngRenderingChunks = {
    "tRNS",
    "gAMA",
    "cHRM",
    "sRGB",
    "iCCP",
    "cICP",
    "mDCv",
    "cLLi",
    "sBIT",
    "pHYs",
    "bKGD",
    "hIST",
    "sPLT",
    "acTL",
    "fcTL",
    "fdAT",
};

bool keepsPngChunk(QByteArrayView type)
{
    const bool critical = (uchar(type.at(0)) & 0x20) == 0; // upper-case first letter
    return critical
        || std::find(pngRenderingChunks.begin(), pngRenderingChunks.end(), type)
        != pngRenderingChunks.end();
}

// The PNG without its text, time, EXIF and private chunks; the chunks it keeps
// as they were (their CRCs included), so the pixels decode the same. Anything
// after IEND is dropped too. nullopt when the chunk structure is broken or ends
// before IEND (a truncated upload).
std::optional<QByteArray> stripPngMetadata(const QByteArray &png)
{
    if (!QByteArrayView(png).startsWith(pngSignature))
        return std::nullopt;
    const auto *data = reinterpret_cast<const uchar *>(png.constData());
    const qsizetype size = png.size();
    QByteArray out;
    out.reserve(size);
    out.append(pngSignature);
    qsizetype pos = pngSignature.size();
    for (;;) {
        if (size - pos < pngChunkOverhead)
            return std::nullopt;
        const qsizetype length = qFromBigEndian<quint32>(data + pos);
        if (length > size - pos - pngChunkOverhead)
            return std::nullopt;
        const QByteArrayView type(data + pos + 4, 4);
        const qsizetype chunkSize = pngChunkOverhead + length;
        if (keepsPngChunk(type))
            out.append(reinterpret_cast<const char *>(data + pos), chunkSize);
        pos += chunkSize;
        if (type == "IEND")
            return out;
    }
}

// `bytes` with the metadata its format can carry left out (GIF carries none
// worth the name: its comment extension is rare and shown by nothing).
std::optional<QByteArray> stripMetadata(const QByteArray &bytes, const QString &mimeType)
{
    if (mimeType == jpegType)
        return stripJpegMetadata(bytes);
    if (mimeType == pngType)
        return stripPngMetadata(bytes);
    return bytes;
}

// --- Decoding and encoding ---------------------------------------------------

struct Decoded
{
    QImage image; // as displayed
    bool reoriented = false; // an EXIF orientation other than 1 was applied
};

// Decodes `bytes` as the format `mimeType` names and only that one (a file
// whose content is of another type fails). Refuses, before decoding, an image
// with more than maxPixels pixels. A JPEG comes out with its EXIF orientation
// applied.
std::optional<Decoded> decode(const QByteArray &bytes, const QString &mimeType)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, qtFormat(mimeType));
    reader.setDecideFormatFromContent(false);
    reader.setAllocationLimit(allocationLimitMiB);
    const QSize stored = reader.size();
    if (!stored.isValid() || qint64(stored.width()) * stored.height() > maxPixels)
        return std::nullopt;
    // Only JPEG's orientation is applied: it is the one browsers apply too, and
    // the one the served bytes stop carrying once it is applied.
    const bool jpeg = mimeType == jpegType;
    const bool reoriented = jpeg && reader.transformation() != QImageIOHandler::TransformationNone;
    reader.setAutoTransform(jpeg);
    Decoded decoded { {}, reoriented };
    if (!reader.read(&decoded.image) || decoded.image.isNull())
        return std::nullopt;
    return decoded;
}

// The image as `mimeType` bytes (JPEG at `jpegQuality`), with none of the
// text QImage carries over from the source (Qt writes it back as JPEG
// comments and PNG text chunks).
QByteArray encode(const QImage &image, const QString &mimeType, int jpegQuality)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, qtFormat(mimeType));
    if (mimeType == jpegType)
        writer.setQuality(jpegQuality);
    if (!writer.write(image))
        return {};
    return stripMetadata(bytes, mimeType).value_or(QByteArray());
}

// Scaled down to fit in side x side, keeping the aspect ratio; as it is when
// it already fits.
QImage fitWithin(const QImage &image, int side)
{
    if (image.width() <= side && image.height() <= side)
        return image;
    const QSize target = image.size().scaled(side, side, Qt::KeepAspectRatio).expandedTo({ 1, 1 });
    return image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

// Whether any pixel is not fully opaque (a format with an alpha channel does
// not say that any pixel uses it: most RGBA screenshots do not).
bool hasTransparentPixels(const QImage &image)
{
    if (!image.hasAlphaChannel())
        return false;
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    for (int y = 0; y < argb.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        for (int x = 0; x < argb.width(); ++x) {
            if (qAlpha(line[x]) != 255)
                return true;
        }
    }
    return false;
}

// Transparent pixels composed over white, for a format without alpha.
QImage onWhite(const QImage &image)
{
    if (!image.hasAlphaChannel())
        return image;
    QImage flat(image.size(), QImage::Format_RGB32);
    flat.fill(Qt::white);
    QPainter painter(&flat);
    painter.drawImage(0, 0, image);
    painter.end();
    return flat;
}

struct Opened
{
    QByteArray stripped; // the upload without its metadata
    Decoded decoded;
};

// The upload checked from end to end: of the type it claims (by its bytes),
// whole (a truncated JPEG still decodes, padded with grey: its missing EOI
// tells), not too big, decodable.
std::optional<Opened> openUpload(const QByteArray &content, const QString &mimeType)
{
    if (!isSafeImageType(mimeType) || sniffMimeType(content.left(sniffBytes), {}) != mimeType)
        return std::nullopt;
    std::optional<QByteArray> stripped = stripMetadata(content, mimeType);
    if (!stripped)
        return std::nullopt;
    // A JPEG is decoded as uploaded, for the orientation its EXIF holds; the
    // others as they will be served.
    std::optional<Decoded> decoded = decode(mimeType == jpegType ? content : *stripped, mimeType);
    if (!decoded)
        return std::nullopt;
    return Opened { std::move(*stripped), std::move(*decoded) };
}

constexpr int reencodeQuality = 90;
constexpr int thumbnailQuality = 80;
constexpr int avatarQuality = 85;

} // namespace

bool isSafeImageType(const QString &mimeType)
{
    return mimeType == jpegType || mimeType == pngType || mimeType == gifType;
}

QString sniffMimeType(const QByteArray &head, const QString &fileName)
{
    const QMimeDatabase database;
    const QMimeType byContent = database.mimeTypeForData(head);
    if (!byContent.isValid() || byContent.isDefault())
        return octetStreamType;
    // The name may only narrow the content's type to one of its own kinds, and
    // never to a type a browser renders or runs, nor to an image: both only on
    // the content's word.
    static const QStringList activeTypes = { u"text/html"_s, u"application/xhtml+xml"_s,
        u"image/svg+xml"_s, u"text/javascript"_s, u"application/xml"_s };
    const auto isActive = [&](const QMimeType &type) {
        return type.name().startsWith("image/"_L1)
            || std::any_of(activeTypes.begin(), activeTypes.end(),
                [&](const QString &active) { return type.inherits(active); });
    };
    if (!fileName.isEmpty()) {
        for (const QMimeType &byName : database.mimeTypesForFileName(fileName)) {
            if (byName != byContent && byName.inherits(byContent.name()) && !isActive(byName))
                return byName.name();
        }
    }
    return byContent.name();
}

std::optional<ProcessedImage> process(const QByteArray &content, const QString &mimeType)
{
    const std::optional<Opened> opened = openUpload(content, mimeType);
    if (!opened)
        return std::nullopt;
    const QImage &image = opened->decoded.image;

    ProcessedImage processed;
    processed.content
        = opened->decoded.reoriented ? encode(image, jpegType, reencodeQuality) : opened->stripped;
    if (processed.content.isEmpty())
        return std::nullopt;
    processed.width = image.width();
    processed.height = image.height();

    const QImage thumbnail = fitWithin(image, thumbnailSide);
    processed.thumbnailMimeType = hasTransparentPixels(thumbnail) ? pngType : jpegType;
    processed.thumbnail = encode(thumbnail, processed.thumbnailMimeType, thumbnailQuality);
    if (processed.thumbnail.isEmpty())
        return std::nullopt;
    return processed;
}

std::optional<Avatar> makeAvatar(const QByteArray &content, const QString &mimeType)
{
    const std::optional<Opened> opened = openUpload(content, mimeType);
    if (!opened)
        return std::nullopt;
    const QImage &source = opened->decoded.image;
    const int sourceSide = qMin(source.width(), source.height());
    const QRect centre((source.width() - sourceSide) / 2, (source.height() - sourceSide) / 2,
        sourceSide, sourceSide);
    const QImage square = onWhite(fitWithin(source.copy(centre), avatarSide));

    Avatar avatar;
    avatar.side = square.width();
    avatar.image = encode(square, jpegType, avatarQuality);
    avatar.thumbnail = encode(fitWithin(square, avatarThumbnailSide), jpegType, avatarQuality);
    if (avatar.image.isEmpty() || avatar.thumbnail.isEmpty())
        return std::nullopt;
    return avatar;
}

} // namespace Messenger::Server::Images
