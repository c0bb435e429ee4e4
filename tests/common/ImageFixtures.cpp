#include "ImageFixtures.h"

#include <QtEndian>

#include <array>

using namespace Qt::StringLiterals;

namespace ImageFixtures {

QByteArray littleEndian16(quint16 value)
{
    QByteArray bytes(2, Qt::Uninitialized);
    qToLittleEndian(value, bytes.data());
    return bytes;
}

QByteArray littleEndian32(quint32 value)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToLittleEndian(value, bytes.data());
    return bytes;
}

QByteArray bigEndian16(quint16 value)
{
    QByteArray bytes(2, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray bigEndian32(quint32 value)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

// One TIFF IFD entry; a value of 4 bytes or fewer sits in the offset field.
QByteArray ifdEntry(quint16 tag, quint16 type, quint32 count, quint32 valueOrOffset)
{
    return littleEndian16(tag) + littleEndian16(type) + littleEndian32(count)
        + littleEndian32(valueOrOffset);
}

const QByteArray cameraMake = "SecretCam"_ba;
const QByteArray secretComment = "SecretComment shot at home"_ba;
const QByteArray location = "Location: 55.75,37.61"_ba;

// What a phone writes: a little-endian TIFF whose IFD0 holds the camera make,
// the orientation and a pointer to a GPS IFD with the latitude.
QByteArray exifTiff(quint16 orientation)
{
    enum : quint16 { Ascii = 2, Short = 3, Long = 4, Rational = 5 };
    const QByteArray make = cameraMake + '\0';
    const quint32 ifd0At = 8;
    const quint32 gpsIfdAt = ifd0At + 2 + 3 * 12 + 4;
    const quint32 makeAt = gpsIfdAt + 2 + 2 * 12 + 4;
    const quint32 latitudeAt = makeAt + quint32(make.size());
    QByteArray tiff = "II*\0"_ba + littleEndian32(ifd0At);
    tiff += littleEndian16(3);
    tiff += ifdEntry(0x010F, Ascii, quint32(make.size()), makeAt); // Make
    tiff += ifdEntry(0x0112, Short, 1, orientation); // Orientation
    tiff += ifdEntry(0x8825, Long, 1, gpsIfdAt); // GPSInfo
    tiff += littleEndian32(0);
    tiff += littleEndian16(2);
    tiff += ifdEntry(0x0001, Ascii, 2, 'N'); // GPSLatitudeRef
    tiff += ifdEntry(0x0002, Rational, 3, latitudeAt); // GPSLatitude
    tiff += littleEndian32(0);
    tiff += make;
    for (const quint32 part : { 55u, 45u, 0u })
        tiff += littleEndian32(part) + littleEndian32(1);
    return tiff;
}

QByteArray jpegSegment(uchar marker, const QByteArray &payload)
{
    return QByteArray(1, char(0xFF)) + char(marker) + bigEndian16(quint16(payload.size() + 2))
        + payload;
}

// The JPEG with an EXIF APP1, an XMP-like APP1 and a comment after SOI, as a camera and an
// editor leave them.
QByteArray withJpegMetadata(const QByteArray &jpeg, quint16 orientation)
{
    const QByteArray metadata = jpegSegment(0xE1, "Exif\0\0"_ba + exifTiff(orientation))
        + jpegSegment(0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>"_ba + cameraMake)
        + jpegSegment(0xFE, secretComment);
    return jpeg.left(2) + metadata + jpeg.mid(2);
}

// CRC-32 as PNG defines it (ISO 3309, the one zlib computes).
quint32 pngCrc(QByteArrayView bytes)
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> entries {};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            entries[n] = c;
        }
        return entries;
    }();
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : bytes)
        crc = table[(crc ^ uchar(byte)) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

QByteArray pngChunk(const QByteArray &type, const QByteArray &data)
{
    return bigEndian32(quint32(data.size())) + type + data
        + bigEndian32(pngCrc(QByteArray(type + data)));
}

const QByteArray pngSignature = "\x89PNG\r\n\x1a\n"_ba;

QByteArray withPngMetadata(const QByteArray &png)
{
    const QByteArray metadata = pngChunk("tEXt", "GPS\0"_ba + location)
        + pngChunk("eXIf", exifTiff(1))
        + pngChunk("tIME", bigEndian16(2024) + QByteArray("\x05\x11\x0c\x22\x38", 5));
    return png.left(afterPngHeader) + metadata + png.mid(afterPngHeader);
}

// A whole PNG made by hand: greyscale, 1 bit a pixel, every pixel black; its
// pixel data compresses to almost nothing however big the header says it is.
QByteArray blackPng(quint32 width, quint32 height)
{
    const QByteArray header = bigEndian32(width) + bigEndian32(height)
        + QByteArray(
            "\x01\x00\x00\x00\x00", 5); // depth 1, greyscale, deflate, no filter, no interlace
    const QByteArray row(1 + qsizetype((width + 7) / 8), '\0'); // filter byte + bits
    const QByteArray pixels = row.repeated(height);
    const QByteArray zlibStream = qCompress(pixels, 9).mid(4); // qCompress prefixes the length
    return pngSignature + pngChunk("IHDR", header) + pngChunk("IDAT", zlibStream)
        + pngChunk("IEND", {});
}

} // namespace ImageFixtures
