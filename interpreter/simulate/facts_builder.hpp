// A referrer's facts document for an evaluation, read as load_facts_json reads the text of
// World::facts_json, but put together from parts kept parsed while they do not change: each
// referral (from its shell, its referee's record and its orders), each customer record (from its
// fields and its counters), each order, the community and the organisation, each kept by a
// version the world moves on, and the rest of the document while its text is the same. Only
// the campaign's counters are put in at every evaluation, and `now` when it moved on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/eval/facts.hpp"
#include "interpreter/simulate/world.hpp"

namespace refpol::sim {

// The fields of a customer record type that are counters (kCounterFields), by slot; all ones for
// a record of more fields than a mask holds.
std::uint64_t counter_fields(const RecordInfo& info);

class FactsBuilder {
 public:
  // The parts are all dropped (and read again as needed) when the arena they take is past
  // `collect_bytes` and at least twice what the current ones take.
  static constexpr std::size_t kCollectBytes = 64 * 1024 * 1024;
  FactsBuilder(const FactsContext& ctx, World& world, std::size_t collect_bytes = kCollectBytes);
  FactsBuilder(const FactsBuilder&) = delete;
  FactsBuilder& operator=(const FactsBuilder&) = delete;

  // Fills `out` with the facts of `referrer` as of `now`, with the campaign counters given.
  // Returns what load_facts_json returns for the whole text, with the same values and, on
  // failure, the same errors.
  bool build(Index referrer, const DateTime& now, std::string_view budget_spent,
             std::uint64_t rewarded_referrers, FactsDocument& out, std::vector<FactsError>& errors);
  // The size of the whole text, as the last build() worked it out from the parts' sizes for the
  // size limit; 0 when it did not get that far. (For tests: it must be the text's size.)
  std::size_t whole_size() const { return whole_size_; }

 private:
  // A part kept parsed while its version is the same: a customer, an order, a customer's record
  // part (by Customer::record_version; once put together, the whole record stands for it), a
  // community or an organisation (by World's token), a referral's shell.
  struct Piece {
    bool done = false;
    std::uint64_t version = 0;  // Customer::version, Order::version or World's part token
    const RecordV* value = nullptr;  // null when it does not load on its own
    std::size_t text_size = 0;
    std::size_t bytes = 0;  // of `arena_`
  };
  struct Parsed {
    bool done = false;               // the fields below are for `version`
    std::uint32_t version = 0;       // Referral::version
    // Put together from pieces (by referral_from_pieces) at Referral::fields_version, with this
    // referee's record, whose counters are written in place (set_counters): when only those
    // moved, the referral stands as it is, with its size less the referee's, plus theirs.
    bool from_pieces = false;
    std::uint32_t fields_version = 0;
    const RecordV* referee = nullptr;
    std::size_t size_but_referee = 0;
    const RecordV* value = nullptr;  // null when the referral does not load on its own
    std::size_t text_size = 0;
    std::size_t bytes = 0;  // of `arena_`
    // World::referral_shell_json read (with the referee and orders left to the caller) once: it
    // does not change.
    Piece shell;
  };
  // Without going through the whole text; false when that is needed to get the same answer.
  bool build_from_parts(Index referrer, const DateTime& now, std::string_view budget_spent,
                        std::uint64_t rewarded_referrers, FactsDocument& out);
  const Parsed& parsed(Index referral);
  // The referral's value put together from its shell, its referee and its orders, setting
  // `p.text_size`; null when a part does not load on its own (then its whole text is read).
  const RecordV* referral_from_pieces(Index referral, Parsed& p);
  // A customer record as it stands at depth 4 (a referee, an organisation member), which
  // serves at depth 2 too (the referrer); an order as it stands in `orders` (depth 5), which
  // serves as `first_order` (depth 4) too. The depth only limits what loads.
  const Piece& customer_piece(Index c);
  const Piece& order_piece(Index o);
  // `piece_text_` read into `kept` for `version`.
  const Piece& piece(Piece& kept, std::uint64_t version, int record, std::size_t depth,
                     std::uint64_t caller_fills = 0);
  // A customer record put together from its Customer::record_json (kept by
  // Customer::record_version) and its counters, which move on more often; null when a part does
  // not load on its own.
  const RecordV* customer_from_parts(Index c, std::size_t& text_size);
  // A part of a referrer's document kept parsed while its text is the same.
  struct Kept {
    bool done = false;
    // A rest that holds nothing but the referrer's shares, when there were `shares` of them.
    bool by_shares = false;
    std::size_t shares = 0;
    std::uint64_t caller_fills = 0;  // as given to load_facts_json_record
    std::string text;
    const RecordV* value = nullptr;  // null when it does not load on its own
    std::size_t bytes = 0;           // of `arena_`
  };
  // `text`'s value as a record of type `record` at `depth`, from `kept` when it has the same
  // text; null when it does not load on its own.
  const RecordV* kept_record(Kept& kept, std::string_view text, int record, std::size_t depth,
                             std::uint64_t caller_fills = 0);
  void grow_kept();  // to the number of customers
  // `text` read as a record of type `record` at `depth` into `arena`; null when it does not load
  // on its own (the errors are not needed: the whole text gives them).
  const RecordV* load_part(std::string_view text, int record, std::size_t depth, Arena& arena,
                           std::uint64_t caller_fills = 0);
  // Forgets every parsed referral when most of the arena is taken by outdated ones.
  void collect();

  FactsContext ctx_;
  World& world_;
  int referrals_slot_ = -1;  // of the root record; -1: the schema has no list of records there
  int referral_record_ = -1;
  std::vector<Parsed> parsed_;  // by referral
  std::vector<Piece> customer_pieces_, order_pieces_;  // by customer, by order
  // By customer: `{` + record_json + `}` read with the counters left out, then the whole record
  // put together from it (its other fields are the same values).
  std::vector<Piece> customer_records_;
  // The customer record's counter fields (World::customer_counters_json), where they and every
  // field are within the 64 a load can leave to its caller; 0 if not.
  std::uint64_t counter_fields_ = 0, other_fields_ = 0;
  // Where the counters are of the standard kinds, their slots (-1: not in the schema); they are
  // then made as values by set_counters instead of read from their text.
  struct Counters {
    bool as_values = false, last_order_optional = true;
    int orders = -1, spend = -1, shares = -1, last_order = -1;
  } counters_;
  bool set_counters(const Customer& k, const RecordV& record);
  std::string time_text_;
  // The last `now` given to build_from_parts, its text, and what load_facts_json reads from it.
  bool now_kept_ = false, now_loads_ = false;
  DateTime now_in_, now_read_;
  std::string now_text_;
  // Where the schema lets referrals be put together from pieces (and the referrer be one), the
  // slots of the referral's referee, first order and orders, and of the root's referrer; -1 if
  // it does not.
  int referee_slot_ = -1, first_order_slot_ = -1, orders_slot_ = -1, referrer_slot_ = -1;
  int customer_record_ = -1, order_record_ = -1;
  // By referrer: the rest of their document (all but `now`, the campaign and the parts read on
  // their own), written with placeholders for `now` and the campaign; their community and
  // organisation (kept by World::community_token, organisation_token).
  std::vector<Kept> rests_;
  std::vector<Piece> communities_, organisations_;
  int campaign_slot_ = -1, campaign_record_ = -1;  // of the root; -1: not a record there
  // The slots of the standard Campaign's two counters, when the campaign is that record (then it
  // is made as values by campaign_values); -1 if not.
  int campaign_spent_slot_ = -1, campaign_rank_slot_ = -1;
  const RecordV* campaign_values(std::string_view budget_spent, std::uint64_t rewarded_referrers,
                                 Arena& arena) const;
  bool root_has_now_ = false;                      // a schema field named `now` (then: whole text)
  // How `community` and `organisation` are read: in the rest, or on their own (a root field of
  // an optional record type: the rest has null there).
  enum class Read { in_rest, on_its_own };
  struct Optional {
    Read read = Read::in_rest;
    int slot = -1, record = -1;
  };
  Optional community_, organisation_;
  bool shares_read_ = true;  // `share_events` is in the schema (else the rest has it empty)
  std::size_t collect_bytes_;
  Arena arena_;                 // behind every Parsed::value
  std::size_t live_bytes_ = 0;  // of `arena_`, taken by current values
  // Bytes counted by the pieces (and shells) so far: what a referral or customer put together
  // from them takes is the arena's growth less theirs.
  std::size_t counted_bytes_ = 0;
  std::string text_, piece_text_;
  std::size_t whole_size_ = 0;
  std::vector<FactsError> part_errors_;
};

}  // namespace refpol::sim
