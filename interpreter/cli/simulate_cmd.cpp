// `refpol simulate`: replays an event log through a policy (and a baseline) and writes the
// campaign's numbers (docs/simulate.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>

#include "interpreter/cli/commands.hpp"
#include "interpreter/cli/line_reader.hpp"
#include "interpreter/simulate/huge_pages.hpp"
#include "interpreter/simulate/report_html.hpp"
#include "interpreter/simulate/simulator.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::cli {
namespace {

// Null after reporting why, with the exit code: 2 for a file that cannot be read, 1 for a policy
// with errors (as `refpol check`).
std::shared_ptr<const Program> compile_or_report(const std::string& path, int& exit_code) {
  CompileResult c = compile_file(path);
  if (c.program) return c.program;
  std::fputs(render_text(c.diagnostics).c_str(), stderr);
  exit_code = c.diagnostics.file_unreadable() ? kExitUsage : kExitFindings;
  return nullptr;
}

// `--from`/`--to`: a date (the whole day in the policy's zone) or a date-time.
bool window_bound(const std::string& text, const TimeZone& zone, bool end, std::optional<DateTime>& out) {
  if (text.empty()) return true;
  Date d;
  if (parse_date(text, d)) {
    out = end ? end_of_day(d, zone) : start_of_day(d, zone);
    return true;
  }
  DateTime t;
  std::string problem;
  if (!parse_datetime(text, zone, t, problem)) {
    std::fputs(fmt::format("refpol: error: --{} `{}`: {}\n", end ? "to" : "from", text, problem).c_str(), stderr);
    return false;
  }
  out = DateTime{t.utc_seconds, zone.offset_at(t.utc_seconds)};  // shown in the policy's zone, as dates are
  return true;
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::fputs(fmt::format("refpol: error: cannot write `{}`\n", path.string()).c_str(), stderr);
  return static_cast<bool>(out);
}

// `\r  1,234,567 events  512,000 events/s` on a terminal, a few times a second.
class Progress {
 public:
  // `total_bytes`: the size of the events file, 0 when unknown (standard input, a pipe).
  explicit Progress(std::uint64_t total_bytes)
      : on_(isatty(2) != 0), total_(total_bytes), start_(std::chrono::steady_clock::now()) {}
  // After `events` lines, `bytes` of the input.
  void update(std::uint64_t events, std::uint64_t bytes) {
    if (!on_ || (events & 0x3FFF) != 0) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = s > 0 ? static_cast<double>(events) / s : 0.0;
    if (total_ == 0) {
      std::fprintf(stderr, "\r  %llu events  %.0f events/s   ", static_cast<unsigned long long>(events), rate);
      return;
    }
    const std::uint64_t percent = std::min<std::uint64_t>(100, bytes * 100 / total_);
    char bar[kWidth + 1];
    const std::size_t filled = static_cast<std::size_t>(percent) * kWidth / 100;
    for (std::size_t i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r  [%s] %3llu%%  %llu events  %.0f events/s   ", bar, static_cast<unsigned long long>(percent),
                 static_cast<unsigned long long>(events), rate);
  }
  // Erases the bar (before a message, or at the end).
  void clear() {
    if (on_) std::fputs("\r\033[K", stderr);
  }

 private:
  static constexpr std::size_t kWidth = 30;
  bool on_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point start_;
};

// Where a replay is, for the message when memory runs out.
struct Stage {
  const char* doing = "compiling the policy";
  std::size_t line = 0;
};

int replay(const SimulateCmdOptions& o, Stage& stage) {
  int failed = kExitFindings;
  auto policy = compile_or_report(o.policy, failed);
  if (!policy) return failed;
  std::shared_ptr<const Program> baseline;
  if (!o.baseline.empty() && !(baseline = compile_or_report(o.baseline, failed))) return failed;
  if (!policy->policy.schema.root().find("referrals") || !policy->policy.schema.root().find("referrer")) {
    std::fputs(fmt::format("refpol: error: `{}` does not read `referrer` and `referrals`: simulate replays policies "
                           "on the standard facts schema (import \"standard\")\n",
                           o.policy)
                   .c_str(),
               stderr);
    return kExitUsage;
  }
  sim::SimulationOptions options;
  options.skip_bad_events = o.bad_events == "skip";
  if (!window_bound(o.from, policy->zone, false, options.from) || !window_bound(o.to, policy->zone, true, options.to)) {
    return kExitUsage;
  }
  int fd = 0;
  if (o.events != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(o.events, ec) || (fd = ::open(o.events.c_str(), O_RDONLY | O_CLOEXEC)) < 0) {
      std::fputs(fmt::format("refpol: error: `{}` cannot be read (does it exist?)\n", o.events).c_str(), stderr);
      return kExitUsage;
    }
  }
  sim::HugePageHeap huge_pages;  // a replay's memory in 2 MB pages (huge_pages.hpp)
  sim::Simulation simulation(policy, baseline, options);
  LineReader reader(fd, kMaxFactsBytes, nullptr);
  LineReader::Line line;
  struct stat st{};
  Progress progress(fd != 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0);
  std::uint64_t bytes = 0;
  std::size_t& number = stage.line;
  stage.doing = "replaying";
  while (simulation.wants_more() && reader.next(line)) {
    ++number;
    bytes += line.length + 1;
    std::string_view text = line.text;
    // A byte-order mark some editors put at the start of a UTF-8 file is not part of the event.
    if (number == 1 && text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    const std::uint64_t before = simulation.skipped();
    const bool go_on =
        line.too_long ? simulation.reject(number, fmt::format("the line is {} bytes long; the limit is {} (16 MiB)",
                                                              line.length, kMaxFactsBytes))
                      : simulation.feed(text, number);
    if (simulation.skipped() > before) {
      // Every bad event, not only the first 100 summary.json keeps.
      const sim::Problem& p = simulation.last_problem();
      progress.clear();
      if (!go_on) {
        std::fputs(fmt::format("{}:{}: error: {}\n", o.events, p.line, p.message).c_str(), stderr);
        return kExitFindings;
      }
      std::fputs(fmt::format("{}:{}: warning: skipped: {}\n", o.events, p.line, p.message).c_str(), stderr);
    }
    progress.update(number, bytes);
    huge_pages.poll();
  }
  if (fd != 0) ::close(fd);
  if (reader.error() != 0) {
    std::fputs(fmt::format("refpol: error: reading `{}` failed: {}\n", o.events, std::strerror(reader.error())).c_str(),
               stderr);
    return kExitUsage;
  }
  stage.doing = "evaluating every referrer at the end";
  simulation.finish([&huge_pages] { huge_pages.poll(); });
  stage.doing = "writing the results";
  progress.clear();
  if (simulation.skipped() > 0) {
    std::fputs(fmt::format("refpol: {} bad event{} skipped (`events.skipped` in summary.json)\n", simulation.skipped(),
                           simulation.skipped() == 1 ? "" : "s")
                   .c_str(),
               stderr);
  }
  const std::string summary = simulation.summary_json();
  if (o.out.empty()) {
    std::fwrite(summary.data(), 1, summary.size(), stdout);
    return kExitOk;
  }
  std::filesystem::path dir(o.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string html, problem;
  if (!render_report_html(summary, html, problem)) {
    std::fputs(fmt::format("refpol: error: the report could not be made: {}\n", problem).c_str(), stderr);
    return kExitUsage;
  }
  bool ok = write_file(dir / "summary.json", summary) && write_file(dir / "rewards.csv", simulation.rewards_csv()) &&
            write_file(dir / "referrers.csv", simulation.referrers_csv()) &&
            write_file(dir / "leaderboard.csv", simulation.leaderboard_csv()) &&
            write_file(dir / "daily.csv", simulation.daily_csv()) && write_file(dir / "report.html", html);
  return ok ? kExitOk : kExitUsage;
}

}  // namespace

int run_simulate(const SimulateCmdOptions& o) {
  Stage stage;
  try {
    return replay(o, stage);
  } catch (const std::bad_alloc&) {
    // The replay's memory is freed by now (its objects are gone); the message allocates nothing.
    if (stage.line > 0) {
      std::fprintf(stderr, "refpol: error: out of memory while %s, at line %zu of `%s`: ", stage.doing, stage.line,
                   o.events.c_str());
    } else {
      std::fprintf(stderr, "refpol: error: out of memory while %s: ", stage.doing);
    }
    std::fputs("the replay keeps every customer, referral and order of the history in memory, about 1 KB per "
               "event; give it more memory, or replay less of the history with --to\n",
               stderr);
    return kExitUsage;
  }
}

}  // namespace refpol::cli
