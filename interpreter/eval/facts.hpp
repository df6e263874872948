// Facts: one JSON or YAML document checked against the policy's schema and held as runtime
// values. Every problem names the field's path, its line and column, and what was expected.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/check/types.hpp"
#include "interpreter/eval/value.hpp"

namespace refpol {

// Limits on a facts document; each is documented in docs/facts.md and tested.
inline constexpr std::size_t kMaxFactsBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxFactsDepth = 64;
inline constexpr std::size_t kMaxFactsListItems = 100000;
inline constexpr std::size_t kMaxFactsStringBytes = 64 * 1024;

struct FactsError {
  std::string path;  // `referrals[3].first_order.amount`, or empty for the document itself
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string message;  // `expected an amount (a number), got a string`
  bool syntax = false;  // the text is not well-formed JSON (or invalid UTF-8), as opposed to
                        // well-formed facts that do not fit the policy's schema or limits
};

// What the loader needs to know about the policy.
struct FactsContext {
  const Schema* schema = nullptr;
  const TimeZone* zone = nullptr;  // for date-times written without an offset
  std::uint16_t currency_unit = 0;  // unit id of `money` fields
};

// A reward the caller has already paid: an entry of the document's top-level `paid`.
struct PaidReward {
  std::string key;  // the reward's `key`
  Decimal value;    // what was paid for it, in the policy's currency; zero when given as null
};

struct FactsDocument {
  Arena arena;
  const RecordV* root = nullptr;
  std::optional<DateTime> now;  // the document's top-level `now`, if it has one
  // The document's top-level `paid` (docs/facts.md), sorted by key; empty without one. The
  // budget charges these rewards first (EvalOptions::paid, when given, is used instead).
  std::vector<PaidReward> paid;

  void reset() {
    arena.reset();
    root = nullptr;
    now.reset();
    paid.clear();
  }
};

// Whether schema record `record` is the standard Campaign (stdlib: `budget_spent: money` and
// `rewarded_referrers: int`, nothing else), and if so the slots of those two counters.
bool standard_campaign_counters(const Schema& schema, int record, int& spent, int& rank);

// Parse `text` into `out` (reset first). On failure returns false with at least one error; never
// throws, never reads past the limits above.
bool load_facts_json(std::string_view text, const FactsContext& ctx, FactsDocument& out,
                     std::vector<FactsError>& errors);
// Reads `text`, one JSON object, as a value of schema record `record` standing at nesting `depth`
// of a larger document (its root object is at 1), into `arena` (not reset). The values, and
// whether they load, are those load_facts_json gives for that object in place, except that the
// document's own size limit is the caller's to check and error paths start at the object. Lets a
// caller keep parts of documents that seldom change parsed (refpol simulate).
// The fields whose bit is set in `caller_fills` (bit i: field i of `record`) are the caller's to
// put in: their values in the text are only checked as a value nobody reads is (well-formed JSON,
// within the depth limit), they may be left out, and they stay absent in `out`.
bool load_facts_json_record(std::string_view text, const FactsContext& ctx, int record,
                            std::size_t depth, Arena& arena, const RecordV*& out,
                            std::vector<FactsError>& errors, std::uint64_t caller_fills = 0);
bool load_facts_yaml(std::string_view text, const FactsContext& ctx, FactsDocument& out,
                     std::vector<FactsError>& errors);

// `path:line:col: error: message` lines for people, in the style of policy diagnostics.
std::string render_facts_error(const std::string& file, const FactsError& e);

}  // namespace refpol
