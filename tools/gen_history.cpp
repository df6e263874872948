// refpol-gen-history: writes a seeded, reproducible synthetic event history as JSON lines, in the
// format `refpol simulate` reads (docs/simulate.md, "The event log"), shaped like old-friends.
//
//   refpol-gen-history [flags] > history.jsonl       (--flag VALUE or --flag=VALUE)
//
//   --customers N               existing customers, written first, at --start (default 100000)
//   --events N                  lines written, exactly (default 1000000)
//   --seed N                    the seed; the same flags and seed give the same bytes (default 1)
//   --start, --end DATETIME     the window (default 2026-12-01T00:00:00+08:00 ..
//                               2027-01-11T23:59:59+08:00); a bare date is the start of that day
//                               for --start and its last second for --end
//   --referrer-share P          share of existing customers who refer at all (default 0.3)
//   --pareto, --no-pareto       the top 20 % of referrers make about 80 % of referrals (default on)
//   --refund-rate P             orders refunded, 30 % of them before completion (default 0.05)
//   --return-rate P             completed orders returned within 7 days (default 0.03)
//   --exchange-rate P           completed orders exchanged within 7 days (default 0.01)
//   --review-flag-rate P        new customers' first orders flagged by review, 3 in 4 within the
//                               12-hour window (default 0.01; 20 times that for fraud patterns)
//   --self-referral-rate P      referrals whose referee is the referrer (default 0.002)
//   --duplicate-identity-rate P referees sharing the referrer's phone, device, payment or address
//                               (default 0.005)
//   --communities N             communities, with owners and members, 15 % reaching 50 members
//                               (default customers / 500)
//   --organisations N           organisations with an organiser and members (default customers /
//                               2000)
//   --share-rate P              share of existing customers who share content (default 0.2)
//   --bad-lines N               malformed events at seeded lines, for testing --bad-events: in
//                               turn bad JSON, an unknown order, an out-of-order ts (default 0)
//
// Why it is built this way:
// - The same flags must give the same bytes on any machine, so randomness is our own xoshiro256**
//   (no <random> distributions, which differ between standard libraries) and all arithmetic is on
//   integers: money in cents, rates in parts per million, no floating point anywhere.
// - Events must come out in time order in bounded memory. Activity starts as "roots" (a referral,
//   an order, a share, ...) arriving in time order; each root schedules its whole future (first
//   order, completion, refund, review flag, repeat order) into a priority queue, which is drained
//   up to the next root's time. The queue holds only the next few days of events.
// - The history should fill the window with exactly --events lines. Before each root, the lines
//   still free (neither written nor queued) divided by the recent average cascade size give the
//   roots still wanted, spread over the window's remaining weighted time (the phases of the
//   campaign, its ramp, weekends and the hour of day weigh activity). Events after --end are
//   dropped; if the window runs out of activity first, roots go on after --end.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <unordered_set>
#include <vector>

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;
using u32 = std::uint32_t;
using u8 = std::uint8_t;

constexpr i64 kMinute = 60, kHour = 3600, kDay = 86400;
constexpr i64 kOffset = 8 * kHour;  // +08:00: the campaign's zone, Asia/Shanghai
constexpr u32 kMillion = 1000000;
constexpr u64 kAuto = ~u64{0};

[[noreturn]] void fail(const std::string& message) {
  fmt::print(stderr, "refpol-gen-history: error: {}\n", message);
  std::exit(2);
}

// ---- Randomness: splitmix64 for hashing and seeding, xoshiro256** for streams.

u64 splitmix(u64& s) {
  u64 z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

u64 mix(u64 a, u64 b, u64 c) {
  u64 s = a * 0x9E3779B97F4A7C15ULL ^ b;
  s = splitmix(s) ^ c;
  return splitmix(s);
}

class Rng {
 public:
  explicit Rng(u64 seed) {
    for (u64& w : s_) w = splitmix(seed);
  }
  u64 next() {
    u64 r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0], s_[3] ^= s_[1], s_[1] ^= s_[2], s_[0] ^= s_[3], s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }
  // Uniform in [0, n) by multiply-shift: exact integer arithmetic, the same everywhere.
  u64 below(u64 n) { return static_cast<u64>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  i64 range(i64 lo, i64 hi) { return lo + static_cast<i64>(below(static_cast<u64>(hi - lo + 1))); }
  bool chance(u32 ppm) { return below(kMillion) < ppm; }
  // In [0, n), skewed towards 0 (the product of two uniforms): a few take most.
  u64 skewed(u64 n) { return below(n) * below(n) / n; }

 private:
  static u64 rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }
  u64 s_[4];
};

// ---- Time: seconds since 1970 (UTC), written at +08:00.

constexpr i64 days_from_civil(i64 y, i64 m, i64 d) {
  y -= m <= 2;
  i64 era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
  i64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

void civil_from_days(i64 z, int& y, int& m, int& d) {
  z += 719468;
  i64 era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
  i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

i64 floor_div(i64 a, i64 b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

std::string format_ts(i64 t) {
  i64 local = t + kOffset, day = floor_div(local, kDay), s = local - day * kDay;
  int y, m, d;
  civil_from_days(day, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00", y, m, d, s / kHour,
                     s / kMinute % 60, s % 60);
}

// `text` starts with the shape of `form`, where `d` stands for a digit.
bool shaped(std::string_view text, std::string_view form) {
  if (text.size() < form.size()) return false;
  for (size_t i = 0; i < form.size(); ++i)
    if (form[i] == 'd' ? text[i] < '0' || text[i] > '9' : text[i] != form[i]) return false;
  return true;
}

i64 digits(std::string_view v, size_t at, size_t n) {
  i64 x = 0;
  for (size_t i = at; i < at + n; ++i) x = x * 10 + (v[i] - '0');
  return x;
}

// YYYY-MM-DD[THH:MM[:SS][Z|+HH:MM|-HH:MM]]; without an offset, +08:00. A bare date is the start
// of that day, or with `end_of_day` its last second.
bool parse_ts(std::string_view v, bool end_of_day, i64& out) {
  if (!shaped(v, "dddd-dd-dd")) return false;
  i64 month = digits(v, 5, 2), day = digits(v, 8, 2), clock = 0, offset = kOffset;
  size_t at = 10;
  if (shaped(v.substr(at), "Tdd:dd")) {
    if (digits(v, 11, 2) > 23 || digits(v, 14, 2) > 59) return false;
    clock = digits(v, 11, 2) * kHour + digits(v, 14, 2) * kMinute, at = 16;
    if (shaped(v.substr(at), ":dd") && digits(v, 17, 2) <= 59) clock += digits(v, 17, 2), at = 19;
    if (v.substr(at) == "Z") offset = 0, at += 1;
    if (shaped(v.substr(at), "+dd:dd") || shaped(v.substr(at), "-dd:dd")) {
      offset =
          (v[at] == '-' ? -1 : 1) * (digits(v, at + 1, 2) * kHour + digits(v, at + 4, 2) * kMinute);
      at += 6;
    }
  } else if (end_of_day) {
    clock = kDay - 1;
  }
  if (at != v.size() || month < 1 || month > 12 || day < 1 || day > 31) return false;
  out = days_from_civil(digits(v, 0, 4), month, day) * kDay + clock - offset;
  return true;
}

// ---- Flags.

struct Options {
  u64 customers = 100000, events = 1000000, seed = 1, communities = kAuto, organisations = kAuto;
  u64 bad_lines = 0;
  i64 start = days_from_civil(2026, 12, 1) * kDay - kOffset;    // 2026-12-01T00:00:00+08:00
  i64 end = days_from_civil(2027, 1, 12) * kDay - kOffset - 1;  // 2027-01-11T23:59:59+08:00
  u32 referrer_share = 300000, refund = 50000, ret = 30000, exchange = 10000, review_flag = 10000;
  u32 self_referral = 2000, duplicate_identity = 5000, share_rate = 200000;
  bool pareto = true, help = false;
};

// A count (u64), a share in parts per million (u32), a time (i64) or an on/off switch (bool).
struct Flag {
  std::string_view name, arg, help;
  std::variant<u64*, u32*, i64*, bool*> target;
  bool switch_to = true;
};

std::vector<Flag> flag_table(Options& o) {
  return {
      {"customers", "N", "existing customers, written first", &o.customers},
      {"events", "N", "lines written, exactly", &o.events},
      {"seed", "N", "the same flags and seed give the same bytes", &o.seed},
      {"start", "DATETIME", "first moment of the window", &o.start},
      {"end", "DATETIME", "last moment of the window", &o.end},
      {"referrer-share", "P", "existing customers who refer at all", &o.referrer_share},
      {"pareto", "", "the top 20% of referrers make ~80% of referrals", &o.pareto},
      {"no-pareto", "", "referrals spread evenly over the referrers", &o.pareto, false},
      {"refund-rate", "P", "orders refunded (30% of them before completion)", &o.refund},
      {"return-rate", "P", "completed orders returned", &o.ret},
      {"exchange-rate", "P", "completed orders exchanged", &o.exchange},
      {"review-flag-rate", "P", "new customers' first orders flagged (x20: fraud)", &o.review_flag},
      {"self-referral-rate", "P", "referrals of the referrer themself", &o.self_referral},
      {"duplicate-identity-rate", "P", "referees with the referrer's phone/device/payment/address",
       &o.duplicate_identity},
      {"communities", "N", "communities, 15% reaching 50 members", &o.communities},
      {"organisations", "N", "organisations with an organiser and members", &o.organisations},
      {"share-rate", "P", "existing customers who share content", &o.share_rate},
      {"bad-lines", "N", "malformed events at seeded lines, for tests", &o.bad_lines},
      {"help", "", "print this and exit", &o.help},
  };
}

bool parse_value(std::string_view v, const Flag&, u64* out) {
  if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != v.npos) return false;
  *out = std::stoull(std::string(v));
  return true;
}

// A decimal from 0 to 1 with at most six places, as parts per million.
bool parse_value(std::string_view v, const Flag&, u32* out) {
  std::string_view frac = v.size() > 2 ? v.substr(2) : "";
  bool digits_only = frac.find_first_not_of("0123456789") == frac.npos;
  if (!(v == "0" || v == "1" || (shaped(v, "d.d") && v[0] <= '1' && v.size() <= 8 && digits_only)))
    return false;
  *out =
      (v[0] == '1' ? kMillion : 0) + static_cast<u32>(digits(std::string(frac) + "000000", 0, 6));
  return *out <= kMillion;
}

bool parse_value(std::string_view v, const Flag& f, i64* out) {
  return parse_ts(v, f.name == "end", *out);
}

bool parse_value(std::string_view, const Flag&, bool*) { return false; }

std::string show(u64* v) { return *v == kAuto ? "auto" : std::to_string(*v); }
std::string show(i64* v) { return format_ts(*v); }
std::string show(bool* v) { return *v ? "on" : "off"; }
std::string show(u32* v) {
  std::string frac = fmt::format("{:06}", *v % kMillion);
  frac.erase(frac.find_last_not_of('0') + 1);
  return fmt::format("{}{}{}", *v / kMillion, frac.empty() ? "" : ".", frac);
}

void print_help(Options o) {  // the defaults
  fmt::print(
      "refpol-gen-history: a seeded synthetic event history for `refpol simulate`, as JSON\n"
      "lines on standard output (docs/simulate.md). --flag VALUE or --flag=VALUE; P is a\n"
      "share from 0 to 1.\n\n");
  for (const Flag& f : flag_table(o)) {
    std::string def = std::visit([](auto* p) { return show(p); }, f.target);
    if (std::holds_alternative<bool*>(f.target))
      def = f.name == "help" ? "" : (*std::get<bool*>(f.target) == f.switch_to ? "on" : "off");
    fmt::print("  {:<28} {}{}\n", fmt::format("--{} {}", f.name, f.arg), f.help,
               def.empty() ? "" : " (default " + def + ")");
  }
  fmt::print(
      "\nauto: communities = customers / 500, organisations = customers / 2000. A bare date\n"
      "is the start of that day for --start, its last second for --end. Times are written\n"
      "at +08:00. A refund or return that would fall after --end is not written, so the\n"
      "rates measured on a history run a little low (about 4 % refunded for 0.05 on the\n"
      "defaults); --share-rate picks who may share, and each share one of them, the active\n"
      "ones more often, so somewhat fewer share at least once.\n");
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::vector<Flag> table = flag_table(o);
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i], value;
    if (a.substr(0, 2) != "--") fail(fmt::format("unexpected argument `{}` (see --help)", a));
    size_t eq = a.find('=');
    if (eq != a.npos) value = a.substr(eq + 1), a = a.substr(0, eq);
    auto f = std::find_if(table.begin(), table.end(),
                          [&](const Flag& x) { return a.substr(2) == x.name; });
    if (f == table.end()) fail(fmt::format("unknown flag `{}` (see --help)", a));
    if (auto* on = std::get_if<bool*>(&f->target)) {
      if (eq != a.npos) fail(fmt::format("`{}` takes no value", a));
      **on = f->switch_to;
      continue;
    }
    if (eq == a.npos) {
      if (i + 1 >= argc) fail(fmt::format("`{}` needs a value", a));
      value = argv[++i];
    }
    if (!std::visit([&](auto* p) { return parse_value(value, *f, p); }, f->target))
      fail(fmt::format("bad value `{}` for `{} {}`", value, a, f->arg));
  }
  if (o.help) return o;
  if (o.customers < 1 || o.customers > 100000000) fail("--customers must be 1 to 100000000");
  if (o.events > 1000000000) fail("--events must be at most 1000000000");  // ids fit 32 bits
  if (o.end <= o.start) fail("--end must be after --start");
  if (o.refund + o.ret + o.exchange > kMillion) fail("refund, return and exchange rates pass 1");
  if (o.bad_lines > 0 && o.bad_lines >= o.events) fail("--bad-lines must be below --events");
  if (o.communities == kAuto) o.communities = o.customers / 500;
  if (o.organisations == kAuto) o.organisations = o.customers / 2000;
  return o;
}

// ---- Customers: attributes are a pure function of (seed, id), so nothing is stored per customer
// but what moves during the campaign (History, below).

constexpr const char* kKinds[] = {"purchase", "service", "employee"};
constexpr const char* kSegments[] = {"new", "normal", "active", "loyal"};
constexpr const char* kMarkets[] = {"CN", "HK", "SG"};
constexpr const char* kReferrerTypes[] = {"loyal", "influencer", "new_customer", "reward_seeker"};
constexpr const char* kChannels[] = {"link", "code", "poster", "community", "organisation"};
constexpr const char* kPlatforms[] = {"wechat", "weibo", "douyin"};
constexpr const char* kFlags[] = {"fake_order", "non_target_customer", "duplicate_account"};
constexpr const char* kPlaces[] = {"上海市浦东新区", "上海市徐汇区", "北京市朝阳区", "北京市海淀区",
                                   "广州市天河区",   "深圳市南山区", "杭州市西湖区", "成都市武侯区",
                                   "南京市鼓楼区",   "武汉市洪山区"};
constexpr const char* kRoads[] = {"人民路", "中山路", "解放路", "建设路", "和平路",   "文化路",
                                  "长江路", "新华路", "青年路", "光明路", "滨江大道", "世纪大道"};
constexpr const char* kOrgNames[] = {"星河", "远航", "青禾", "锦程", "华岳",
                                     "云帆", "启明", "恒通", "瑞丰", "博雅"};
constexpr const char* kIndustries[] = {"科技", "贸易", "设计", "物流",
                                       "教育", "医疗", "传媒", "咨询"};
constexpr u64 kPhonePrefixes[] = {139, 138, 137, 136, 135, 150, 151,
                                  158, 159, 177, 186, 187, 188, 189};

struct Profile {
  int kind = 0, segment = 0;
  i64 registered = 0, first_seen = 0, last_order = 0;  // last_order 0: none
  u64 orders = 0;
  i64 spend = 0;  // cents
  bool service_completed = false;
  int satisfaction = -1, nps = -1, previous_campaigns = 0, shares = 0;  // -1: absent
  int market = -1, past_referrals = -1, referrer_type = -1;
};

int pick_market(Rng& r) {
  u64 x = r.below(100);
  return x < 8 ? -1 : x < 94 ? 0 : x < 97 ? 1 : 2;
}

// A customer before the campaign: kind, segment, and an order history that fits the segment.
Profile existing_profile(u64 seed, u64 id, i64 start) {
  static constexpr int orders_lo[] = {1, 1, 3, 8}, orders_hi[] = {1, 4, 12, 40};
  static constexpr int avg_lo[] = {60, 60, 100, 150}, avg_hi[] = {300, 400, 500, 900};
  static constexpr int age_lo[] = {15, 150, 150, 300}, age_hi[] = {150, 2500, 2500, 2500};
  static constexpr int recent_lo[] = {5, 10, 1, 1}, recent_hi[] = {120, 600, 60, 90};
  Rng r(mix(seed, id, 1));
  Profile p;
  u64 x = r.below(100);
  p.kind = x < 80 ? 0 : x < 97 ? 1 : 2;
  x = r.below(100);
  int s = p.segment = x < 8 ? 0 : x < 50 ? 1 : x < 82 ? 2 : 3;
  p.orders = static_cast<u64>(r.range(orders_lo[s], orders_hi[s]));
  p.spend = static_cast<i64>(p.orders) * r.range(avg_lo[s] * 100, avg_hi[s] * 100);
  p.registered = start - r.range(age_lo[s], age_hi[s]) * kDay - r.range(0, kDay - 1);
  p.first_seen = r.chance(300000) ? p.registered - r.range(1, 200) * kDay : p.registered;
  p.last_order = std::max(p.registered + kHour, start - r.range(recent_lo[s], recent_hi[s]) * kDay +
                                                    r.range(0, kDay - 1));
  p.service_completed = p.kind == 1 && r.chance(700000);
  if (r.chance(p.kind == 1 ? 900000 : 600000)) p.satisfaction = 50 - static_cast<int>(r.skewed(21));
  if (r.chance(400000)) p.nps = 10 - static_cast<int>(r.skewed(11));
  x = r.below(100);
  p.previous_campaigns = x < 55 ? 0 : x < 80 ? 1 : x < 95 ? 2 : 3;
  x = r.below(100);
  p.shares = static_cast<int>(x < 50   ? 0
                              : x < 80 ? r.range(1, 5)
                              : x < 95 ? r.range(6, 20)
                                       : r.range(21, 80));
  p.market = pick_market(r);
  if (r.chance(350000)) p.past_referrals = static_cast<int>(r.range(0, s == 3 ? 8 : 3));
  p.referrer_type = s == 3 ? 0 : p.shares > 20 ? 1 : s == 0 ? 2 : r.chance(150000) ? 3 : -1;
  return p;
}

// A customer acquired during the campaign: no orders yet.
Profile new_profile(u64 seed, u64 id, i64 registered, i64 first_seen) {
  Rng r(mix(seed, id, 1));
  Profile p;
  p.kind = r.chance(880000) ? 0 : 1;
  p.registered = registered;
  p.first_seen = first_seen;
  p.previous_campaigns = r.chance(40000) ? 1 : 0;  // joined another brand campaign before
  p.market = pick_market(r);
  return p;
}

// Contact details; the phone number is a bijection of the id, so no two customers share one by
// chance (only the duplicate-identity pattern makes them equal).
struct Identity {
  u64 phone = 0, device = 0, payment = 0;                        // 0: absent
  int place = -1, road = 0, number = 0, building = 0, room = 0;  // place -1: no address
};

Identity identity(u64 seed, u64 id) {
  Rng r(mix(seed, id, 2));
  Identity d;
  d.phone = kPhonePrefixes[r.below(14)] * 100000000 +
            (id * 37139213 + mix(seed, 0, 5) % 100000000) % 100000000;
  if (r.chance(900000)) d.device = r.next() | 1;
  if (r.chance(800000)) d.payment = (r.next() & 0xFFFFFFFFFFFFULL) | 1;
  if (r.chance(850000)) {
    d.place = static_cast<int>(r.below(std::size(kPlaces)));
    d.road = static_cast<int>(r.below(std::size(kRoads)));
    d.number = static_cast<int>(r.range(1, 399)), d.building = static_cast<int>(r.range(1, 30));
    d.room = static_cast<int>(r.range(1, 32) * 100 + r.range(1, 6));
  }
  return d;
}

// Identity mask bits: which details a duplicate referee copies from the referrer.
constexpr u8 kSamePhone = 1, kSameDevice = 2, kSamePayment = 4, kSameAddress = 8;

// ---- Weighted time: how busy each hour of the window is.

class Clock {
 public:
  Clock(i64 start, i64 end) : start_(start) {
    static constexpr int kHourWeight[24] = {3,  2,  1,  1,  1,  2,  4,  8,  12, 14, 15, 16,
                                            18, 16, 14, 14, 15, 16, 18, 22, 26, 28, 22, 10};
    i64 window = end - start + 1;
    bool long_window = window >= 21 * kDay;  // the seed's 7 + 30 + 5 days; else in proportion
    i64 warm_end = start + (long_window ? 7 * kDay : window / 6);
    i64 review_start = end + 1 - (long_window ? 5 * kDay : window * 5 / 42);
    cum_.push_back(0);
    for (i64 t = start; t <= end; t += kHour) {
      i64 local = t + kOffset, day = floor_div(local, kDay);
      i64 w = t < warm_end ? 25
              : t >= review_start
                  ? 15
                  : 80 + 40 * (t - warm_end) / std::max<i64>(1, review_start - warm_end);
      w *= kHourWeight[(local - day * kDay) / kHour];
      if ((day + 4) % 7 == 0 || (day + 4) % 7 == 6) w = w * 115 / 100;  // Sunday, Saturday
      weight_.push_back(w);
      cum_.push_back(cum_.back() + w * std::min(kHour, end + 1 - t));
    }
  }
  i64 total() const { return cum_.back(); }
  // The moment at weighted position `pos`, in [0, total()).
  i64 at(i64 pos) const {
    size_t slot =
        static_cast<size_t>(std::upper_bound(cum_.begin(), cum_.end(), pos) - cum_.begin() - 1);
    slot = std::min(slot, weight_.size() - 1);
    return start_ + static_cast<i64>(slot) * kHour + (pos - cum_[slot]) / weight_[slot];
  }

 private:
  i64 start_;
  std::vector<i64> cum_, weight_;
};

// ---- Events.

// clang-format off
enum class Type : u8 {
  customer_known, customer_new, referral_bound, order_placed, order_completed, order_refunded,
  order_returned, order_exchanged, review_flagged, community_created, community_joined,
  organisation_created, organisation_joined, share
};
constexpr const char* kTypeNames[] = {
  "customer", "customer", "referral_bound", "order_placed", "order_completed", "order_refunded",
  "order_returned", "order_exchanged", "review_flagged", "community_created", "community_joined",
  "organisation_created", "organisation_joined", "share"};
// clang-format on

// A scheduled event. a, b, c: ids; x: cents, a first-seen time or a new satisfaction; k: a
// channel, platform, flag, identity mask, is_new, or whether a refunded order had counted.
struct Event {
  i64 ts;
  u64 seq;  // push order: ties in ts come out as they were caused
  i64 x;
  u32 a, b, c;
  Type type;
  u8 k;
};

struct Later {
  bool operator()(const Event& l, const Event& r) const {
    return l.ts != r.ts ? l.ts > r.ts : l.seq > r.seq;
  }
};

// Output through one large buffer.
class Writer {
 public:
  ~Writer() { flush(); }
  template <typename... T>
  void put(fmt::format_string<T...> f, T&&... args) {
    fmt::format_to(std::back_inserter(buf_), f, std::forward<T>(args)...);
  }
  void ts(i64 t) {
    i64 local = t + kOffset, day = floor_div(local, kDay), s = local - day * kDay;
    if (day != day_) {
      int y, m, d;
      civil_from_days(day, y, m, d);
      date_ = fmt::format("{:04}-{:02}-{:02}", y, m, d), day_ = day;
    }
    put("\"{}T{:02}:{:02}:{:02}+08:00\"", date_, s / kHour, s / kMinute % 60, s % 60);
  }
  void money(i64 cents) { put("\"{}.{:02}\"", cents / 100, cents % 100); }
  void end_line() {
    buf_.push_back('\n');
    if (buf_.size() >= (1 << 20)) flush();
  }
  void flush() {
    if (buf_.size() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size())
      fail("cannot write to standard output");
    buf_.clear();
  }

 private:
  fmt::memory_buffer buf_;
  i64 day_ = -1000000;
  std::string date_;
};

// ---- The generator.

// Roots by kind, per mille: one share is one event, a referral about four.
constexpr u32 kShareRoots = 385, kReferralRoots = 240, kOrderRoots = 240, kOrganicRoots = 110,
              kUpdateRoots = 25;
constexpr i64 kFirstCascade = 530;  // 256ths of an event: the expected root, 2.07 events
constexpr i64 kLastRoots = 64;      // lines that may still be wanted when the window ends

// What moves in an existing customer's record during the campaign.
struct History {
  i64 spend = 0, last_order = 0;
  u32 orders = 0, shares = 0;
};

class Generator {
 public:
  explicit Generator(const Options& o)
      : o_(o),
        rng_(mix(o.seed, 0, 0)),
        clock_(o.start, o.end),
        cut_(o.end),
        next_customer_(static_cast<u32>(o.customers) + 1) {}

  void run() {
    pick_bad_lines();
    write_existing_customers();
    if (line_ >= o_.events) return;
    pick_referrers_and_sharers();
    for (u64 i = 1; i <= o_.communities; ++i)
      plan_group(kCommunity, static_cast<u32>(i), community_size());
    for (u64 i = 1; i <= o_.organisations; ++i)
      plan_group(kOrganisation, static_cast<u32>(i),
                 rng_.chance(300000) ? rng_.range(12, 30) : rng_.range(5, 11));
    i64 roots = std::max<i64>(0, free_lines()) * 256 / kFirstCascade;
    build_tickets(static_cast<u64>(roots) * kReferralRoots / 1000 * 9 / 10);  // all get used
    min_gap_ = clock_.total() / (roots + 1) / 4;  // at most 4 times the expected rate
    roots_on_ = true;
    advance_root();
    run_loop();
  }

 private:
  void run_loop() {
    while (line_ < o_.events) {
      if (roots_on_ && (queue_.empty() || root_ts_ <= queue_.top().ts)) {
        pushed_ = 0;
        make_root(root_ts_);
        avg_cascade_ += (static_cast<i64>(pushed_) * 256 - avg_cascade_) / 16;
        advance_root();
      } else if (!queue_.empty()) {
        Event e = queue_.top();
        queue_.pop();
        emit(e);
      } else {  // the window ran out of activity before --events lines: carry on after --end
        overflow_ = roots_on_ = true;
        cut_ = INT64_MAX;
        root_ts_ = std::max(last_ts_, o_.end) + 10;
      }
    }
  }

  // Lines neither written nor queued.
  i64 free_lines() const {
    return static_cast<i64>(o_.events - line_) - static_cast<i64>(queue_.size());
  }

  // The lines still free, divided by the recent cascade size, are the roots still wanted; the
  // next one comes after a jittered share of the remaining weighted time.
  void advance_root() {
    i64 free = free_lines();
    if (free <= 0) return void(roots_on_ = false);
    if (overflow_) return void(root_ts_ += 10);
    i64 wanted = free * 256 / std::max<i64>(64, avg_cascade_) + 1;
    i64 mean = std::max((clock_.total() - pos_) / wanted, min_gap_);
    pos_ += static_cast<i64>(rng_.below(static_cast<u64>(2 * mean + 1)));
    if (pos_ >= clock_.total()) {  // the jitter jumped past --end: the last few roots come at it
      if (free > kLastRoots) return void(roots_on_ = false);
      pos_ = clock_.total() - 1;
    }
    root_ts_ = std::max(root_ts_, clock_.at(pos_));
  }

  void push(i64 ts, Type type, u32 a, u32 b = 0, u32 c = 0, i64 x = 0, u8 k = 0) {
    if (ts > cut_) return;  // after the window: not part of this history
    queue_.push(Event{ts, seq_++, x, a, b, c, type, k});
    ++pushed_;
  }

  // ---- Who: existing customers, referrers, sharers.

  u32 pick_existing() { return static_cast<u32>(1 + rng_.below(o_.customers)); }
  // Of two customers, the one with more orders: busy customers order more.
  u32 pick_buyer() {
    u32 a = pick_existing(), b = pick_existing();
    return history_[a].orders >= history_[b].orders ? a : b;
  }
  u32 pick_owner() {
    return referrers_.empty() ? pick_existing() : referrers_[rng_.below(referrers_.size())];
  }
  u32 next_referrer() {
    if (next_ticket_ < tickets_.size()) return tickets_[next_ticket_++];
    return tickets_.empty() ? pick_owner() : tickets_[rng_.below(tickets_.size())];
  }
  // An existing customer not yet in `taken` (members of one group are distinct), or 0.
  u32 pick_distinct(std::vector<u32>& taken) {
    for (int tries = 0; tries < 20; ++tries) {
      u32 c = pick_existing();
      if (std::find(taken.begin(), taken.end(), c) == taken.end()) return taken.push_back(c), c;
    }
    return 0;
  }

  template <typename T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates: std::shuffle differs between libraries
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_.below(i)]);
  }

  // Referrers are a random --referrer-share of customers; sharers a --share-rate, half of whom
  // overlap the referrers (people who share also tend to refer).
  void pick_referrers_and_sharers() {
    std::vector<u32> all(o_.customers);
    for (u32 i = 0; i < all.size(); ++i) all[i] = i + 1;
    shuffle(all);
    u64 n = o_.customers * o_.referrer_share / kMillion,
        m = o_.customers * o_.share_rate / kMillion;
    referrers_.assign(all.begin(), all.begin() + static_cast<i64>(n));
    for (u64 j = 0; j < m; ++j) sharers_.push_back(all[(n / 2 + j) % all.size()]);
  }

  // Every referrer gets a ticket, and with --pareto the top fifth hold about 80 % of them (a
  // little less when one each for the other four fifths is more than 20 %). The tickets are
  // shuffled and used in order, so each referrer's first referral comes at a random time and
  // everyone in --referrer-share refers once the campaign has enough referrals.
  void build_tickets(u64 expected) {
    u64 n = referrers_.size();
    if (n == 0 || expected == 0) return;
    if (expected <= n) {
      tickets_.assign(referrers_.begin(), referrers_.begin() + static_cast<i64>(expected));
      return shuffle(tickets_);
    }
    std::vector<u32> count(n, 1);
    u64 top = o_.pareto ? std::max<u64>(1, n / 5) : n, bottom = n - top;
    u64 bottom_tickets = bottom ? std::max(expected / 5, bottom) : 0;
    for (u64 i = top; i < expected - bottom_tickets; ++i)
      ++count[o_.pareto ? rng_.skewed(top) : rng_.below(top)];
    for (u64 i = bottom; i < bottom_tickets; ++i) ++count[top + rng_.below(bottom)];
    for (u64 i = 0; i < n; ++i) tickets_.insert(tickets_.end(), count[i], referrers_[i]);
    shuffle(tickets_);
  }

  // ---- Roots.

  void make_root(i64 t) {
    bool can_share = !sharers_.empty() || !new_customers_.empty();
    u32 w[] = {can_share ? kShareRoots : 0, referrers_.empty() ? 0 : kReferralRoots, kOrderRoots,
               kOrganicRoots, kUpdateRoots};
    u64 x = rng_.below(w[0] + w[1] + w[2] + w[3] + w[4]);
    if (x < w[0]) return share_root(t);
    if ((x -= w[0]) < w[1]) return referral_root(t);
    if ((x -= w[1]) < w[2]) return void(order_flow(t, pick_buyer(), 0));
    if ((x -= w[2]) < w[3]) return organic_root(t);
    update_root(t);
  }

  void share_root(i64 t) {
    bool by_new = !new_customers_.empty() && (sharers_.empty() || rng_.chance(100000));
    u32 c = by_new ? new_customers_[rng_.below(new_customers_.size())]
                   : sharers_[rng_.skewed(sharers_.size())];
    u64 x = rng_.below(100);
    push(t, Type::share, ++shares_, c, 0, 0, x < 60 ? 0 : x < 75 ? 1 : 2);
  }

  void referral_root(i64 t) {
    u32 referrer = next_referrer();
    u64 x = rng_.below(100);
    u8 channel = x < 45 ? 0 : x < 75 ? 1 : 2;
    u32 fraud_flag = std::min(kMillion, o_.review_flag * 20);
    // A customer is referred once (docs/simulate.md): one who referred themself already makes an
    // ordinary referral instead.
    if (rng_.chance(o_.self_referral) && self_referred_.insert(referrer).second) {
      push(t, Type::referral_bound, ++referrals_, referrer, referrer, 0, channel);
      return referee_orders(t, referrer, 600000, fraud_flag);
    }
    u8 dup = rng_.chance(o_.duplicate_identity) ? dup_mask(referrer) : 0;
    u32 referee = bind_new_referee(t, referrer, channel, dup);
    referee_orders(t, referee, 700000, dup ? fraud_flag : o_.review_flag);
  }

  // Which of the referrer's details a duplicate referee shares: one, sometimes two.
  u8 dup_mask(u32 referrer) {
    Identity d = identity(o_.seed, referrer);
    std::vector<u8> have{kSamePhone};
    if (d.device) have.push_back(kSameDevice);
    if (d.payment) have.push_back(kSamePayment);
    if (d.place >= 0) have.push_back(kSameAddress);
    u8 m = have[rng_.below(have.size())];
    if (rng_.chance(400000)) m |= have[rng_.below(have.size())];
    return m;
  }

  // A new customer bound to `referrer`. The record comes first (an id must be known before it is
  // referenced), at the same second as the binding, so that first_seen_at is not before
  // bound_at; a few referees were seen by the CRM long before (old-friends: not_in_crm).
  u32 bind_new_referee(i64 t, u32 referrer, u8 channel, u8 dup) {
    u32 referee = next_customer_++;
    i64 seen = rng_.chance(30000) ? t - rng_.range(30 * kDay, 700 * kDay) : t;
    push(t, Type::customer_new, referee, dup ? referrer : 0, 0, seen, dup);
    push(t, Type::referral_bound, ++referrals_, referrer, referee, 0, channel);
    return referee;
  }

  // Most first orders come within a week of binding; 5 % after 30 days, when the binding is stale.
  i64 first_order_delay() {
    u64 x = rng_.below(100);
    return x < 45   ? rng_.range(5 * kMinute, kDay)
           : x < 80 ? rng_.range(kDay, 7 * kDay)
           : x < 95 ? rng_.range(7 * kDay, 28 * kDay)
                    : rng_.range(31 * kDay, 45 * kDay);
  }

  void referee_orders(i64 bound, u32 referee, u32 order_ppm, u32 flag_ppm) {
    if (!rng_.chance(order_ppm)) return;
    i64 done = order_flow(bound + first_order_delay(), referee, flag_ppm);
    if (done && rng_.chance(250000)) order_flow(done + rng_.range(2 * kDay, 20 * kDay), referee, 0);
  }

  void organic_root(i64 t) {
    u32 c = next_customer_++;
    push(t, Type::customer_new, c, 0, 0, t);
    if (rng_.chance(650000)) order_flow(t + rng_.range(5 * kMinute, 3 * kDay), c, o_.review_flag);
  }

  // A service customer finishes the service period: their record is replaced, with
  // service_completed set and a new satisfaction score.
  void update_root(i64 t) {
    u32 c = pick_existing();
    for (int tries = 0; tries < 8 && existing_profile(o_.seed, c, o_.start).kind != 1; ++tries)
      c = pick_existing();
    push(t, Type::customer_known, c, 0, 0, rng_.range(35, 50));
  }

  i64 amount() {  // cents, priced like a shop: 128.50, 199.00, 89.90
    static constexpr i64 kCents[] = {0, 0, 0, 50, 90, 99, 80, 0};
    u64 x = rng_.below(100);
    i64 yuan = x < 30   ? rng_.range(39, 149)
               : x < 70 ? rng_.range(150, 399)
               : x < 90 ? rng_.range(400, 999)
                        : rng_.range(1000, 2999);
    return yuan * 100 + kCents[rng_.below(8)];
  }

  // One order and what becomes of it. Returns when it completes, or 0 if it is cancelled.
  i64 order_flow(i64 placed, u32 customer, u32 flag_ppm) {
    u32 id = ++orders_;
    i64 cents = amount();
    push(placed, Type::order_placed, id, customer, 0, cents);
    if (flag_ppm && rng_.chance(flag_ppm)) {
      i64 late = rng_.chance(750000) ? rng_.range(10 * kMinute, 12 * kHour)
                                     : rng_.range(12 * kHour + kMinute, 3 * kDay);
      push(placed + late, Type::review_flagged, id, 0, 0, 0, static_cast<u8>(rng_.below(3)));
    }
    u64 x = rng_.below(kMillion);
    i64 done = placed + rng_.range(kDay, 5 * kDay);
    if (x < o_.refund && rng_.chance(300000)) {  // cancelled before completion
      push(rng_.range(placed + 10 * kMinute, done), Type::order_refunded, id, customer, 0, cents);
      return 0;
    }
    push(done, Type::order_completed, id, customer, 0, cents);
    if (x < o_.refund)
      push(done + rng_.range(kHour, 7 * kDay), Type::order_refunded, id, customer, 0, cents, 1);
    else if (x < o_.refund + o_.ret)
      push(done + rng_.range(kDay, 7 * kDay), Type::order_returned, id, customer, 0, cents, 1);
    else if (x < o_.refund + o_.ret + o_.exchange)
      push(done + rng_.range(kDay, 7 * kDay), Type::order_exchanged, id);
    return done;
  }

  // ---- Communities and organisations, planned up front: created early, members join over the
  // following weeks, new members through the owner's or organiser's referral.

  struct Group {
    Type created, joined;
    u8 channel;
    u32 new_ppm, order_ppm;  // members who are new customers; new members who order
    i64 latest, span;  // created within the first `latest` % of the window; joins within `span`
  };
  static constexpr Group kCommunity{
      Type::community_created, Type::community_joined, 3, 450000, 800000, 55, 20 * kDay};
  static constexpr Group kOrganisation{
      Type::organisation_created, Type::organisation_joined, 4, 700000, 850000, 40, 14 * kDay};

  void plan_group(const Group& g, u32 id, i64 size) {
    i64 t0 =
        clock_.at(static_cast<i64>(rng_.below(static_cast<u64>(clock_.total() / 100 * g.latest))));
    u32 owner = pick_owner();
    push(t0, g.created, id, owner);
    i64 span = std::clamp<i64>(o_.end - t0 - kHour, kHour, g.span);
    std::vector<u32> members{owner};
    for (i64 j = 0; j < size; ++j) {
      i64 t = t0 + rng_.range(5 * kMinute, span);
      bool is_new = rng_.chance(g.new_ppm);
      u32 m = is_new ? bind_new_referee(t, owner, g.channel, 0) : pick_distinct(members);
      if (m) push(t, g.joined, id, m, 0, 0, is_new);
      if (is_new) referee_orders(t, m, g.order_ppm, o_.review_flag);
    }
  }

  i64 community_size() {  // 15 % reach the 50 members of old-friends' lottery
    u64 x = rng_.below(100);
    return x < 15 ? rng_.range(50, 60) : x < 50 ? rng_.range(20, 49) : rng_.range(5, 19);
  }

  // ---- Writing.

  void write_existing_customers() {
    history_.resize(o_.customers + 1);
    for (u32 id = 1; id <= o_.customers && line_ < o_.events; ++id) {
      Profile p = existing_profile(o_.seed, id, o_.start);
      history_[id] = {p.spend, p.last_order, static_cast<u32>(p.orders),
                      static_cast<u32>(p.shares)};
      emit(Event{o_.start, 0, -1, id, 0, 0, Type::customer_known, 0});
    }
  }

  void emit(const Event& e) {
    while (next_bad_ < bad_lines_.size() && bad_lines_[next_bad_] == line_ + 1 && line_ < o_.events)
      write_bad_line();
    if (line_ >= o_.events) return;
    if (e.ts < last_ts_) fail("internal error: events out of order");
    ++line_, last_ts_ = e.ts;
    out_.put("{{\"id\":\"E{}\",\"ts\":", line_);
    out_.ts(e.ts);
    out_.put(",\"type\":\"{}\"", kTypeNames[static_cast<int>(e.type)]);
    write_body(e);
    out_.put("}}");
    out_.end_line();
  }

  void write_body(const Event& e) {
    switch (e.type) {
      case Type::customer_known:
        return write_known_customer(e);
      case Type::customer_new:
        new_customers_.push_back(e.a);
        return write_customer(true, e.a, new_profile(o_.seed, e.a, e.ts, e.x), e.k ? e.b : e.a,
                              e.k);
      case Type::referral_bound:
        return out_.put(
            ",\"referral\":\"R-{}\",\"referrer\":\"C-{}\",\"referee\":\"C-{}\","
            "\"channel\":\"{}\"",
            e.a, e.b, e.c, kChannels[e.k]);
      case Type::order_placed:
        out_.put(",\"order\":\"O-{}\",\"customer\":\"C-{}\",\"amount\":", e.a, e.b);
        return out_.money(e.x);
      case Type::order_completed:
        if (e.b <= o_.customers) ++history_[e.b].orders, history_[e.b].spend += e.x;
        if (e.b <= o_.customers) history_[e.b].last_order = e.ts;
        return out_.put(",\"order\":\"O-{}\"", e.a);
      case Type::order_refunded:
      case Type::order_returned:
        if (e.k && e.b <= o_.customers) --history_[e.b].orders, history_[e.b].spend -= e.x;
        return out_.put(",\"order\":\"O-{}\"", e.a);
      case Type::order_exchanged:
        return out_.put(",\"order\":\"O-{}\"", e.a);
      case Type::review_flagged:
        return out_.put(",\"order\":\"O-{}\",\"flag\":\"{}\"", e.a, kFlags[e.k]);
      case Type::community_created:
        return out_.put(",\"community\":\"G-{}\",\"owner\":\"C-{}\"", e.a, e.b);
      case Type::community_joined:
        return out_.put(",\"community\":\"G-{}\",\"customer\":\"C-{}\",\"is_new\":{}", e.a, e.b,
                        e.k != 0);
      case Type::organisation_created: {
        u64 h = mix(o_.seed, e.a, 3);
        return out_.put(
            ",\"organisation\":\"ORG-{}\",\"name\":\"{}{}有限公司\",\"organiser\":\"C-{}\"", e.a,
            kOrgNames[h % std::size(kOrgNames)], kIndustries[h / 16 % std::size(kIndustries)], e.b);
      }
      case Type::organisation_joined:
        return out_.put(",\"organisation\":\"ORG-{}\",\"customer\":\"C-{}\"", e.a, e.b);
      case Type::share:
        if (e.b <= o_.customers) ++history_[e.b].shares;
        return out_.put(",\"customer\":\"C-{}\",\"share\":\"S-{}\",\"platform\":\"{}\"", e.b, e.a,
                        kPlatforms[e.k]);
    }
  }

  // An existing customer's whole record, with its history as it stands (a replacement must not
  // undo the campaign's orders and shares); x >= 0 is an update.
  void write_known_customer(const Event& e) {
    Profile p = existing_profile(o_.seed, e.a, o_.start);
    const History& h = history_[e.a];
    p.orders = h.orders, p.spend = h.spend, p.last_order = h.last_order;
    p.shares = static_cast<int>(h.shares);
    if (e.x >= 0) p.satisfaction = static_cast<int>(e.x), p.service_completed |= p.kind == 1;
    write_customer(false, e.a, p, e.a, 0);
  }

  // `same`: which identity details come from customer `source` instead (duplicate identity).
  void write_customer(bool is_new, u64 id, const Profile& p, u64 source, u8 same) {
    out_.put(
        ",\"new\":{},\"customer\":{{\"id\":\"C-{}\",\"kind\":\"{}\",\"segment\":\"{}\","
        "\"registered_at\":",
        is_new, id, kKinds[p.kind], kSegments[p.segment]);
    out_.ts(p.registered);
    out_.put(",\"first_seen_at\":");
    out_.ts(p.first_seen);
    if (p.last_order) out_.put(",\"last_order_at\":"), out_.ts(p.last_order);
    out_.put(",\"order_count\":{},\"total_spend\":", p.orders);
    out_.money(p.spend);
    out_.put(",\"service_completed\":{}", p.service_completed);
    if (p.satisfaction >= 0)
      out_.put(",\"satisfaction\":{}.{}", p.satisfaction / 10, p.satisfaction % 10);
    if (p.nps >= 0) out_.put(",\"nps\":{}", p.nps);
    out_.put(",\"previous_campaigns\":{},\"shares\":{}", p.previous_campaigns, p.shares);
    if (p.market >= 0) out_.put(",\"market\":\"{}\"", kMarkets[p.market]);
    write_identity(identity(o_.seed, id), identity(o_.seed, source), same);
    if (p.past_referrals >= 0) out_.put(",\"past_referrals\":{}", p.past_referrals);
    if (p.referrer_type >= 0)
      out_.put(",\"referrer_type\":\"{}\"", kReferrerTypes[p.referrer_type]);
    out_.put("}}");
  }

  void write_identity(const Identity& own, const Identity& other, u8 same) {
    const Identity& phone = same & kSamePhone ? other : own;
    const Identity& device = same & kSameDevice ? other : own;
    const Identity& payment = same & kSamePayment ? other : own;
    const Identity& home = same & kSameAddress ? other : own;
    out_.put(",\"phone\":\"{}\"", phone.phone);
    if (device.device) out_.put(",\"device_id\":\"dev-{:016x}\"", device.device);
    if (payment.payment) out_.put(",\"payment_fingerprint\":\"pay-{:012x}\"", payment.payment);
    if (home.place >= 0)
      out_.put(",\"address\":\"{}{}{}号{}栋{}室\"", kPlaces[home.place], kRoads[home.road],
               home.number, home.building, home.room);
  }

  // ---- Bad lines, for the simulator's error handling: distinct seeded lines from 2 on (an
  // out-of-order ts needs a line before it), from their own stream so the rest stays the same.

  void pick_bad_lines() {
    Rng r(mix(o_.seed, 0, 4));
    std::set<u64> picked;  // Floyd's sampling: k distinct lines of 2..events
    u64 n = o_.events - 1;
    for (u64 j = n - o_.bad_lines; j < n; ++j) {
      u64 t = r.below(j + 1);
      picked.insert(picked.count(t) ? j : t);
    }
    for (u64 p : picked) bad_lines_.push_back(p + 2);
  }

  void write_bad_line() {
    static constexpr const char* kTails[] = {
        R"(,"type":"share","customer":"C-1","sha)",     // cut off in the middle: not JSON
        R"(,"type":"order_completed","order":"O-X"})",  // an order no event created
        R"(,"type":"share","customer":"C-1","share":"S-X","platform":"weibo"})"};  // an hour early
    u64 kind = next_bad_++ % 3;
    out_.put(R"({{"id":"E{}","ts":)", ++line_);
    out_.ts(kind == 2 ? last_ts_ - kHour : last_ts_);
    out_.put("{}", kTails[kind]);
    out_.end_line();
  }

  const Options& o_;
  Rng rng_;
  Clock clock_;
  Writer out_;
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  u64 seq_ = 1, line_ = 0, pushed_ = 0, next_ticket_ = 0, next_bad_ = 0;
  i64 cut_, last_ts_ = INT64_MIN, root_ts_ = INT64_MIN, pos_ = 0, min_gap_ = 0;
  i64 avg_cascade_ = kFirstCascade;
  bool roots_on_ = false, overflow_ = false;
  u32 next_customer_, referrals_ = 0, orders_ = 0, shares_ = 0;
  std::vector<u32> referrers_, sharers_, tickets_, new_customers_;
  std::unordered_set<u32> self_referred_;  // referrers who referred themselves
  std::vector<History> history_;  // by existing customer id
  std::vector<u64> bad_lines_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  if (o.help) {
    print_help(Options{});
    return 0;
  }
  Generator(o).run();
  return std::fflush(stdout) == 0 ? 0 : 2;
}
