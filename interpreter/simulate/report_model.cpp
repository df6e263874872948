// Reading summary.json for the report with the simdjson DOM. Problems are collected by path
// (`daily[3].value`): the first one is the error, so a reader needs no checks between reads.
#include "interpreter/simulate/report_model.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cstdint>

namespace refpol::report {
namespace {

namespace dom = simdjson::dom;

// Days since 1970-01-01 of a `YYYY-MM-DD` date, or nullopt (H. Hinnant's days_from_civil).
std::optional<long> day_number(std::string_view s) {
  auto digits = [&](std::size_t from, std::size_t n, int& out) {
    auto r = std::from_chars(s.data() + from, s.data() + from + n, out);
    return r.ec == std::errc() && r.ptr == s.data() + from + n;
  };
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(0, 4, y) || !digits(5, 2, m) ||
      !digits(8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  y -= m <= 2;
  const long era = y / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

// A JSON decimal string as summary.json writes amounts and rates: `-?[0-9]+(\.[0-9]+)?`.
bool is_decimal(std::string_view s) {
  std::size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  const std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start) return false;
  if (i == s.size()) return true;
  if (s[i] != '.' || ++i == s.size()) return false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i == s.size();
}

// A value of summary.json and its path (`daily[3].value`). The first problem is kept in `error`;
// after it every read gives an empty value, so the reader runs to the end without checks.
class Node {
 public:
  Node(dom::element el, std::string path, std::string& error)
      : el_(el), path_(std::move(path)), error_(&error) {}

  Node operator[](std::string_view key) const {
    Node child(el_, path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key), *error_);
    dom::object object;
    if (!ok_) {
      child.ok_ = false;
    } else if (el_.get_object().get(object) != simdjson::SUCCESS) {
      child.ok_ = path_.empty() ? fail("the document should be a JSON object")
                                : fail("`{}` should be an object", path_);
    } else if (object.at_key(key).get(child.el_) != simdjson::SUCCESS) {
      child.ok_ = fail("missing key `{}`", child.path_);
    }
    return child;
  }
  bool null() const { return ok_ && el_.is_null(); }
  // Whether this object has `key` (for keys that docs/simulate.md and refpol disagree on).
  bool has(std::string_view key) const {
    dom::object object;
    return ok_ && el_.get_object().get(object) == simdjson::SUCCESS &&
           object.at_key(key).error() == simdjson::SUCCESS;
  }

  std::string str() const {
    std::string_view s;
    if (!ok_ || el_.get_string().get(s) != simdjson::SUCCESS) return bad("a string"), "";
    return std::string(s);
  }
  std::optional<std::string> str_or_null() const {
    return null() ? std::nullopt : std::optional<std::string>(str());
  }
  // A string or an integer, as text (a policy version).
  std::string label() const { return is_string() ? str() : integer().text; }
  bool is_string() const { return ok_ && el_.is_string(); }

  Shown integer() const {
    std::int64_t i = 0;
    std::uint64_t u = 0;
    if (ok_ && el_.get_int64().get(i) == simdjson::SUCCESS)
      return {fmt::format("{}", i), double(i), path_};
    if (ok_ && el_.get_uint64().get(u) == simdjson::SUCCESS)
      return {fmt::format("{}", u), double(u), path_};
    return bad("an integer"), Shown{"", 0, path_};
  }
  Shown decimal() const {
    Shown out{is_string() ? str() : "", 0, path_};
    if (!is_decimal(out.text)) bad("a decimal string such as \"12.50\"");
    std::from_chars(out.text.data(), out.text.data() + out.text.size(), out.value);
    return out;
  }
  Shown decimal_or_null() const { return null() ? Shown{"", 0, path_, true} : decimal(); }
  // A `YYYY-MM-DD` date; its value is the day number.
  Shown date() const {
    Shown out{is_string() ? str() : "", 0, path_};
    const std::optional<long> day = day_number(out.text);
    if (!day) bad("a date such as \"2026-12-08\"");
    out.value = double(day.value_or(0));
    return out;
  }
  Shown date_or_null() const { return null() ? Shown{"", -1, path_, true} : date(); }

  std::vector<Node> items() const {
    std::vector<Node> out;
    dom::array array;
    if (!ok_ || el_.get_array().get(array) != simdjson::SUCCESS) return bad("an array"), out;
    for (dom::element e : array)
      out.emplace_back(e, fmt::format("{}[{}]", path_, out.size()), *error_);
    return out;
  }
  std::vector<std::pair<std::string, Node>> members() const {
    std::vector<std::pair<std::string, Node>> out;
    dom::object object;
    if (!ok_ || el_.get_object().get(object) != simdjson::SUCCESS) return bad("an object"), out;
    for (dom::key_value_pair kv : object) {
      out.emplace_back(std::string(kv.key),
                       Node(kv.value, fmt::format("{}.{}", path_, kv.key), *error_));
    }
    return out;
  }

 private:
  template <typename... Args>
  bool fail(fmt::format_string<Args...> format, Args&&... args) const {
    if (error_->empty()) *error_ = fmt::format(format, std::forward<Args>(args)...);
    return false;
  }
  void bad(std::string_view what) const {
    if (ok_) fail("`{}` should be {}", path_, what);
  }

  dom::element el_;
  std::string path_;
  std::string* error_;
  bool ok_ = true;
};

// `policy` or `baseline`: id, version and hash, as one line.
std::string policy_line(const Node& n) {
  return fmt::format("{} v{} ({})", n["id"].str(), n["version"].label(), n["hash"].str());
}

void read_comparison(const Node& c, Summary& s) {
  Comparison& out = s.comparison.emplace();
  out.total_value = c["total_value"].decimal();
  out.baseline_total_value = c["baseline_total_value"].decimal();
  out.cost_delta = c["cost_delta"].decimal();
  out.gained = c["gained"].integer();
  out.lost = c["lost"].integer();
  out.changed = c["changed"].integer();
  for (const Node& r : c["by_rule"].items()) {
    out.by_rule.push_back({r["rule"].str(),
                           r["tier"].str_or_null(),
                           {},
                           r["value"].decimal_or_null(),
                           r["baseline_value"].decimal_or_null()});
  }
  for (const Node& ch : c["changes"].items()) {
    out.changes.push_back({ch["recipient"].str(), ch["role"].str(), ch["rule"].str(),
                           ch["change"].str(), ch["tier"].str_or_null(),
                           ch["value"].decimal_or_null(), ch["baseline_value"].decimal_or_null(),
                           {ch["kind"].str_or_null(), ch["amount"].str_or_null(), ch["unit"].str_or_null(),
                            ch["status"].str_or_null()},
                           {ch["baseline_kind"].str_or_null(), ch["baseline_amount"].str_or_null(),
                            ch["baseline_unit"].str_or_null(), ch["baseline_status"].str_or_null()}});
  }
}

void read_all(const Node& root, Summary& s) {
  s.policy_id = root["policy"]["id"].str();
  s.policy_version = root["policy"]["version"].label();
  s.policy_hash = root["policy"]["hash"].str();
  const Node baseline = root["baseline"];
  // docs/simulate.md does not show a baseline that is not null: a policy line, like `policy`,
  // or a plain string.
  if (!baseline.null()) s.baseline = baseline.is_string() ? baseline.str() : policy_line(baseline);
  s.currency = root["currency"].str();
  // Null when there was no event to start or end the window.
  s.from = root["window"]["from"].str_or_null();
  s.to = root["window"]["to"].str_or_null();

  const Node events = root["events"];
  s.read = events["read"].integer();
  s.applied = events["applied"].integer();
  s.skipped = events["skipped"].integer();
  s.evaluations = events["evaluations"].integer();
  if (events.has("failed_evaluations"))
    s.failed_evaluations = events["failed_evaluations"].integer();
  for (auto& [type, n] : events["by_type"].members()) s.by_type.emplace_back(type, n.integer());
  for (const Node& e : events["skipped_examples"].items()) {
    s.skipped_examples.emplace_back(e["line"].integer(), e["message"].str());
  }

  s.customers_total = root["customers"]["total"].integer();
  s.customers_new = root["customers"]["new"].integer();
  s.referred_new = root["customers"]["referred_new"].integer();
  // Rates are null when their denominator is 0.
  s.referred_share = root["customers"]["referred_share"].decimal_or_null();
  s.existing = root["referrers"]["existing_customers"].integer();
  s.participating = root["referrers"]["participating"].integer();
  s.participation_rate = root["referrers"]["participation_rate"].decimal_or_null();
  const Node referrals = root["referrals"];
  s.bound = referrals["bound"].integer();
  s.qualified = referrals["qualified"].integer();
  s.not_qualified = referrals["not_qualified"].integer();
  s.voided = referrals["void"].integer();
  s.ineligible = referrals["ineligible_referee"].integer();
  s.conversion_rate = referrals["conversion_rate"].decimal_or_null();

  const Node rewards = root["rewards"];
  s.reward_count = rewards["count"].integer();
  s.total_value = rewards["total_value"].decimal();
  for (const char* name : {"granted", "pending", "void", "expired", "withheld"}) {
    const Node st = rewards["by_status"][name];
    s.statuses.push_back({name, st["count"].integer(), st["value"].decimal()});
  }
  if (rewards.has("clawback")) {
    const Node c = rewards["clawback"];
    s.clawback.emplace(
        Status{"cancelled", c["cancelled"]["count"].integer(), c["cancelled"]["value"].decimal()},
        Status{"no_longer_given", c["no_longer_given"]["count"].integer(),
               c["no_longer_given"]["value"].decimal()});
  }
  for (const Node& k : rewards["by_kind"].items()) {
    s.by_kind.push_back({k["kind"].str(), k["unit"].str_or_null(), k["count"].integer(),
                         k["amount"].decimal_or_null(), k["value"].decimal()});
  }
  for (const Node& r : rewards["by_rule"].items()) {
    s.by_rule.push_back(
        {r["rule"].str(), r["tier"].str_or_null(), r["count"].integer(), r["value"].decimal(), {}});
  }

  s.budget_used = root["budget"]["used"].decimal();
  s.withheld_for_budget = root["budget"]["withheld_for_budget"].integer();
  s.ran_out_on = root["budget"]["ran_out_on"].date_or_null();

  for (const Node& d : root["daily"].items()) {
    s.daily.push_back({d["date"].date(), d["bound"].integer(), d["qualified"].integer(),
                       d["rewards"].integer(), d["value"].decimal(),
                       d["cumulative_value"].decimal()});
  }
  for (const Node& m : root["leaderboards"].items()) {
    Month& month = s.leaderboards.emplace_back(Month{m["month"].str(), {}});
    for (const Node& t : m["top"].items()) {
      month.top.push_back({t["rank"].integer(), t["referrer"].str(), t["qualified"].integer()});
    }
  }

  const Node share = root["design_checks"]["reward_share"];
  s.share_low = share["low"].decimal();
  s.share_high = share["high"].decimal();
  s.below = share["below"].integer();
  s.within = share["within"].integer();
  s.above = share["above"].integer();
  for (const Node& e : share["examples"].items()) {
    s.share_examples.push_back({e["referral"].str(), e["referrer"].str(),
                                e["order_amount"].decimal(), e["reward_value"].decimal(),
                                e["share"].decimal_or_null()});
  }
  // docs/simulate.md gives the rule's `line`; refpol writes `at` (file:line:column).
  for (const Node& r : root["design_checks"]["rules_with_many_conditions"].items()) {
    s.many_conditions.push_back({r["rule"].str(), r["conditions"].integer(),
                                 r.has("at") ? r["at"].str() : r["line"].integer().text});
  }

  const Node comparison = root["comparison"];
  if (!comparison.null()) read_comparison(comparison, s);
}

}  // namespace

bool read_summary(std::string_view json, Summary& out, std::string& error) {
  error.clear();
  dom::parser parser;
  dom::element root;
  if (const auto code = parser.parse(json.data(), json.size()).get(root)) {
    error = fmt::format("summary.json is not valid JSON: {}", simdjson::error_message(code));
    return false;
  }
  std::string problem;
  const Node top(root, "", problem);
  const std::string schema = top["schema"].str();
  if (problem.empty() && schema != kSummarySchema) {
    problem = fmt::format("`schema` is `{}`, expected `{}`", schema, kSummarySchema);
  }
  if (problem.empty()) read_all(top, out);
  if (problem.empty()) return true;
  error = "not a simulation summary: " + problem;
  return false;
}

}  // namespace refpol::report
