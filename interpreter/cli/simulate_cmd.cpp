// `refpol simulate`: replays an event log through a policy (and a baseline) and writes the
// campaign's numbers (docs/simulate.md).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

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

std::shared_ptr<const Program> compile_or_report(const std::string& path) {
  CompileResult c = compile_file(path);
  if (!c.program) std::fputs(render_text(c.diagnostics).c_str(), stderr);
  return c.program;
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
  out = t;
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
  Progress() : on_(isatty(2) != 0), start_(std::chrono::steady_clock::now()) {}
  void update(std::uint64_t events) {
    if (!on_ || (events & 0x3FFF) != 0) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r  %llu events  %.0f events/s   ", static_cast<unsigned long long>(events),
                 s > 0 ? static_cast<double>(events) / s : 0.0);
  }
  void done() {
    if (on_) std::fputs("\r\033[K", stderr);
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point start_;
};

// Where a replay is, for the message when memory runs out.
struct Stage {
  const char* doing = "compiling the policy";
  std::size_t line = 0;
};

int replay(const SimulateCmdOptions& o, Stage& stage) {
  auto policy = compile_or_report(o.policy);
  if (!policy) return kExitFindings;
  std::shared_ptr<const Program> baseline;
  if (!o.baseline.empty() && !(baseline = compile_or_report(o.baseline))) return kExitFindings;
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
  Progress progress;
  std::size_t& number = stage.line;
  std::size_t reported = 0;
  stage.doing = "replaying";
  while (simulation.wants_more() && reader.next(line)) {
    ++number;
    const std::size_t before = simulation.problems().size();
    bool go_on = line.too_long ? simulation.feed("{too long}", number) : simulation.feed(line.text, number);
    if (simulation.problems().size() > before) {
      const sim::Problem& p = simulation.problems().back();
      if (!go_on) {
        progress.done();
        std::fputs(fmt::format("{}:{}: error: {}\n", o.events, p.line, p.message).c_str(), stderr);
        return kExitFindings;
      }
      if (reported++ < 100) std::fputs(fmt::format("{}:{}: warning: skipped: {}\n", o.events, p.line, p.message).c_str(), stderr);
    }
    progress.update(number);
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
  progress.done();
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
  if (reported > 100) std::fputs(fmt::format("refpol: {} bad events skipped in all\n", reported).c_str(), stderr);
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
