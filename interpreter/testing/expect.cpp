// Matching a decision against a case's expectations. Rewards listed under `rewards` are matched
// one to one (a bipartite matching, so the order they are listed in does not matter); a listed
// reward that matches none is shown beside the closest actual rewards, field by field.
#include "interpreter/testing/expect.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <functional>

#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/time.hpp"

namespace refpol::policytest {
namespace {

// How many closest rewards a failure shows, and how many rewards it lists at most.
constexpr std::size_t kClosestShown = 2;
constexpr std::size_t kRewardsListed = 12;

std::string amount_text(const Decimal& amount, std::string_view unit) {
  if (unit.empty()) return to_string(amount);
  if (unit == "%") return to_string(amount) + "%";
  return fmt::format("{} {}", to_string(amount), unit);
}

std::string opt_text(std::string_view s) { return s.empty() ? "null" : std::string(s); }

std::string opt_time(const std::optional<DateTime>& t) { return t ? to_string(*t) : "null"; }

std::string list_text(const std::vector<std::string_view>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + std::string(items[i]);
  return out + "]";
}

std::string list_text(const std::vector<std::string>& items) {
  std::vector<std::string_view> views(items.begin(), items.end());
  return list_text(views);
}

bool same_list(const std::vector<std::string>& expected,
               const std::vector<std::string_view>& actual) {
  return std::equal(expected.begin(), expected.end(), actual.begin(), actual.end());
}

// A YAML value as written, on one line: `[a, b]`, `{amount: 5, unit: CNY}`.
std::string flow_text(const YAML::Node& n, int depth = 0) {
  if (depth > 16) return "...";
  if (n.IsNull()) return "null";
  if (n.IsScalar()) return n.Scalar();
  std::string out;
  if (n.IsSequence()) {
    for (const auto& item : n) out += (out.empty() ? "" : ", ") + flow_text(item, depth + 1);
    return "[" + out + "]";
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    out += (out.empty() ? "" : ", ") + flow_text(it->first, depth + 1) + ": " +
           flow_text(it->second, depth + 1);
  }
  return "{" + out + "}";
}

class Checker {
 public:
  Checker(const Program& p, const Decision& d, const SourceFile& src) : p_(p), d_(d), src_(src) {}

  std::vector<Failure> run(const Expectations& x) {
    if (x.referrer) referrer(*x.referrer);
    for (const auto& r : x.referrals) referral(r);
    rewards(x);
    for (const auto& r : x.absent) absent(r);
    for (const auto& o : x.outputs) output(o);
    return std::move(failures_);
  }

  // The actual value of a reward field, written as an expectation would write it.
  std::string actual(const Reward& r, const std::string& field) const {
    if (field == "rule") return std::string(r.rule);
    if (field == "tier") return opt_text(r.tier);
    if (field == "recipient") {
      return r.recipient_id.empty() ? std::string(r.recipient_role)
                                    : fmt::format("{} {}", r.recipient_role, r.recipient_id);
    }
    if (field == "kind") return std::string(r.kind);
    if (field == "amount") return r.has_amount ? amount_text(r.amount, r.unit) : "null";
    if (field == "unit") return r.has_amount ? opt_text(r.unit) : "null";
    if (field == "label") return opt_text(r.label);
    if (field == "status") return status_name(r.status);
    if (field == "reason") return opt_text(r.reason);
    if (field == "key") return reward_key(d_, r);
    if (field == "granted_at") return opt_time(r.granted_at);
    if (field == "settles_at") return opt_time(r.settles_at);
    if (field == "due_by") return opt_time(r.due_by);
    if (field == "expires_at") return opt_time(r.expires_at);
    if (field == "capped") return r.capped ? "true" : "false";
    if (field == "value") return r.value ? to_string(*r.value) : "null";
    return "?";
  }

  bool matches(const Reward& r, const RewardField& f) const {
    const Scalar& v = f.value;
    const std::string& n = f.name;
    if (n == "rule") return r.rule == v.text;
    if (n == "tier") return v.null ? r.tier.empty() : r.tier == v.text;
    if (n == "recipient")
      return r.recipient_role == v.text || (!r.recipient_id.empty() && r.recipient_id == v.text);
    if (n == "kind") return r.kind == v.text;
    if (n == "amount") {
      if (v.null) return !r.has_amount;
      std::string number, unit;
      Decimal want;
      if (!r.has_amount || !parse_amount_text(v.text, number, unit) ||
          parse_decimal(number, want) != DecimalError::none)
        return false;
      return want == r.amount && (unit.empty() || unit == r.unit);
    }
    if (n == "unit")
      return v.null ? !r.has_amount || r.unit.empty() : r.has_amount && r.unit == v.text;
    if (n == "label") return v.null ? r.label.empty() : r.label == v.text;
    if (n == "status") return v.text == status_name(r.status);
    if (n == "reason") return v.null ? r.reason.empty() : r.reason == v.text;
    if (n == "key") return reward_key(d_, r) == v.text;
    if (n == "granted_at") return same_time(v, r.granted_at);
    if (n == "settles_at") return same_time(v, r.settles_at);
    if (n == "due_by") return same_time(v, r.due_by);
    if (n == "expires_at") return same_time(v, r.expires_at);
    if (n == "capped") {
      bool b = false;
      return parse_bool_text(v.text, b) && b == r.capped;
    }
    if (n == "value") {
      if (v.null) return !r.value;
      std::string number, unit;
      Decimal want;
      if (!r.value || !parse_amount_text(v.text, number, unit) ||
          parse_decimal(number, want) != DecimalError::none)
        return false;
      return want == *r.value && (unit.empty() || unit == p_.units[0]);
    }
    return false;
  }

  bool matches(const Reward& r, const RewardExpect& x) const {
    return std::all_of(x.fields.begin(), x.fields.end(),
                       [&](const RewardField& f) { return matches(r, f); });
  }

 private:
  const Program& p_;
  const Decision& d_;
  const SourceFile& src_;
  std::vector<Failure> failures_;

  Failure& fail(Span at, std::string message) {
    failures_.push_back(Failure{where(src_, at), std::move(message), {}, at.begin});
    return failures_.back();
  }

  bool same_time(const Scalar& v, const std::optional<DateTime>& actual) const {
    if (v.null) return !actual;
    DateTime want;
    std::string problem;
    return actual && parse_datetime(v.text, p_.zone, want, problem) && want == *actual;
  }

  void check_scalar(const Scalar& want, std::string_view got, const std::string& what,
                    std::string note = {}) {
    if (want.text == got) return;
    Failure& f = fail(want.at, fmt::format("`{}`: expected `{}`, got `{}`", what, want.text, got));
    if (!note.empty()) f.details.push_back(std::move(note));
  }

  void check_list(const ScalarList& want, const std::vector<std::string_view>& got,
                  const std::string& what) {
    if (same_list(want.items, got)) return;
    fail(want.at,
         fmt::format("`{}`: expected `{}`, got `{}`", what, list_text(want.items), list_text(got)));
  }

  void referrer(const ReferrerExpect& x) {
    if (x.eligible) {
      bool want = false;
      parse_bool_text(x.eligible->text, want);
      if (want != d_.referrer_eligible) {
        Failure& f =
            fail(x.eligible->at, fmt::format("`referrer.eligible`: expected `{}`, got `{}`", want,
                                             d_.referrer_eligible));
        if (!d_.referrer_eligible)
          f.details.push_back(
              fmt::format("the conditions that failed: {}", list_text(d_.referrer_reasons)));
      }
    }
    if (x.reasons) check_list(*x.reasons, d_.referrer_reasons, "referrer.reasons");
    if (x.id) check_scalar(*x.id, d_.referrer_id, "referrer.id");
  }

  void referral(const ReferralExpect& x) {
    auto it = std::find_if(d_.referrals.begin(), d_.referrals.end(),
                           [&](const ReferralVerdict& v) { return v.id == x.id; });
    if (it == d_.referrals.end()) {
      std::vector<std::string_view> ids;
      for (const auto& v : d_.referrals) ids.push_back(v.id);
      Failure& f = fail(x.at, fmt::format("no referral `{}` in the decision", x.id));
      f.details.push_back(ids.empty() ? "the decision has no referrals"
                                      : fmt::format("its referrals: {}", list_text(ids)));
      return;
    }
    const ReferralVerdict& v = *it;
    std::string what = fmt::format("referrals.{}", x.id);
    if (x.status) {
      std::string note =
          v.reasons.empty() ? std::string() : fmt::format("its reasons: {}", list_text(v.reasons));
      check_scalar(*x.status, referral_status_name(v.status), what + ".status", note);
    }
    if (x.position) {
      std::string got = v.position > 0 ? std::to_string(v.position) : "null";
      Scalar want = *x.position;
      if (want.null) want.text = "null";
      check_scalar(want, got, what + ".position");
    }
    if (x.reasons) check_list(*x.reasons, v.reasons, what + ".reasons");
    if (x.settles_at && !same_time(*x.settles_at, v.settles_at)) {
      fail(x.settles_at->at,
           fmt::format("`{}.settles_at`: expected `{}`, got `{}`", what,
                       x.settles_at->null ? "null" : x.settles_at->text, opt_time(v.settles_at)));
    }
    if (x.referee) check_scalar(*x.referee, v.referee_id, what + ".referee");
  }

  std::string expectation_text(const RewardExpect& x) const {
    std::string out;
    for (const auto& f : x.fields) {
      out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", f.name,
                         f.value.null ? "null" : f.value.text);
    }
    return "{" + out + "}";
  }

  // Field by field: `  rule: ladder` when it matches, `- tier: gold (line 18)` / `+ tier: silver`.
  void diff_lines(const Reward& r, const RewardExpect& x, std::vector<std::string>& out) const {
    out.push_back(fmt::format("closest: {}", reward_key(d_, r)));
    for (const auto& f : x.fields) {
      std::string got = actual(r, f.name);
      if (matches(r, f)) {
        out.push_back(fmt::format("    {}: {}", f.name, got));
      } else {
        out.push_back(fmt::format("  - {}: {}    (expected, line {})", f.name,
                                  f.value.null ? "null" : f.value.text,
                                  src_.position(f.value.at.begin).line));
        out.push_back(fmt::format("  + {}: {}", f.name, got));
      }
    }
  }

  std::size_t mismatches(const Reward& r, const RewardExpect& x) const {
    return static_cast<std::size_t>(std::count_if(
        x.fields.begin(), x.fields.end(), [&](const RewardField& f) { return !matches(r, f); }));
  }

  void list_rewards(std::vector<std::string>& out, const std::vector<std::size_t>& which) const {
    for (std::size_t k = 0; k < which.size() && k < kRewardsListed; ++k)
      out.push_back("  " + describe_reward(d_, d_.rewards[which[k]]));
    if (which.size() > kRewardsListed)
      out.push_back(fmt::format("  ... and {} more", which.size() - kRewardsListed));
  }

  void missing(const RewardExpect& x, const std::vector<bool>& taken, bool matched_elsewhere) {
    Failure& f =
        fail(x.at, fmt::format("no reward in the decision matches `{}`", expectation_text(x)));
    if (d_.rewards.empty()) {
      f.details.push_back("the decision has no rewards");
      if (!d_.referrer_eligible)
        f.details.push_back(
            fmt::format("the referrer is not eligible: {}", list_text(d_.referrer_reasons)));
      return;
    }
    if (matched_elsewhere) {
      f.details.push_back(
          "every reward it matches is already matched by another expectation in `rewards`");
    }
    auto rule = std::find_if(x.fields.begin(), x.fields.end(),
                             [](const RewardField& rf) { return rf.name == "rule"; });
    std::vector<std::size_t> candidates;
    for (std::size_t j = 0; j < d_.rewards.size(); ++j) {
      if (rule == x.fields.end() || d_.rewards[j].rule == rule->value.text) candidates.push_back(j);
    }
    if (candidates.empty()) {
      f.details.push_back(
          fmt::format("the decision has no `{}` reward; its rewards:", rule->value.text));
      std::vector<std::size_t> all(d_.rewards.size());
      for (std::size_t j = 0; j < all.size(); ++j) all[j] = j;
      list_rewards(f.details, all);
      return;
    }
    std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      return mismatches(d_.rewards[a], x) < mismatches(d_.rewards[b], x);
    });
    for (std::size_t k = 0; k < candidates.size() && k < kClosestShown; ++k) {
      diff_lines(d_.rewards[candidates[k]], x, f.details);
      if (taken[candidates[k]] && mismatches(d_.rewards[candidates[k]], x) == 0)
        f.details.push_back("    (matched by another expectation)");
    }
    if (candidates.size() > kClosestShown) {
      f.details.push_back(fmt::format(
          "and {} more{}", candidates.size() - kClosestShown,
          rule == x.fields.end() ? "" : fmt::format(" `{}` rewards", rule->value.text)));
    }
  }

  void rewards(const Expectations& x) {
    const std::size_t n = x.rewards.size(), m = d_.rewards.size();
    std::vector<std::vector<bool>> fits(n, std::vector<bool>(m));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < m; ++j) fits[i][j] = matches(d_.rewards[j], x.rewards[i]);
    }
    // Kuhn's augmenting paths: the largest one-to-one matching of expectations to rewards.
    std::vector<int> owner(m, -1);
    std::function<bool(std::size_t, std::vector<bool>&)> augment = [&](std::size_t i,
                                                                       std::vector<bool>& seen) {
      for (std::size_t j = 0; j < m; ++j) {
        if (!fits[i][j] || seen[j]) continue;
        seen[j] = true;
        if (owner[j] < 0 || augment(static_cast<std::size_t>(owner[j]), seen)) {
          owner[j] = static_cast<int>(i);
          return true;
        }
      }
      return false;
    };
    std::vector<bool> matched(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<bool> seen(m);
      matched[i] = augment(i, seen);
    }
    // `augment` may re-route earlier expectations, so read the final matching from `owner`.
    std::fill(matched.begin(), matched.end(), false);
    std::vector<bool> taken(m);
    for (std::size_t j = 0; j < m; ++j) {
      if (owner[j] >= 0) {
        matched[static_cast<std::size_t>(owner[j])] = true;
        taken[j] = true;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (matched[i]) continue;
      bool elsewhere = std::any_of(fits[i].begin(), fits[i].end(), [](bool b) { return b; });
      missing(x.rewards[i], taken, elsewhere);
    }
    if (!x.exact) return;
    std::vector<std::size_t> extra;
    for (std::size_t j = 0; j < m; ++j) {
      if (!taken[j]) extra.push_back(j);
    }
    if (extra.empty()) return;
    Failure& f =
        fail(x.exact_at,
             fmt::format("`exact: true`, but the decision has {} reward{} not listed in `rewards`",
                         extra.size(), extra.size() == 1 ? "" : "s"));
    list_rewards(f.details, extra);
  }

  void absent(const RewardExpect& x) {
    std::vector<std::size_t> found;
    for (std::size_t j = 0; j < d_.rewards.size(); ++j) {
      if (matches(d_.rewards[j], x)) found.push_back(j);
    }
    if (found.empty()) return;
    Failure& f =
        fail(x.at, fmt::format("`{}` should be absent, but the decision has {} such reward{}",
                               expectation_text(x), found.size(), found.size() == 1 ? "" : "s"));
    list_rewards(f.details, found);
  }

  // --- outputs -------------------------------------------------------------------------------

  bool decimal_equal(std::string_view a, const Decimal& b) const {
    Decimal d;
    return parse_decimal(a, d) == DecimalError::none && d == b;
  }

  bool same_value(const YAML::Node& want, simdjson::dom::element got, int depth) const {
    using T = simdjson::dom::element_type;
    if (depth > 32) return false;
    if (want.IsNull()) return got.type() == T::NULL_VALUE;
    if (want.IsSequence()) {
      if (got.type() != T::ARRAY) return false;
      simdjson::dom::array arr = got.get_array().value_unsafe();
      if (arr.size() != want.size()) return false;
      std::size_t i = 0;
      for (simdjson::dom::element item : arr) {
        if (!same_value(want[i++], item, depth + 1)) return false;
      }
      return true;
    }
    if (want.IsMap()) {
      if (got.type() != T::OBJECT) return false;
      simdjson::dom::object obj = got.get_object().value_unsafe();
      for (auto it = want.begin(); it != want.end(); ++it) {
        simdjson::dom::element field;
        if (!it->first.IsScalar() || obj.at_key(it->first.Scalar()).get(field) != simdjson::SUCCESS)
          return false;
        if (!same_value(it->second, field, depth + 1)) return false;
      }
      return true;
    }
    const std::string& text = want.Scalar();
    switch (got.type()) {
      case T::BOOL: {
        bool b = false;
        return parse_bool_text(text, b) && b == got.get_bool().value_unsafe();
      }
      case T::INT64:
        return decimal_equal(text, Decimal{got.get_int64().value_unsafe(), 0});
      case T::UINT64:
        return text == std::to_string(got.get_uint64().value_unsafe());
      case T::DOUBLE:
        return text == fmt::format("{}", got.get_double().value_unsafe());
      case T::STRING: {
        std::string_view s = got.get_string().value_unsafe();
        if (s == text) return true;
        Decimal a;
        if (parse_decimal(s, a) == DecimalError::none) return decimal_equal(text, a);
        DateTime x, y;
        std::string problem;
        return parse_datetime(s, p_.zone, x, problem) &&
               parse_datetime(text, p_.zone, y, problem) && x == y;
      }
      case T::OBJECT: {
        // An amount: `{"amount": "870.5", "unit": "CNY"}` against `870.50 CNY`.
        std::string_view amount, unit;
        simdjson::dom::object obj = got.get_object().value_unsafe();
        if (obj.size() != 2 || obj["amount"].get(amount) != simdjson::SUCCESS ||
            obj["unit"].get(unit) != simdjson::SUCCESS)
          return false;
        std::string number, want_unit;
        Decimal a;
        if (!parse_amount_text(text, number, want_unit) ||
            parse_decimal(amount, a) != DecimalError::none)
          return false;
        return decimal_equal(number, a) && (want_unit.empty() || want_unit == unit);
      }
      default:
        return false;
    }
  }

  void output(const OutputExpect& x) {
    auto it = std::find_if(d_.outputs.begin(), d_.outputs.end(),
                           [&](const OutputValue& o) { return o.name == x.name; });
    if (it == d_.outputs.end()) {
      std::vector<std::string_view> names;
      for (const auto& o : d_.outputs) names.push_back(o.name);
      Failure& f = fail(x.at, fmt::format("the policy has no output `{}`", x.name));
      f.details.push_back(names.empty() ? "it has no outputs"
                                        : fmt::format("its outputs: {}", list_text(names)));
      return;
    }
    if (x.value.IsScalar() && x.value.Scalar() == it->json) return;
    simdjson::dom::parser parser;
    simdjson::dom::element got;
    bool same = parser.parse(it->json).get(got) == simdjson::SUCCESS && same_value(x.value, got, 0);
    if (!same)
      fail(x.at, fmt::format("`outputs.{}`: expected `{}`, got `{}`", x.name, flow_text(x.value),
                             it->json));
  }
};

}  // namespace

std::string where(const SourceFile& file, Span span) {
  auto pos = file.position(span.begin);
  return fmt::format("{}:{}:{}", file.path(), pos.line, pos.column);
}

std::string describe_reward(const Decision& d, const Reward& r) {
  std::string out = fmt::format("{}: {}", reward_key(d, r), r.kind);
  if (r.has_amount) out += " " + amount_text(r.amount, r.unit);
  if (!r.label.empty()) out += fmt::format(" \"{}\"", r.label);
  out += fmt::format(" {}", status_name(r.status));
  if (!r.reason.empty()) out += fmt::format(" ({})", r.reason);
  return out;
}

std::vector<Failure> check_decision(const Program& program, const Decision& decision,
                                    const Expectations& expect, const SourceFile& test_file) {
  std::vector<Failure> failures = Checker(program, decision, test_file).run(expect);
  std::stable_sort(failures.begin(), failures.end(),
                   [](const Failure& a, const Failure& b) { return a.offset < b.offset; });
  return failures;
}

}  // namespace refpol::policytest
