#pragma once

#include <QStringView>

// The fields of messenger-bench's report (one JSON object per result, printed
// as a table or, with --json, as an array). They are this tool's output, not
// the API's wire format, so they live here rather than in shared/.
namespace Messenger::Bench::ReportKeys {

inline constexpr QStringView scenario = u"scenario";
inline constexpr QStringView operations = u"operations";
inline constexpr QStringView seconds = u"seconds";
inline constexpr QStringView throughputPerSecond = u"throughput_per_s";
inline constexpr QStringView p50Ms = u"p50_ms";
inline constexpr QStringView p90Ms = u"p90_ms";
inline constexpr QStringView p99Ms = u"p99_ms";
inline constexpr QStringView maxMs = u"max_ms";
inline constexpr QStringView errors = u"errors"; // {kind: count}
inline constexpr QStringView serverCpuPercent = u"server_cpu_percent";
inline constexpr QStringView serverRssMb = u"server_rss_mb";
// Fan-out: frames that reached a member, should have, and reached a non-member.
inline constexpr QStringView delivered = u"delivered";
inline constexpr QStringView expected = u"expected";
inline constexpr QStringView misdelivered = u"misdelivered";
// A scenario that could not create its users and chats, or fill its history.
inline constexpr QStringView setupFailed = u"setup_failed";
inline constexpr QStringView prefillFailed = u"prefill_failed";
// cluster-idle: given one --url only; CPU seconds per 1,000 messages, by instance (1 = the busy
// one).
inline constexpr QStringView needsInstances = u"needs_instances";
inline constexpr QStringView cpuSecondsPer1000Messages = u"cpu_s_per_1k_messages";
// idle-connections and mixed.
inline constexpr QStringView idleSockets = u"idle_sockets";
inline constexpr QStringView open = u"open";
inline constexpr QStringView failed = u"failed";
inline constexpr QStringView serverRssBeforeMb = u"server_rss_before_mb";
inline constexpr QStringView serverRssAfterMb = u"server_rss_after_mb";
inline constexpr QStringView bytesPerConnection = u"bytes_per_connection";
// files: transfer rate, and the server's memory over the phase.
inline constexpr QStringView megabytesPerSecond = u"mb_per_s";
inline constexpr QStringView serverRssPeakMb = u"server_rss_peak_mb";
inline constexpr QStringView peakMbPerTransfer = u"peak_mb_per_transfer";

} // namespace Messenger::Bench::ReportKeys
