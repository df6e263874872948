// Opens report.html of the summary.json fixtures in headless Chromium and reads the DOM it dumps:
// the page's script records on <body data-rendered> each chart's drawn size and how many data
// marks have an area, and every headline number must read as in summary.json. CI installs
// Chromium (tools/install-deps.sh); without it these tests fail rather than skip.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "interpreter/simulate/report_html.hpp"
#include "tests/simulate/report_dom.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::report_fixture;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr auto kTimeout = std::chrono::seconds(90);

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/refpol-report-XXXXXX";
    if (mkdtemp(name)) path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Browser {
  bool finished = false;  // exited within the timeout
  int exit_code = -1;
  std::string dom;  // standard output: the serialized DOM
  std::string log;  // standard error
};

// Runs Chromium on `page` with a new profile in `dir`, in its own process group so that on a
// timeout it and its helper processes can be stopped together.
Browser dump_dom(const fs::path& page, const fs::path& dir) {
  const std::string out_path = (dir / "dom.html").string(),
                    err_path = (dir / "chromium.log").string();
  std::vector<std::string> args = {kChromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + (dir / "profile").string(),
                                   "--virtual-time-budget=5000",
                                   "--dump-dom",
                                   "file://" + page.string()};
  Browser b;
  const pid_t pid = fork();
  if (pid < 0) return b;
  if (pid == 0) {
    setpgid(0, 0);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(kChromium, argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so the group exists whichever side runs first
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      b.finished = true;
      b.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (done < 0 || std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(-pid, SIGKILL);  // helper processes Chromium may have left behind; none is expected
  b.dom = read_text(out_path);
  b.log = read_text(err_path);
  return b;
}

struct Drawn {
  std::string chart;
  double width = 0, height = 0;
  std::int64_t shapes = 0;
};

// The charts listed in <body data-rendered="...">.
std::vector<Drawn> drawn_charts(const std::string& dom, simdjson::dom::parser& parser) {
  const std::string marker = "data-rendered=\"";
  const std::size_t start = dom.find(marker);
  EXPECT_NE(start, std::string::npos) << "the page's script did not run: no data-rendered in\n"
                                      << dom.substr(0, 2000);
  std::vector<Drawn> out;
  if (start == std::string::npos) return out;
  const std::size_t from = start + marker.size();
  const std::string json = testing::html_unescape(dom.substr(from, dom.find('"', from) - from));
  simdjson::dom::array charts;
  EXPECT_EQ(parser.parse(json).get(charts), simdjson::SUCCESS) << json;
  for (simdjson::dom::element c : charts) {
    Drawn d;
    d.chart = std::string(c["chart"].get_string().value());
    d.width = c["width"].get_double().value();
    d.height = c["height"].get_double().value();
    d.shapes = c["shapes"].get_int64().value();
    out.push_back(d);
  }
  return out;
}

class ReportBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access(kChromium, X_OK), 0)
        << kChromium << " is missing: run tools/install-deps.sh (it installs the `chromium` "
        << "package; CI runs these tests in a browser)";
  }

  // Renders the summary `json`, opens it, and checks that exactly `charts` were drawn (with data
  // marks unless `empty`) and that every data-metric matches summary.json.
  void check(const std::string& json, const std::vector<std::string>& charts, bool empty = false) {
    std::string html, error;
    ASSERT_TRUE(render_report_html(json, html, error)) << error;
    TempDir dir;
    ASSERT_FALSE(dir.path().empty()) << "mkdtemp failed";
    const fs::path page = dir.path() / "report.html";
    testing::write_text(page, html);

    const Browser b = dump_dom(page, dir.path());
    ASSERT_TRUE(b.finished) << "chromium did not finish within " << kTimeout.count() << " s\n"
                            << b.log;
    ASSERT_EQ(b.exit_code, 0) << b.log;
    ASSERT_NE(b.dom.find("</html>"), std::string::npos) << "no DOM dumped\n" << b.log;

    simdjson::dom::parser parser;
    const std::vector<Drawn> drawn = drawn_charts(b.dom, parser);
    std::vector<std::string> names;
    for (const Drawn& d : drawn) {
      names.push_back(d.chart);
      EXPECT_GT(d.width, 0) << d.chart;
      EXPECT_GT(d.height, 0) << d.chart;
      if (!empty) {
        EXPECT_GT(d.shapes, 0) << d.chart << " was drawn without data marks";
      }
    }
    EXPECT_EQ(names, charts);
    // Nothing from the data became an element: the page's own script is the only one.
    EXPECT_EQ(b.dom.find("<script", b.dom.find("<script") + 1), std::string::npos);

    simdjson::dom::parser summary_parser;
    const simdjson::dom::element summary = summary_parser.parse(json);
    const std::vector<testing::MetricText> metrics = testing::metrics_in(b.dom);
    std::vector<std::string> paths;
    for (const testing::MetricText& m : metrics) {
      testing::expect_metric_matches(summary, m);
      paths.push_back(m.path);
    }
    std::vector<std::string> wanted = testing::kHeadlinePaths;
    if (!summary["comparison"].is_null()) {
      wanted.insert(wanted.end(), testing::kComparisonPaths.begin(),
                    testing::kComparisonPaths.end());
    }
    for (const std::string& path : wanted) {
      EXPECT_NE(std::find(paths.begin(), paths.end(), path), paths.end()) << path << " not shown";
    }
  }
};

TEST_F(ReportBrowser, ChartsRenderWithoutBaseline) {
  check(report_fixture("report_summary.json"), {"cost", "tiers", "funnel", "status"});
}

TEST_F(ReportBrowser, ChartsRenderWithBaselineAndHostileStrings) {
  check(report_fixture("report_summary_baseline.json"),
        {"cost", "tiers", "funnel", "status", "comparison"});
}

TEST_F(ReportBrowser, EmptySummaryDrawsOnlyTheCountCharts) {
  check(report_fixture("report_summary_empty.json"), {"funnel", "status"}, /*empty=*/true);
}

TEST_F(ReportBrowser, ChartsRenderForARealSimulation) {
  const std::string json = testing::simulated_summary();
  ASSERT_NE(json, "");
  check(json, {"cost", "tiers", "funnel", "status", "comparison"});
}

}  // namespace
}  // namespace refpol
