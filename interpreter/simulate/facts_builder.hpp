// A referrer's facts document for an evaluation, read as load_facts_json reads the text of
// World::facts_json, but with each referral kept parsed while it does not change, and the rest of
// the document (the referrer, their community, organisation and shares) while its text does not:
// only `now` and the campaign's counters are read at every evaluation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/eval/facts.hpp"
#include "interpreter/simulate/world.hpp"

namespace refpol::sim {

class FactsBuilder {
 public:
  FactsBuilder(const FactsContext& ctx, World& world);
  FactsBuilder(const FactsBuilder&) = delete;
  FactsBuilder& operator=(const FactsBuilder&) = delete;

  // Fills `out` with the facts of `referrer` as of `now`, with the campaign counters given.
  // Returns what load_facts_json returns for the whole text, with the same values and, on
  // failure, the same errors.
  bool build(Index referrer, const DateTime& now, std::string_view budget_spent,
             std::uint64_t rewarded_referrers, FactsDocument& out, std::vector<FactsError>& errors);

 private:
  struct Parsed {
    bool done = false;               // the fields below are for `version`
    std::uint32_t version = 0;       // Referral::version
    const RecordV* value = nullptr;  // null when the referral does not load on its own
    std::size_t text_size = 0;
    std::size_t bytes = 0;  // of `arena_`
  };
  // Without going through the whole text; false when that is needed to get the same answer.
  bool build_from_parts(Index referrer, const DateTime& now, std::string_view budget_spent,
                        std::uint64_t rewarded_referrers, FactsDocument& out);
  const Parsed& parsed(Index referral);
  // The rest of `referrer`'s document (all but `now`, the campaign and the referrals), kept
  // parsed while its text is the same; null when it does not load on its own.
  const RecordV* rest(Index referrer, std::string_view text);
  // Forgets every parsed referral when most of the arena is taken by outdated ones.
  void collect();

  FactsContext ctx_;
  World& world_;
  int referrals_slot_ = -1;  // of the root record; -1: the schema has no list of records there
  int referral_record_ = -1;
  std::vector<Parsed> parsed_;  // by referral
  struct Rest {
    bool done = false;
    std::string text;                // written with placeholders for `now` and the campaign
    const RecordV* value = nullptr;  // null when it does not load on its own
    std::size_t bytes = 0;           // of `arena_`
  };
  std::vector<Rest> rests_;  // by referrer
  int campaign_slot_ = -1, campaign_record_ = -1;  // of the root; -1: not a record there
  bool root_has_now_ = false;                      // a schema field named `now` (then: whole text)
  Arena arena_;                 // behind every Parsed::value
  std::size_t live_bytes_ = 0;  // of `arena_`, taken by current referrals
  std::string text_;
  std::vector<FactsError> part_errors_;
};

}  // namespace refpol::sim
