#include "Logging.h"

#include "observability/LogFields.h"
#include "shared/Json.h"
#include "shared/Operations.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <type_traits>

#include <dlfcn.h>
#include <execinfo.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Messenger::Server::Logging {

namespace {

struct Sink
{
    QMutex mutex; // messages come from every thread
    bool json = false;
    QString path;
    std::FILE *file = nullptr; // null: stderr
};

// What a signal handler may read: the log's descriptor and format.
std::atomic<int> fatalLogFd { STDERR_FILENO };
std::atomic<bool> fatalLogJson { false };

Sink &sink()
{
    static Sink instance;
    return instance;
}

QString masked(const QString &message)
{
    static const QRegularExpression secrets(
        uR"((token=|refresh_token"?\s*[:=]\s*"?|password"?\s*[:=]\s*"?|Bearer\s+)[^\s&"',}]+)"_s,
        QRegularExpression::CaseInsensitiveOption);
    QString result = message;
    return result.replace(secrets, u"\\1***"_s);
}

// The fields a text line shows after its message as key=value (the message
// of a request's line already says its method, status and duration).
QByteArray textFields(const LogRecord &fields)
{
    QByteArray text;
    const auto add = [&text](const char *key, const auto &value) {
        if (!value)
            return;
        text += ' ';
        text += key;
        text += '=';
        if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, QString>)
            text += value->toUtf8();
        else
            text += QByteArray::number(*value);
    };
    add("route", fields.route);
    add("bytes", fields.bytes);
    add("client", fields.client);
    add("user_id", fields.userId);
    add("request_id", fields.requestId);
    add("close_code", fields.closeCode);
    return text;
}

QByteArray formatLine(bool json, const char *level, const char *category, const QString &message)
{
    const QString time = formatTimestamp(currentTimestamp());
    const LogRecord *fields = LogFieldsScope::fields();
    QByteArray line;
    if (json) {
        LogRecord record = fields ? *fields : LogRecord {};
        record.time = time;
        record.level = QString::fromLatin1(level).toLower();
        record.category = QString::fromLatin1(category);
        record.message = masked(message);
        line = QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact);
    } else {
        line = time.toUtf8() + ' ' + level + ' ' + category + ": " + masked(message).toUtf8();
        if (fields)
            line += textFields(*fields);
    }
    return line + '\n';
}

void writeTo(std::FILE *target, const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), target);
    std::fflush(target);
}

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static constexpr const char *names[] = { "DEBUG", "WARNING", "CRITICAL", "FATAL", "INFO" };
    const char *level = names[qBound(0, int(type), 4)];
    const char *category = context.category ? context.category : "default";
    Sink &out = sink();
    const QMutexLocker lock(&out.mutex);
    writeTo(out.file ? out.file : stderr, formatLine(out.json, level, category, message));
}

bool openFile(Sink &out, QString *error)
{
    std::FILE *file = std::fopen(QFile::encodeName(out.path).constData(), "a");
    if (!file) {
        if (error)
            *error = u"cannot open log file "_s + out.path;
        return false;
    }
    fatalLogFd = ::fileno(file);
    if (out.file)
        std::fclose(out.file);
    out.file = file;
    return true;
}

// A fixed-size line built without allocating: what a signal handler may do.
class SignalSafeLine
{
public:
    void append(const char *text)
    {
        while (*text && m_size < sizeof(m_data) - 1)
            m_data[m_size++] = *text++;
    }
    void append(long long number, int width = 0)
    {
        char digits[24];
        int count = 0;
        const bool negative = number < 0;
        unsigned long long value = negative ? 0ULL - (unsigned long long)number : number;
        do {
            digits[count++] = char('0' + value % 10);
            value /= 10;
        } while (value && count < 24);
        while (count < width && count < 24)
            digits[count++] = '0';
        if (negative)
            append("-");
        while (count > 0 && m_size < sizeof(m_data) - 1)
            m_data[m_size++] = digits[--count];
    }
    void appendHex(unsigned long long value)
    {
        char digits[16];
        int count = 0;
        do {
            digits[count++] = "0123456789abcdef"[value % 16];
            value /= 16;
        } while (value && count < 16);
        append("0x");
        while (count > 0 && m_size < sizeof(m_data) - 1)
            m_data[m_size++] = digits[--count];
    }
    // Text inside a JSON string: quotes, backslashes and control characters escaped.
    void appendJsonText(const char *text)
    {
        for (; *text; ++text) {
            const char one[2] = { *text, 0 };
            if (*text == '"' || *text == '\\')
                append("\\");
            if (static_cast<unsigned char>(*text) < 0x20)
                append("?");
            else
                append(one);
        }
    }
    void write(int fd) const { [[maybe_unused]] const auto written = ::write(fd, m_data, m_size); }

private:
    char m_data[512];
    size_t m_size = 0;
};

// UTC time as in every other log line, from arithmetic alone (gmtime is
// not async-signal-safe).
void appendTimestamp(SignalSafeLine &line)
{
    timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const long long seconds = now.tv_sec;
    long long days = seconds / 86400;
    const long long secondOfDay = seconds % 86400;
    // Howard Hinnant's civil_from_days.
    days += 719468;
    const long long era = days / 146097;
    const long long dayOfEra = days - era * 146097;
    const long long yearOfEra
        = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const long long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const long long monthIndex = (5 * dayOfYear + 2) / 153;
    const long long day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
    const long long month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
    const long long year = yearOfEra + era * 400 + (month <= 2);
    line.append(year, 4);
    line.append("-");
    line.append(month, 2);
    line.append("-");
    line.append(day, 2);
    line.append("T");
    line.append(secondOfDay / 3600, 2);
    line.append(":");
    line.append(secondOfDay / 60 % 60, 2);
    line.append(":");
    line.append(secondOfDay % 60, 2);
    line.append(".");
    line.append(now.tv_nsec / 1000, 6);
    line.append("Z");
}

const char *signalName(int signalNumber)
{
    switch (signalNumber) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    case SIGABRT:
        return "SIGABRT";
    default:
        return "signal";
    }
}

constexpr int fatalSignals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

// The last words of a crashing process: one log line naming the signal, the
// stack as backtrace_symbols_fd prints it, then the default action (a core
// dump where the limits allow one).
[[maybe_unused]] void onFatalSignal(int signalNumber) // unused under ASan
{
    const int fd = fatalLogFd.load();
    SignalSafeLine line;
    if (fatalLogJson.load()) {
        line.append("{\"time\":\"");
        appendTimestamp(line);
        line.append("\",\"level\":\"fatal\",\"category\":\"messenger.server\",\"message\":\"");
    } else {
        appendTimestamp(line);
        line.append(" FATAL messenger.server: ");
    }
    line.append("fatal signal ");
    line.append(signalNumber);
    line.append(" (");
    line.append(signalName(signalNumber));
    line.append("), backtrace follows");
    line.append(fatalLogJson.load() ? "\"}\n" : "\n");
    line.write(fd);
    void *frames[64];
    const int depth = ::backtrace(frames, 64);
    if (fatalLogJson.load()) {
        // backtrace_symbols_fd writes plain lines: in JSON each frame is a
        // line of its own, the object and offset from dladdr.
        for (int i = 0; i < depth; ++i) {
            Dl_info info {};
            const bool named = ::dladdr(frames[i], &info) != 0 && info.dli_fname;
            SignalSafeLine frame;
            frame.append("{\"time\":\"");
            appendTimestamp(frame);
            frame.append("\",\"level\":\"fatal\",\"category\":\"messenger.server\",\"message\":\"");
            frame.append("frame ");
            frame.append(i);
            frame.append(": ");
            if (named) {
                frame.appendJsonText(info.dli_fname);
                frame.append("+");
                frame.appendHex(reinterpret_cast<unsigned long long>(frames[i])
                    - reinterpret_cast<unsigned long long>(info.dli_fbase));
                frame.append(" ");
            }
            frame.append("[");
            frame.appendHex(reinterpret_cast<unsigned long long>(frames[i]));
            frame.append("]\"}\n");
            frame.write(fd);
        }
    } else {
        ::backtrace_symbols_fd(frames, depth, fd);
    }
    ::signal(signalNumber, SIG_DFL);
    ::raise(signalNumber);
}

void installFatalSignalHandler()
{
#if defined(__SANITIZE_ADDRESS__)
    return; // AddressSanitizer's own report says more
#else
    // backtrace() loads libgcc on first use, which allocates: do it now.
    void *warmUp[1];
    ::backtrace(warmUp, 1);
    // A stack overflow leaves no stack to report it on: use one of our own.
    static char alternateStack[64 * 1024];
    stack_t stack {};
    stack.ss_sp = alternateStack;
    stack.ss_size = sizeof(alternateStack);
    ::sigaltstack(&stack, nullptr);
    struct sigaction action = {};
    action.sa_handler = onFatalSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_ONSTACK | SA_RESETHAND;
    for (const int signalNumber : fatalSignals)
        ::sigaction(signalNumber, &action, nullptr);
#endif
}

} // namespace

bool install(const QString &level, const QString &format, const QString &file, QString *error)
{
    Sink &out = sink();
    {
        const QMutexLocker lock(&out.mutex);
        out.json = format == u"json"_s;
        fatalLogJson = out.json;
        out.path = file;
        if (!file.isEmpty() && !openFile(out, error))
            return false;
    }
    qInstallMessageHandler(writeLine);
    installFatalSignalHandler();
    // A log reader that goes away (`| head`, a restarted log shipper) must
    // not take the server with it: a write to its pipe fails with EPIPE
    // instead of killing the process with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    QString rules = u"*.debug=false\nqt.*.info=false\n"_s;
    if (level == u"debug"_s)
        rules = u"messenger.*.debug=true\n"_s;
    else if (level == u"warning"_s)
        rules += u"*.info=false\n"_s;
    else if (level == u"error"_s)
        rules += u"*.info=false\n*.warning=false\n"_s;
    QLoggingCategory::setFilterRules(rules);
    return true;
}

void announce(const QString &message)
{
    Sink &out = sink();
    const QMutexLocker lock(&out.mutex);
    // Text keeps the bare line scripts have always waited for.
    const QByteArray line = out.json ? formatLine(true, "INFO", "messenger.server", message)
                                     : message.toUtf8() + '\n';
    writeTo(stderr, line);
    if (out.file)
        writeTo(out.file, out.json ? line : formatLine(false, "INFO", "messenger.server", message));
}

void reopen()
{
    Sink &out = sink();
    const QMutexLocker lock(&out.mutex);
    if (!out.path.isEmpty())
        openFile(out, nullptr); // on failure the old file stays in use
}

} // namespace Messenger::Server::Logging
