// refpol-bench: the shared flat workload. Evaluates all 100,000 records, compares every decision
// with expected.jsonl.gz, and times (a) evaluation of loaded facts, (b) JSON text to JSON decision
// text, (c) a hand-written C++ baseline, single-threaded. Then times referrers with 10 to 10,000
// referrals under the seed 000 campaign policy to show the cost grows linearly.
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/flat_baseline.hpp"
#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"

namespace refpol::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> read_gz_lines(const std::string& path) {
  std::vector<std::string> lines;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return lines;
  std::string cur;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        lines.push_back(std::move(cur));
        cur.clear();
      } else {
        cur += buf[i];
      }
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  gzclose(f);
  return lines;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The decision in the workload's expected shape, to compare byte for byte.
std::string flat_shape(const Decision& d) {
  std::string tier = "none", value = "0.00", referee = "null";
  for (const Reward& r : d.rewards) {
    if (r.rule == "ladder") {
      tier = std::string(r.tier);
      value = to_fixed(r.amount, 2, Rounding::half_up);
    } else if (r.recipient_role == "referee") {
      referee = fmt::format("\"{}\"", r.rule);
    }
  }
  return fmt::format("{{\"id\":\"{}\",\"eligible\":{},\"tier\":\"{}\",\"referrer_reward_value\":\"{}\",\"referee_reward\":{}}}",
                     d.referrer_id, d.referrer_eligible ? "true" : "false", tier, value, referee);
}

std::string baseline_shape(const FlatRecord& r, const FlatDecision& d) {
  return fmt::format("{{\"id\":\"{}\",\"eligible\":{},\"tier\":\"{}\",\"referrer_reward_value\":\"{}.{:02}\",\"referee_reward\":{}}}",
                     r.id, d.eligible ? "true" : "false", d.tier, d.value_cents / 100, d.value_cents % 100,
                     d.eligible && d.referee_reward ? "\"first_order_50_off\"" : "null");
}

// Reads a loaded document into the baseline's plain struct (not timed).
FlatRecord to_record(const Program& p, const FactsDocument& doc) {
  const Schema& s = p.policy.schema;
  auto rec = [&](const char* name) { return unsafe_get<kRecord>(doc.root->fields[s.root().index_of(name)]); };
  auto field = [&](const RecordV* r, const char* name) -> const Value& {
    return r->fields[s.records[static_cast<std::size_t>(r->record)].index_of(name)];
  };
  auto cents = [](const Value& v) {
    Decimal d = v.index() == kInt ? from_int(unsafe_get<kInt>(v)) : unsafe_get<kDecimal>(v), r;
    round_to(d, 2, Rounding::half_up, r);
    std::int64_t c = r.mantissa;
    for (int i = r.scale; i < 2; ++i) c *= 10;
    return c;
  };
  const RecordV* a = rec("referrer");
  const RecordV* b = rec("referee");
  FlatRecord r;
  r.id = std::string(unsafe_get<kString>(field(a, "id")).view());
  r.loyal = unsafe_get<kString>(field(a, "segment")).view() == "loyal";
  r.last_order_days_ago = unsafe_get<kInt>(field(a, "last_order_days_ago"));
  r.total_spend_cents = cents(field(a, "total_spend"));
  r.order_count = unsafe_get<kInt>(field(a, "order_count"));
  r.qualified_referrals = unsafe_get<kInt>(field(a, "qualified_referrals"));
  r.is_new_customer = unsafe_get<kBool>(field(b, "is_new_customer"));
  r.first_order_amount_cents = cents(field(b, "first_order_amount"));
  r.first_order_refunded = unsafe_get<kBool>(field(b, "first_order_refunded"));
  r.days_since_first_order = unsafe_get<kInt>(field(b, "days_since_first_order"));
  return r;
}

// A referrer with `n` referrals in the standard schema, alternating outcomes.
std::string growth_facts(int n) {
  std::string s = R"({"now":"2027-01-20T12:00:00+08:00","campaign":{"budget_spent":0,"rewarded_referrers":0},)"
                  R"("referrer":{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00",)"
                  R"("last_order_at":"2026-11-01T10:00:00+08:00","order_count":5,"total_spend":"1200.00","service_completed":false,)"
                  R"("previous_campaigns":0,"shares":3},"referrals":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",";
    bool refunded = i % 7 == 3;
    s += fmt::format(
        R"({{"id":"r{0}","bound_at":"2026-12-{1:02}T09:00:00+08:00","channel":"link","orders":[],)"
        R"("referee":{{"id":"c{0}","kind":"purchase","segment":"new","registered_at":"2026-12-{1:02}T09:30:00+08:00",)"
        R"("first_seen_at":"2026-12-{1:02}T09:00:00+08:00","order_count":1,"total_spend":"300.00","service_completed":false,)"
        R"("previous_campaigns":0,"shares":0}},)"
        R"("first_order":{{"id":"o{0}","placed_at":"2026-12-{1:02}T10:00:00+08:00","amount":"300.00",)"
        R"("completed_at":"2026-12-{2:02}T10:00:00+08:00","refunded":{3},"returned":false,"exchanged":false}}}})",
        i, 8 + i % 20, 10 + i % 20, refunded ? "true" : "false");
  }
  s += "]}";
  return s;
}

}  // namespace
}  // namespace refpol::bench

int main(int argc, char** argv) {
  using namespace refpol;
  using namespace refpol::bench;
  // `refpol-bench [ROOT] [--profile-eval]`: the second runs only (a), longer, for a profiler.
  bool profile_eval = argc > 1 && std::string(argv[argc - 1]) == "--profile-eval";
  if (profile_eval) --argc;
  std::filesystem::path root = argc > 1 ? argv[1] : REFPOL_SOURCE_DIR;
  int passes = 5;
  CompileResult compiled = compile_file((root / "bench/flat/policy.refpol").string());
  if (!compiled.program) {
    std::fputs(render_text(compiled.diagnostics).c_str(), stderr);
    return 2;
  }
  const Program& program = *compiled.program;
  std::vector<std::string> facts_lines = read_gz_lines((root / "bench/flat/facts.jsonl.gz").string());
  std::vector<std::string> expected = read_gz_lines((root / "bench/flat/expected.jsonl.gz").string());
  if (facts_lines.empty() || facts_lines.size() != expected.size()) {
    std::fprintf(stderr, "refpol-bench: cannot read the workload under %s/bench/flat\n", root.c_str());
    return 2;
  }
  const std::size_t n = facts_lines.size();
  FactsContext ctx{&program.policy.schema, &program.zone, 0};
  DateTime now{};
  EvalOptions options;
  options.now = now;  // the flat policy does not read `now`; a fixed one keeps it explicit

  // Load every record once (not timed).
  std::vector<std::unique_ptr<FactsDocument>> docs;
  docs.reserve(n);
  std::vector<FactsError> errors;
  for (const auto& line : facts_lines) {
    auto doc = std::make_unique<FactsDocument>();
    if (!load_facts_json(line, ctx, *doc, errors)) {
      std::fprintf(stderr, "refpol-bench: bad facts line: %s\n", errors.empty() ? "?" : errors[0].message.c_str());
      return 2;
    }
    docs.push_back(std::move(doc));
  }
  EvalScratch scratch;
  Decision decision;
  EvalError error;

  // Correctness: every decision against expected.jsonl.gz.
  std::size_t mismatches = 0, baseline_mismatches = 0;
  std::vector<FlatRecord> records;
  records.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!evaluate(program, *docs[i], options, scratch, decision, error) || flat_shape(decision) != expected[i]) {
      if (mismatches < 3) {
        std::fprintf(stderr, "mismatch at record %zu:\n  got      %s\n  expected %s\n", i + 1,
                     flat_shape(decision).c_str(), expected[i].c_str());
      }
      ++mismatches;
    }
    records.push_back(to_record(program, *docs[i]));
    if (baseline_shape(records.back(), decide_by_hand(records.back())) != expected[i]) ++baseline_mismatches;
  }

  if (profile_eval) {
    auto t0 = Clock::now();
    for (int pass = 0; pass < 30; ++pass) {
      for (std::size_t i = 0; i < n; ++i) evaluate(program, *docs[i], options, scratch, decision, error);
    }
    std::printf("eval %.0f ns/decision\n", std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / (30.0 * n));
    // The same, with each document evaluated while it is in cache (as a service does right after
    // loading it): 8 documents at a time, each 4 times.
    t0 = Clock::now();
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      for (int k = 0; k < 4; ++k) {
        for (std::size_t j = i; j < i + 8; ++j) evaluate(program, *docs[j], options, scratch, decision, error);
      }
    }
    t0 = Clock::now();
    for (int k = 0; k < 1000000; ++k) evaluate(program, *docs[k % 4], options, scratch, decision, error);
    std::printf("eval of 4 documents in a loop %.0f ns/decision\n", std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 1e6);
    std::printf("eval in cache %.0f ns/decision\n", std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / (4.0 * (n / 8 * 8)));
    return 0;
  }
  // (a) evaluation of loaded facts.
  std::vector<double> eval_ns;
  for (int pass = 0; pass < passes; ++pass) {
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) evaluate(program, *docs[i], options, scratch, decision, error);
    eval_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(n));
  }
  // (c) the baseline: the policy by hand, on the same loaded facts, filling the same Decision.
  FactsBaseline by_hand(program);
  std::size_t facts_baseline_mismatches = 0;
  for (std::size_t i = 0; i < n; ++i) {
    by_hand.decide(*docs[i], decision);
    if (flat_shape(decision) != expected[i]) ++facts_baseline_mismatches;
  }
  std::vector<double> facts_base_ns;
  for (int pass = 0; pass < passes; ++pass) {
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) by_hand.decide(*docs[i], decision);
    facts_base_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(n));
  }
  // And the same policy on plain structs with integer cents: the floor of what any C++ can do.
  std::vector<double> base_ns;
  std::int64_t sink = 0;
  for (int pass = 0; pass < passes; ++pass) {
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      FlatDecision d = decide_by_hand(records[i]);
      sink += d.value_cents + (d.eligible ? 1 : 0) + (d.referee_reward ? 2 : 0) + d.tier[0];
    }
    base_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(n));
  }
  // (b) end to end: JSON text -> facts -> decision -> JSON text.
  std::vector<double> e2e_ns;
  FactsDocument doc;
  std::string out;
  out.reserve(1 << 12);
  std::size_t bytes = 0;
  for (int pass = 0; pass < passes; ++pass) {
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      errors.clear();
      load_facts_json(facts_lines[i], ctx, doc, errors);
      evaluate(program, doc, options, scratch, decision, error);
      out.clear();
      write_decision_json(decision, out);
      bytes += out.size();
    }
    e2e_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / static_cast<double>(n));
  }

  std::printf("flat workload: %zu records, %d timed passes each, median reported (sink %lld, %zu bytes)\n", n, passes,
              static_cast<long long>(sink % 10), bytes / static_cast<std::size_t>(passes));
  std::printf("baseline self-check mismatches: facts baseline %zu, struct baseline %zu\n", facts_baseline_mismatches,
              baseline_mismatches);
  std::printf("hand-written on plain structs (integer cents, no decision built): %.1f ns/decision\n", median(base_ns));

  // Growth with the number of referrals, under the seed 000 campaign policy.
  std::filesystem::path seed = root / "policies/old-friends/policy.refpol";
  if (std::filesystem::exists(seed)) {
    CompileResult seed_compiled = compile_file(seed.string());
    if (seed_compiled.program) {
      const Program& sp = *seed_compiled.program;
      FactsContext sctx{&sp.policy.schema, &sp.zone, 0};
      std::printf("growth under %s:\n", seed.lexically_relative(root).c_str());
      double per_referral_first = 0;
      for (int count : {10, 100, 1000, 10000}) {
        std::string text = growth_facts(count);
        FactsDocument gdoc;
        errors.clear();
        if (!load_facts_json(text, sctx, gdoc, errors)) {
          std::printf("  %d referrals: facts error %s at %s\n", count, errors.empty() ? "?" : errors[0].message.c_str(),
                      errors.empty() ? "" : errors[0].path.c_str());
          continue;
        }
        int reps = std::max(3, 20000 / count);
        std::vector<double> ns;
        for (int k = 0; k < 5; ++k) {
          auto t0 = Clock::now();
          for (int r = 0; r < reps; ++r) evaluate(sp, gdoc, EvalOptions{}, scratch, decision, error);
          ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / reps);
        }
        double m = median(ns);
        if (per_referral_first == 0) per_referral_first = m / count;
        std::printf("  %5d referrals: %10.0f ns/decision, %6.1f ns/referral (x%.2f of the 10-referral rate), %zu rewards\n",
                    count, m, m / count, (m / count) / per_referral_first, decision.rewards.size());
      }
    } else {
      std::fputs(render_text(seed_compiled.diagnostics).c_str(), stderr);
    }
  }

  double a = median(eval_ns), b = median(facts_base_ns), e = median(e2e_ns);
  std::printf("flat: eval %.0f ns/decision, baseline %.1f ns/decision, ratio %.1f, end-to-end %.0f ns/decision, mismatches %zu\n",
              a, b, a / b, e, mismatches);
  return mismatches == 0 ? 0 : 1;
}
