// refpol-gen-history: the same seed gives the same bytes, --events gives that many lines, and
// every line is an event of docs/simulate.md that a replay would accept (or exactly the bad ones).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace refpol {
namespace {

struct Output {
  int exit_code = -1;
  std::string out;
};

// Runs the generator with `args` (plain flags, nothing to quote), standard error discarded.
Output generate(const std::string& args) {
  std::string command = std::string(REFPOL_GEN_HISTORY) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  Output run;
  if (!pipe) return run;
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

const char* kSmall = "--customers 2000 --events 20000";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return lines;
}

// `text` has the shape of `form`, where `d` stands for a digit.
bool matches(std::string_view text, std::string_view form) {
  if (text.size() != form.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (form[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != form[i]) return false;
  return true;
}

enum class Kind { string, boolean, object, money };

// The keys of each event type (docs/simulate.md, "The event log").
const std::map<std::string, std::vector<std::pair<std::string, Kind>>>& event_keys() {
  static const std::map<std::string, std::vector<std::pair<std::string, Kind>>> keys = {
      {"customer", {{"customer", Kind::object}, {"new", Kind::boolean}}},
      {"referral_bound",
       {{"referral", Kind::string},
        {"referrer", Kind::string},
        {"referee", Kind::string},
        {"channel", Kind::string}}},
      {"order_placed",
       {{"order", Kind::string}, {"customer", Kind::string}, {"amount", Kind::money}}},
      {"order_completed", {{"order", Kind::string}}},
      {"order_refunded", {{"order", Kind::string}}},
      {"order_returned", {{"order", Kind::string}}},
      {"order_exchanged", {{"order", Kind::string}}},
      {"review_flagged", {{"order", Kind::string}, {"flag", Kind::string}}},
      {"community_created", {{"community", Kind::string}, {"owner", Kind::string}}},
      {"community_joined",
       {{"community", Kind::string}, {"customer", Kind::string}, {"is_new", Kind::boolean}}},
      {"organisation_created",
       {{"organisation", Kind::string}, {"name", Kind::string}, {"organiser", Kind::string}}},
      {"organisation_joined", {{"organisation", Kind::string}, {"customer", Kind::string}}},
      {"share", {{"customer", Kind::string}, {"share", Kind::string}, {"platform", Kind::string}}},
  };
  return keys;
}

// What a replay would make of a history, with `--bad-events skip`: the bad lines (1-based line
// and why), and for the good ones what the tests below look at.
class Replay {
 public:
  explicit Replay(const std::string& text) {
    for (const std::string& line : split_lines(text)) {
      ++lines;
      std::string why = apply(line);
      if (!why.empty()) bad.push_back(std::to_string(lines) + ": " + why);
    }
  }

  size_t lines = 0;
  std::vector<std::string> bad;
  std::map<std::string, size_t> by_type;
  std::map<std::string, size_t> bound_by_referrer, community_size, platforms;
  std::set<std::string> existing;  // customers with new: false
  size_t bound_in_warmup = 0, bound_in_active = 0, bound_in_review = 0;

 private:
  std::string apply(const std::string& line) {
    simdjson::dom::object event;
    if (parser_.parse(line).get(event)) return "not a JSON object";
    std::string_view id, ts, type;
    if (event["id"].get(id) || event["ts"].get(ts) || event["type"].get(type))
      return "no string id, ts or type";
    auto keys = event_keys().find(std::string(type));
    if (keys == event_keys().end()) return "unknown type";
    if (!matches(ts, "dddd-dd-ddTdd:dd:dd+08:00")) return "ts not in the expected form";
    if (std::string(ts) < last_ts_) return "ts earlier than the event before";
    if (ids_.count(std::string(id))) return "repeated id";
    std::map<std::string, std::string> values;
    for (const auto& [key, kind] : keys->second) {
      std::string why = check_key(event, key, kind, values[key]);
      if (!why.empty()) return why;
    }
    std::string why = check_references(std::string(type), values);
    if (!why.empty()) return why;
    last_ts_ = std::string(ts);
    ids_.insert(std::string(id));
    ++by_type[std::string(type)];
    record(std::string(type), ts, values);
    return "";
  }

  std::string check_key(simdjson::dom::object event, const std::string& key, Kind kind,
                        std::string& value) {
    simdjson::dom::element v;
    if (event[key].get(v)) return "missing `" + key + "`";
    std::string_view s;
    bool b;
    switch (kind) {
      case Kind::string:
        if (v.get(s)) return "`" + key + "` is not a string";
        value = std::string(s);
        return "";
      case Kind::money:
        if (v.get(s) || s.size() < 4 || !matches(s, std::string(s.size() - 3, 'd') + ".dd"))
          return "`" + key + "` is not money with two decimals";
        value = std::string(s);
        return "";
      case Kind::boolean:
        if (v.get(b)) return "`" + key + "` is not a bool";
        value = b ? "true" : "false";
        return "";
      case Kind::object:
        return check_customer(v, value);
    }
    return "";
  }

  // A Customer of stdlib/standard.refpol: its required fields, with their JSON types.
  std::string check_customer(simdjson::dom::element v, std::string& id) {
    simdjson::dom::object c;
    std::string_view s;
    int64_t n;
    bool b;
    if (v.get(c)) return "`customer` is not an object";
    for (const char* key : {"id", "kind", "segment", "registered_at", "total_spend"})
      if (c[key].get(s)) return std::string("customer `") + key + "` is not a string";
    for (const char* key : {"order_count", "previous_campaigns", "shares"})
      if (c[key].get(n)) return std::string("customer `") + key + "` is not an integer";
    if (c["service_completed"].get(b)) return "customer `service_completed` is not a bool";
    id = std::string(c["id"].get_string().value_unsafe());
    return "";
  }

  // Every id an event names was made by an earlier event; an event that makes one makes it once.
  std::string check_references(const std::string& type, std::map<std::string, std::string>& v) {
    if (type == "customer") return customers_.insert(v["customer"]), "";
    if (type == "order_placed") {
      if (!customers_.count(v["customer"])) return "unknown customer";
      return orders_.insert(v["order"]).second ? "" : "order placed twice";
    }
    if (type == "community_created" || type == "organisation_created") {
      std::string group = type == "community_created" ? v["community"] : v["organisation"];
      if (!customers_.count(v[type == "community_created" ? "owner" : "organiser"]))
        return "unknown owner";
      return groups_.insert(group).second ? "" : "group created twice";
    }
    if (type == "referral_bound" && !referrals_.insert(v["referral"]).second)
      return "referral bound twice";
    // A customer is referred once (docs/simulate.md); the replay rejects a second binding.
    if (type == "referral_bound" && customers_.count(v["referee"]) && !referees_.insert(v["referee"]).second)
      return "referee bound twice";
    for (const char* key : {"referrer", "referee", "customer", "owner", "organiser"})
      if (v.count(key) && !customers_.count(v[key])) return std::string("unknown ") + key;
    if (v.count("order") && !orders_.count(v["order"])) return "unknown order";
    for (const char* key : {"community", "organisation"})
      if (v.count(key) && !groups_.count(v[key])) return std::string("unknown ") + key;
    return "";
  }

  void record(const std::string& type, std::string_view ts, std::map<std::string, std::string>& v) {
    if (type == "customer" && v["new"] == "false") existing.insert(v["customer"]);
    if (type == "referral_bound") {
      ++bound_by_referrer[v["referrer"]];
      std::string date(ts.substr(0, 10));
      ++(date < "2026-12-08"   ? bound_in_warmup
         : date > "2027-01-06" ? bound_in_review
                               : bound_in_active);
    }
    if (type == "community_joined") ++community_size[v["community"]];
    if (type == "share") ++platforms[v["platform"]];
  }

  simdjson::dom::parser parser_;
  std::string last_ts_;
  std::set<std::string> ids_, customers_, orders_, groups_, referrals_, referees_;
};

TEST(GenHistory, TheSeedDecidesTheBytes) {
  std::string args = std::string(kSmall) + " --seed ";
  Output a = generate(args + "7"), b = generate(args + "7"), c = generate(args + "8");
  ASSERT_EQ(a.exit_code, 0);
  ASSERT_FALSE(a.out.empty());
  EXPECT_TRUE(a.out == b.out) << "two runs with seed 7 differ";
  EXPECT_FALSE(a.out == c.out) << "seeds 7 and 8 give the same history";
}

TEST(GenHistory, EveryLineIsAnEventAReplayAccepts) {
  Output run = generate(kSmall);
  ASSERT_EQ(run.exit_code, 0);
  Replay replay(run.out);
  EXPECT_EQ(replay.lines, 20000u);
  EXPECT_TRUE(replay.bad.empty()) << replay.bad.size() << " bad lines, first: " << replay.bad[0];
  for (const auto& [type, keys] : event_keys())
    EXPECT_GT(replay.by_type[type], 0u) << "no `" << type << "` event";
}

// Few referrers, many of whose referrals are of themselves: each refers themself once at most,
// as a customer is referred once.
TEST(GenHistory, ACustomerIsBoundOnceEvenWhenSelfReferralsAreCommon) {
  Output run = generate("--customers 300 --events 20000 --referrer-share 0.05 --self-referral-rate 0.5");
  ASSERT_EQ(run.exit_code, 0);
  Replay replay(run.out);
  EXPECT_EQ(replay.lines, 20000u);
  EXPECT_TRUE(replay.bad.empty()) << replay.bad.size() << " bad lines, first: " << replay.bad[0];
}

TEST(GenHistory, EventsFlagGivesExactlyThatManyLines) {
  for (int n : {0, 1999, 2001, 31234}) {
    Output run = generate("--customers 2000 --events " + std::to_string(n));
    ASSERT_EQ(run.exit_code, 0) << n;
    Replay replay(run.out);
    EXPECT_EQ(replay.lines, static_cast<size_t>(n));
    EXPECT_TRUE(replay.bad.empty()) << n << ": " << replay.bad[0];
  }
}

TEST(GenHistory, BadLinesAreExactlyTheOnesAskedFor) {
  Output run = generate(std::string(kSmall) + " --bad-lines 3");
  ASSERT_EQ(run.exit_code, 0);
  Replay replay(run.out);
  EXPECT_EQ(replay.lines, 20000u);
  ASSERT_EQ(replay.bad.size(), 3u);
  std::string all = replay.bad[0] + "\n" + replay.bad[1] + "\n" + replay.bad[2];
  EXPECT_NE(all.find("not a JSON object"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown order"), std::string::npos) << all;
  EXPECT_NE(all.find("ts earlier than the event before"), std::string::npos) << all;
}

// The default mix is shaped like the old-friends campaign (policies/old-friends/policy.refpol).
TEST(GenHistory, LooksLikeTheOldFriendsCampaign) {
  Output run = generate(std::string(kSmall) + " --communities 30");
  ASSERT_EQ(run.exit_code, 0);
  Replay replay(run.out);
  ASSERT_TRUE(replay.bad.empty()) << replay.bad[0];
  EXPECT_EQ(replay.existing.size(), 2000u);
  EXPECT_GT(replay.bound_in_warmup, 0u);
  EXPECT_GT(replay.bound_in_review, 0u);
  EXPECT_GT(replay.bound_in_active, 5 * (replay.bound_in_warmup + replay.bound_in_review));
  // --referrer-share 0.3: about 600 of the 2000 refer; the top fifth of them make most referrals.
  std::vector<size_t> counts;
  size_t total = 0;
  for (const auto& [referrer, n] : replay.bound_by_referrer) counts.push_back(n), total += n;
  std::sort(counts.rbegin(), counts.rend());
  EXPECT_GE(counts.size(), 550u);
  EXPECT_LE(counts.size(), 700u);
  size_t top = 0;
  for (size_t i = 0; i < counts.size() / 5; ++i) top += counts[i];
  EXPECT_GT(top * 10, total * 6) << top << " of " << total;
  size_t reaching_50 = 0;
  for (const auto& [community, members] : replay.community_size) reaching_50 += members >= 50;
  EXPECT_GT(reaching_50, 0u);
  EXPECT_EQ(replay.platforms.size(), 3u);
}

TEST(GenHistory, HelpListsEveryFlagAndBadFlagsAreUsageErrors) {
  Output help = generate("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag :
       {"--customers", "--events", "--seed", "--start", "--end", "--referrer-share", "--pareto",
        "--refund-rate", "--return-rate", "--exchange-rate", "--review-flag-rate",
        "--self-referral-rate", "--duplicate-identity-rate", "--communities", "--organisations",
        "--share-rate", "--bad-lines"})
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  EXPECT_EQ(generate("--no-such-flag").exit_code, 2);
  EXPECT_EQ(generate("--refund-rate 1.5").exit_code, 2);
  EXPECT_EQ(generate("--start 2027-01-02 --end 2027-01-01").exit_code, 2);
  EXPECT_EQ(generate("--events").exit_code, 2);
}

}  // namespace
}  // namespace refpol
