// EventReader and World on hand-written events: a customer record's fields as the world keeps
// them (keys escaped as refpol escapes, values minified as simdjson writes them), ids with
// escapes, unicode and great length, and a whole facts document, every byte worked out by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/simulate/world.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim {
namespace {

struct Replay {
  TimeZone utc;
  EventReader reader{utc};
  World world;
  Event event;
  std::string problem;

  // Reads and applies one line; the problem, if any.
  std::string apply(const std::string& line) {
    problem.clear();
    if (!reader.read(line, event, problem) || !world.apply(event, true, problem)) return problem;
    return "";
  }
};

TEST(EventReader, CustomerFieldsAsTheWorldWritesThem) {
  Replay r;
  // Keys: k"ey (a quote), b<BS>k (a backspace). Values: every JSON kind, strings with and
  // without escapes, a number past int64, nested values with spaces to drop.
  const std::string line =
      R"({"id":"E1","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":true,"customer":{)"
      R"("id":"C\"1","k\"ey":"v\\al","b\bk":"x\by","n":-12,"big":12345678901234567890,"f":4.9,"t":true,)"
      R"("z":null,"arr":[1, "a\u00e9", {"q" : false}],"esc":"\u00e9\n\t\/","plain":"武汉市",)"
      R"("order_count":3,"total_spend":"10.50","shares":2,"last_order_at":"2026-11-01T08:00:00+08:00"}})";
  ASSERT_TRUE(r.reader.read(line, r.event, r.problem)) << r.problem;
  EXPECT_EQ(r.event.type, EventType::customer);
  EXPECT_EQ(r.event.a, "C\"1");
  EXPECT_TRUE(r.event.flag);
  // refpol's json_escape writes a backspace in a key as \u0008; simdjson writes it as \b in a value.
  EXPECT_EQ(r.event.record,
            R"("id":"C\"1","k\"ey":"v\\al","b\u0008k":"x\by","n":-12,"big":12345678901234567890,"f":4.9,"t":true,)"
            R"("z":null,"arr":[1,"aé",{"q":false}],"esc":"é\n\t/","plain":"武汉市",)");
  const std::vector<std::pair<std::string, std::string>> counters = {
      {"order_count", "3"},
      {"total_spend", "\"10.50\""},
      {"shares", "2"},
      {"last_order_at", "\"2026-11-01T08:00:00+08:00\""}};
  EXPECT_EQ(r.event.counters, counters);
}

TEST(EventReader, AmountsAsWritten) {
  Replay r;
  auto amount = [&](const std::string& json) {
    const std::string line = R"({"id":"E1","ts":"2026-12-01T09:00:00+08:00","type":"order_placed","order":"O1",)"
                             R"("customer":"C1","amount":)" + json + "}";
    r.problem.clear();
    return r.reader.read(line, r.event, r.problem) ? r.event.amount : "error: " + r.problem;
  };
  EXPECT_EQ(amount("128"), "128");
  EXPECT_EQ(amount("\"99.50\""), "\"99.50\"");
  EXPECT_EQ(amount("\"\\u0031\\u0032\""), "\"12\"");  // unescaped between its quotes
  EXPECT_EQ(amount("300.25"), "300.25");
  EXPECT_EQ(amount("12345678901234567890"), "error: `amount` 12345678901234567890 is not an amount");
  EXPECT_EQ(amount("-5"), "error: `amount` -5 is not an amount");
  EXPECT_EQ(amount("true"), "error: `amount` must be a number or a string holding one");
}

// The counters the replay moves on (order_count, total_spend, shares, last_order_at) are checked
// when the record is read: a wrong type or a missing one is a bad event, never a silent 0.
TEST(EventReader, CustomerCountersAreCheckedAndNeeded) {
  Replay r;
  auto read = [&](const std::string& counters) {
    const std::string line = R"({"id":"E1","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":true,"customer":{"id":"C1",)" +
                             counters + "}}";
    r.problem.clear();
    return r.reader.read(line, r.event, r.problem) ? std::string("ok") : r.problem;
  };
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"10.50","shares":0)"), "ok");
  EXPECT_EQ(read(R"("order_count":3,"total_spend":1e2,"shares":0,"last_order_at":null)"), "ok");
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"10.50","shares":0,"last_order_at":"2026-11-01T08:00:00Z")"), "ok");
  EXPECT_EQ(read(R"("order_count":"five","total_spend":"10.50","shares":0)"), "`customer.order_count` must be a whole number, 0 or more (at most 9223372036854775807)");
  EXPECT_EQ(read(R"("order_count":-1,"total_spend":"10.50","shares":0)"), "`customer.order_count` must be a whole number, 0 or more (at most 9223372036854775807)");
  EXPECT_EQ(read(R"("order_count":18446744073709551615,"total_spend":"10.50","shares":0)"),
            "`customer.order_count` must be a whole number, 0 or more (at most 9223372036854775807)");
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"12345678901234567890123456789.5","shares":0)"),
            "`customer.total_spend` 12345678901234567890123456789.5 is too large for an amount");
  EXPECT_EQ(read(R"("order_count":2.5,"total_spend":"10.50","shares":0)"), "`customer.order_count` must be a whole number, 0 or more (at most 9223372036854775807)");
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"10.50","shares":null)"), "`customer.shares` must be a whole number, 0 or more (at most 9223372036854775807)");
  const std::string spend = "`customer.total_spend` must be an amount of 0 or more (a number or a string holding one)";
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"abc","shares":0)"), spend);
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"-1.00","shares":0)"), spend);
  EXPECT_EQ(read(R"("order_count":3,"total_spend":true,"shares":0)"), spend);
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"10.50","shares":0,"last_order_at":5)"),
            "`customer.last_order_at` must be a date-time or null");
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"10.50","shares":0,"last_order_at":"2026-11-01")"),
            "`customer.last_order_at`: `2026-11-01` has no UTC offset: write the time and its offset, as in "
            "2026-12-08T10:15:00+08:00");
  EXPECT_EQ(read(R"("total_spend":"10.50","shares":0)"), "missing key `customer.order_count` (the replay counts on from it)");
  EXPECT_EQ(read(R"("order_count":3,"shares":0)"), "missing key `customer.total_spend` (the replay counts on from it)");
  EXPECT_EQ(read(R"("order_count":3,"total_spend":"10.50")"), "missing key `customer.shares` (the replay counts on from it)");
}

// A replaced record's counters are taken as they stand: a `last_order_at` of null (or none) is
// none, not the earlier record's.
TEST(World, AReplacedRecordWithoutALastOrderHasNone) {
  Replay r;
  const std::string head = R"({"ts":"2026-12-01T09:00:00+08:00","type":"customer","new":false,"customer":{"id":"C1","order_count":0,"total_spend":"0","shares":0)";
  ASSERT_EQ(r.apply(R"({"id":"E1",)" + head.substr(1) + R"(,"last_order_at":"2026-11-01T08:00:00+08:00"}})"), "");
  ASSERT_TRUE(r.world.customers()[0].last_order_at.has_value());
  ASSERT_EQ(r.apply(R"({"id":"E2",)" + head.substr(1) + R"(,"last_order_at":null}})"), "");
  EXPECT_FALSE(r.world.customers()[0].last_order_at.has_value());
  ASSERT_EQ(r.apply(R"({"id":"E3",)" + head.substr(1) + R"(,"last_order_at":"2026-11-02T08:00:00+08:00"}})"), "");
  ASSERT_EQ(r.apply(R"({"id":"E4",)" + head.substr(1) + "}}"), "");
  EXPECT_FALSE(r.world.customers()[0].last_order_at.has_value());
}

// `ts` names an instant; a key given twice (in the event or its record) is a bad event, not the
// first or the last silently.
TEST(EventReader, TimesNeedAnOffsetAndKeysComeOnce) {
  Replay r;
  auto read = [&](const std::string& line) {
    r.problem.clear();
    return r.reader.read(line, r.event, r.problem) ? std::string("ok") : r.problem;
  };
  EXPECT_EQ(read(R"({"id":"E1","ts":"2026-12-08T11:00:00Z","type":"share","customer":"C1","share":"S1","platform":"x"})"), "ok");
  EXPECT_EQ(read(R"({"id":"E1","ts":"2026-12-08T11:00:00","type":"share","customer":"C1","share":"S1","platform":"x"})"),
            "`ts`: `2026-12-08T11:00:00` has no UTC offset: write the time and its offset, as in 2026-12-08T10:15:00+08:00");
  EXPECT_EQ(read(R"({"id":"E1","ts":"2026-12-08","type":"share","customer":"C1","share":"S1","platform":"x"})"),
            "`ts`: `2026-12-08` has no UTC offset: write the time and its offset, as in 2026-12-08T10:15:00+08:00");
  EXPECT_EQ(read(R"({"id":"E1","ts":"2026-12-08T11:00:00+08:00","type":"share","customer":"C1","customer":"C9","share":"S1","platform":"x"})"),
            "key `customer` is given twice");
  EXPECT_EQ(read(R"({"id":"E1","ts":"2026-12-08T11:00:00+08:00","type":"customer","new":true,"customer":{"id":"C1","order_count":1,"total_spend":"1","shares":0,"order_count":2}})"),
            "key `customer.order_count` is given twice");
}

// The same id written with and without escapes is one id; a long id and ids that differ only
// past their first bytes are told apart.
TEST(World, IdsWithEscapesUnicodeAndLength) {
  Replay r;
  const std::string long_id(5000, 'L');
  auto customer = [](const std::string& id_json) {
    return R"({"id":"E1","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":true,"customer":{"order_count":0,"total_spend":"0","shares":0,"id":)" + id_json + "}}";
  };
  ASSERT_EQ(r.apply(customer("\"Cé\"")), "");
  ASSERT_EQ(r.apply(customer("\"" + long_id + "\"")), "");
  ASSERT_EQ(r.apply(customer("\"" + long_id + "M\"")), "");
  ASSERT_EQ(r.apply(customer(R"("C\"q")")), "");
  ASSERT_EQ(r.apply(customer(R"("C\u00e9")")), "");  // Cé again: its record is replaced
  EXPECT_EQ(r.world.customers().size(), 4u);
  EXPECT_EQ(r.world.find_customer("Cé"), 0u);
  EXPECT_EQ(r.world.find_customer(long_id), 1u);
  EXPECT_EQ(r.world.find_customer(long_id + "M"), 2u);
  EXPECT_EQ(r.world.find_customer("C\"q"), 3u);
  EXPECT_EQ(r.world.find_customer("C"), kNone);
  EXPECT_EQ(r.world.customers()[1].id, long_id);
  const std::string bind = R"({"id":"E9","ts":"2026-12-02T09:00:00+08:00","type":"referral_bound","referral":"R\u00e9",)"
                           R"("referrer":")" + long_id + R"(","referee":"C\"q","channel":"x"})";
  ASSERT_EQ(r.apply(bind), "");
  EXPECT_EQ(r.world.find_referral("Ré"), 0u);
  EXPECT_EQ(r.world.referrals()[0].referrer, 1u);
  EXPECT_EQ(r.world.referrals()[0].referee, 3u);
  // The same referral again, written the other way; then an unknown customer, by one byte.
  std::string again = bind;
  again.replace(again.find("R\\u00e9"), 7, "Ré");
  EXPECT_EQ(r.apply(again), "referral `Ré` already exists");
  std::string unknown = bind;
  unknown.replace(unknown.find("R\\u00e9"), 7, "R2");
  unknown.replace(unknown.find(long_id), long_id.size(), long_id + "L");
  EXPECT_EQ(r.apply(unknown), "customer `" + long_id + "L` is not known (no earlier event created it)");
  EXPECT_EQ(r.world.referrals().size(), 1u);
}

// A referrer with a referee, an order, a community, an organisation and a share: the whole
// facts document, and what each event touched.
// An order placed changes its customer's own facts in nothing (their record's counters move when
// it completes): the customer is touched with no change, their referrer with one. A customer
// who is their own referrer (a self-referral) is touched with a change. A customer is referred
// once: a second binding is a bad event.
TEST(World, AnOrderPlacedChangesOnlyTheFactsOfWhoReferredItsCustomer) {
  Replay r;
  const std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":false,"customer":{"id":"C0","kind":"purchase","order_count":5,"total_spend":"100.00","shares":0}})",
      R"({"id":"E2","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":false,"customer":{"id":"C1","kind":"purchase","order_count":5,"total_spend":"100.00","shares":0}})",
      R"({"id":"E3","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":true,"customer":{"id":"F1","kind":"purchase","order_count":0,"total_spend":0,"shares":0}})",
      R"({"id":"E4","ts":"2026-12-02T10:00:00+08:00","type":"referral_bound","referral":"R1","referrer":"C0","referee":"C1","channel":"link"})",
      R"({"id":"E5","ts":"2026-12-02T10:00:00+08:00","type":"referral_bound","referral":"R2","referrer":"C1","referee":"F1","channel":"link"})",
      R"({"id":"E6","ts":"2026-12-03T10:00:00+08:00","type":"order_placed","order":"O1","customer":"C1","amount":"99.50"})",
  };
  for (const std::string& line : lines) ASSERT_EQ(r.apply(line), "") << line;
  // C1 (index 1) first, unchanged; then C0 (index 0), whose referral R1 has C1's new order.
  EXPECT_EQ(r.world.touched(), (std::vector<Index>{1, 0}));
  EXPECT_EQ(r.world.touched_facts_changed(), (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(r.apply(R"({"id":"E7","ts":"2026-12-03T11:00:00+08:00","type":"referral_bound","referral":"R3","referrer":"C1","referee":"C1","channel":"link"})"),
            "customer `C1` is already bound, by referral `R1` of `C0`: a customer is referred once, and the first binding "
            "stands");
  EXPECT_EQ(r.world.referrals().size(), 2u);
  ASSERT_EQ(r.apply(R"({"id":"E8","ts":"2026-12-03T11:00:00+08:00","type":"referral_bound","referral":"R4","referrer":"C0","referee":"C0","channel":"link"})"), "");
  ASSERT_EQ(r.apply(R"({"id":"E9","ts":"2026-12-03T12:00:00+08:00","type":"order_placed","order":"O2","customer":"C0","amount":"10.00"})"), "");
  EXPECT_EQ(r.world.touched(), (std::vector<Index>{0}));
  EXPECT_EQ(r.world.touched_facts_changed(), (std::vector<std::uint8_t>{1}));
}

TEST(World, FactsDocumentWrittenByHand) {
  Replay r;
  const std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":false,"customer":{"id":"C1","kind":"purchase","order_count":5,"total_spend":"100.00","shares":0}})",
      R"({"id":"E2","ts":"2026-12-01T10:00:00+08:00","type":"customer","new":true,"customer":{"id":"F\"1","order_count":0,"total_spend":0,"shares":0,"last_order_at":null}})",
      R"({"id":"E3","ts":"2026-12-02T10:00:00+08:00","type":"referral_bound","referral":"R1","referrer":"C1","referee":"F\"1","channel":"li\"nk"})",
      R"({"id":"E4","ts":"2026-12-03T10:00:00+08:00","type":"order_placed","order":"O1","customer":"F\"1","amount":"99.50"})",
      R"({"id":"E5","ts":"2026-12-04T10:00:00+08:00","type":"order_completed","order":"O1"})",
      R"({"id":"E6","ts":"2026-12-04T11:00:00+08:00","type":"review_flagged","order":"O1","flag":"fraud"})",
      R"({"id":"E7","ts":"2026-12-05T10:00:00+08:00","type":"community_created","community":"G1","owner":"C1"})",
      R"({"id":"E8","ts":"2026-12-05T11:00:00+08:00","type":"community_joined","community":"G1","customer":"F\"1","is_new":true})",
      R"({"id":"E9","ts":"2026-12-05T12:00:00+08:00","type":"organisation_created","organisation":"Org1","name":"Acme \"Co\"","organiser":"C1"})",
      R"({"id":"E10","ts":"2026-12-05T13:00:00+08:00","type":"organisation_joined","organisation":"Org1","customer":"F\"1"})",
      R"({"id":"E11","ts":"2026-12-06T09:00:00+08:00","type":"share","customer":"C1","share":"S1","platform":"wechat"})",
  };
  // Who each event touched: nobody is a referrer before the referral; from then on C1.
  const std::vector<std::vector<Index>> touched = {{}, {}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(r.apply(lines[i]), "") << lines[i];
    EXPECT_EQ(r.world.touched(), touched[i]) << lines[i];
  }
  // The referee's record may have changed at its record event, its completed and its flagged
  // order: three times (placing an order moves none of the record's counters); the referral with
  // the placed, completed and flagged order; the order when completed and when flagged.
  EXPECT_EQ(r.world.customers()[1].version, 3u);
  EXPECT_EQ(r.world.referrals()[0].version, 3u);
  EXPECT_EQ(r.world.orders()[0].version, 2u);
  const std::string referee =
      R"({"id":"F\"1","order_count":1,"total_spend":"99.50","shares":0,"last_order_at":"2026-12-04T10:00:00+08:00"})";
  const std::string order =
      R"({"id":"O1","placed_at":"2026-12-03T10:00:00+08:00","amount":"99.50","completed_at":"2026-12-04T10:00:00+08:00",)"
      R"("refunded":false,"returned":false,"exchanged":false,"review_flag":"fraud","flagged_at":"2026-12-04T11:00:00+08:00"})";
  const std::string referral = R"({"id":"R1","referee":)" + referee +
                               R"(,"bound_at":"2026-12-02T10:00:00+08:00","channel":"li\"nk","first_order":)" + order +
                               R"(,"orders":[)" + order + "]}";
  EXPECT_EQ(r.world.referral_json(0), referral);
  const std::string before = R"({"now":"2026-12-07T00:00:00+08:00",)"
                             R"("referrer":{"id":"C1","kind":"purchase","order_count":5,"total_spend":"100.00","shares":1,"last_order_at":null},)"
                             R"("referrals":[)";
  const std::string after =
      R"(],"campaign":{"budget_spent":"12.30","rewarded_referrers":4},)"
      R"("community":{"id":"G1","members":[{"id":"F\"1","joined_at":"2026-12-05T11:00:00+08:00","is_new":true,"completed_orders":1}]},)"
      R"("organisation":{"id":"Org1","name":"Acme \"Co\"","organiser_id":"C1","members":[)" + referee + "]},"
      R"("share_events":[{"id":"S1","shared_at":"2026-12-06T09:00:00+08:00","platform":"wechat"}]})";
  DateTime now;
  std::string ignored, text;
  ASSERT_TRUE(parse_datetime("2026-12-07T00:00:00+08:00", r.utc, now, ignored));
  r.world.facts_json(0, now, "12.30", 4, text);
  EXPECT_EQ(text, before + referral + after);
  r.world.facts_json(0, now, "12.30", 4, text, FactsParts{true, false, true, true, true});
  EXPECT_EQ(text, before + after);
  // Every part left out: the community and organisation null, the shares empty; each part's
  // text on its own is what the whole text has in its place.
  const std::string community =
      R"({"id":"G1","members":[{"id":"F\"1","joined_at":"2026-12-05T11:00:00+08:00","is_new":true,"completed_orders":1}]})";
  const std::string organisation = R"({"id":"Org1","name":"Acme \"Co\"","organiser_id":"C1","members":[)" + referee + "]}";
  r.world.facts_json(0, now, "12.30", 4, text, FactsParts{true, false, false, false, false});
  EXPECT_EQ(text, before + R"(],"campaign":{"budget_spent":"12.30","rewarded_referrers":4},)"
                           R"("community":null,"organisation":null,"share_events":[]})");
  std::string part;
  r.world.community_json(0, part);
  EXPECT_EQ(part, community);
  part.clear();
  r.world.organisation_json(0, part);
  EXPECT_EQ(part, organisation);
  EXPECT_NE(after.find(R"("community":)" + community + R"(,"organisation":)" + organisation + ","), std::string::npos);
  // A customer with neither has null for both.
  part.clear();
  r.world.community_json(1, part);
  r.world.organisation_json(1, part);
  EXPECT_EQ(part, "nullnull");
  // Forgotten, the referral's text is written again the same.
  r.world.forget_referral_json(0);
  EXPECT_EQ(r.world.referral_json(0), referral);

  // The order refunded: it no longer counts for the referee (in the referral, the community's
  // completed_orders and the organisation's members); a second share, with a quote in its id.
  ASSERT_EQ(r.apply(R"({"id":"E12","ts":"2026-12-08T09:00:00+08:00","type":"order_refunded","order":"O1"})"), "");
  ASSERT_EQ(r.apply(R"({"id":"E13","ts":"2026-12-08T10:00:00+08:00","type":"share","customer":"C1","share":"S\"2","platform":"weibo"})"),
            "");
  const std::string referee_2 =
      R"({"id":"F\"1","order_count":0,"total_spend":"0.00","shares":0,"last_order_at":"2026-12-04T10:00:00+08:00"})";
  const std::string order_2 =
      R"({"id":"O1","placed_at":"2026-12-03T10:00:00+08:00","amount":"99.50","completed_at":"2026-12-04T10:00:00+08:00",)"
      R"("refunded":true,"returned":false,"exchanged":false,"review_flag":"fraud","flagged_at":"2026-12-04T11:00:00+08:00"})";
  const std::string facts_2 =
      R"({"now":"2026-12-07T00:00:00+08:00",)"
      R"("referrer":{"id":"C1","kind":"purchase","order_count":5,"total_spend":"100.00","shares":2,"last_order_at":null},)"
      R"("referrals":[{"id":"R1","referee":)" + referee_2 +
      R"(,"bound_at":"2026-12-02T10:00:00+08:00","channel":"li\"nk","first_order":)" + order_2 + R"(,"orders":[)" +
      order_2 + "]}" +
      R"(],"campaign":{"budget_spent":"12.30","rewarded_referrers":4},)"
      R"("community":{"id":"G1","members":[{"id":"F\"1","joined_at":"2026-12-05T11:00:00+08:00","is_new":true,"completed_orders":0}]},)"
      R"("organisation":{"id":"Org1","name":"Acme \"Co\"","organiser_id":"C1","members":[)" + referee_2 + "]},"
      R"("share_events":[{"id":"S1","shared_at":"2026-12-06T09:00:00+08:00","platform":"wechat"},)"
      R"({"id":"S\"2","shared_at":"2026-12-08T10:00:00+08:00","platform":"weibo"}]})";
  r.world.facts_json(0, now, "12.30", 4, text);
  EXPECT_EQ(text, facts_2);
}

}  // namespace
}  // namespace refpol::sim
