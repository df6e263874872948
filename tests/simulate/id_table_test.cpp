// IdTable and StableVector, the world's storage: numbering in order, lookups through collisions
// of every kind (forced with test hashes), growth, and ids with unusual bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/simulate/id_table.hpp"
#include "interpreter/simulate/stable_vector.hpp"

namespace refpol::sim {
namespace {

// Adds `ids` in order, each new, then checks each is found with its number.
void add_and_find(IdTable& t, const std::vector<std::string>& ids) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    bool added = false;
    ASSERT_EQ(t.insert(ids[i], added), i) << ids[i];
    ASSERT_TRUE(added) << ids[i];
  }
  ASSERT_EQ(t.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(t.find(ids[i]), i) << ids[i];
    ASSERT_EQ(t.id(static_cast<std::uint32_t>(i)), ids[i]);
    bool added = true;
    ASSERT_EQ(t.insert(ids[i], added), i) << ids[i];
    ASSERT_FALSE(added) << ids[i];
  }
  ASSERT_EQ(t.size(), ids.size());
}

std::vector<std::string> numbered(const std::string& prefix, std::size_t n) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < n; ++i) ids.push_back(prefix + std::to_string(i));
  return ids;
}

TEST(IdTable, NumbersIdsInTheOrderAdded) {
  IdTable t;
  EXPECT_EQ(t.find("E1"), IdTable::kMissing);  // empty: no slots yet
  add_and_find(t, {"E1", "C-1", "E2", "R-1"});
  EXPECT_EQ(t.find("E3"), IdTable::kMissing);
  EXPECT_EQ(t.find("E"), IdTable::kMissing);
  EXPECT_EQ(t.find("E11"), IdTable::kMissing);
  EXPECT_EQ(t.find(""), IdTable::kMissing);
}

TEST(IdTable, GrowsThroughManyDoublings) {
  IdTable t;
  const std::vector<std::string> ids = numbered("E", 200000);
  add_and_find(t, ids);
  EXPECT_EQ(t.find("E200000"), IdTable::kMissing);
  EXPECT_EQ(t.find("E-1"), IdTable::kMissing);
}

// Every id has the same hash: found by comparing the ids themselves, also ids that are
// prefixes of one another, and the empty id.
TEST(IdTable, EveryHashTheSame) {
  IdTable t([](std::string_view) -> std::uint64_t { return 42; });
  std::vector<std::string> ids = numbered("C", 300);
  ids.push_back("");
  ids.push_back("C1000");
  ids.push_back("C10000");
  add_and_find(t, ids);
  EXPECT_EQ(t.find("C300"), IdTable::kMissing);
  EXPECT_EQ(t.find("C100000"), IdTable::kMissing);
}

// A slot tells ids apart by their length and first 8 bytes before it reads their text: with
// every hash the same, ids alike in their first 8 bytes, ids that differ only by a trailing zero
// byte, and ids of 15 bytes and more (whose length the slot does not hold) are all told apart.
TEST(IdTable, IdsAlikeInTheirFirstBytesOrLength) {
  IdTable t([](std::string_view) -> std::uint64_t { return 7; });
  using namespace std::string_literals;
  add_and_find(t, {"ABCDEFGH", "ABCDEFGH1", "ABCDEFGH2", "AB", "AB\0"s, "AB\0\0"s, "ABCDEFG", "ABCDEFG\0"s,
                   std::string(15, 'x'), std::string(16, 'x'), std::string(30, 'x'), std::string(15, 'x') + "y"});
  EXPECT_EQ(t.find("ABCDEFGH3"), IdTable::kMissing);
  EXPECT_EQ(t.find("AB\0\0\0"s), IdTable::kMissing);
  EXPECT_EQ(t.find(std::string(17, 'x')), IdTable::kMissing);
  EXPECT_EQ(t.find("A"), IdTable::kMissing);
}

// The slot comes from the top bits of the hash's high half (the tag): ids with small tags share
// the first slot but differ in their tags; ids with tags near the top fill the last slots and
// wrap around to the first, also while the table grows; ids whose hashes differ only in the low
// half have the same tag and slot.
TEST(IdTable, CollisionsInTheSlotOrInTheTag) {
  IdTable same_slot([](std::string_view id) -> std::uint64_t { return std::uint64_t{id.size()} << 32; });
  add_and_find(same_slot, {"a", "bb", "ccc", "dddd", "eeeee"});
  EXPECT_EQ(same_slot.find("zz"), IdTable::kMissing);  // the hash of "bb"

  IdTable wrapping([](std::string_view id) -> std::uint64_t { return (0xFFFFFFFFull - id.size()) << 32; });
  std::vector<std::string> ids;
  for (std::size_t n = 1; n <= 40; ++n) ids.push_back(std::string(n, 'k'));
  add_and_find(wrapping, ids);
  EXPECT_EQ(wrapping.find(std::string(41, 'k')), IdTable::kMissing);

  IdTable same_tag([](std::string_view id) -> std::uint64_t { return id.size(); });
  add_and_find(same_tag, numbered("x", 100));
}

// Ids as the world gets them from JSON: unescaped, so with quotes, backslashes, NUL bytes,
// any UTF-8, and as long as a line allows.
TEST(IdTable, UnusualBytesAndLongIds) {
  IdTable t;
  const std::string long_a(100000, 'L');
  std::string long_b = long_a;
  long_b.back() = 'M';
  std::string with_nul("C\0" "1", 3);
  std::string with_nul_2("C\0" "2", 3);
  add_and_find(t, {"C\"1", "C\\1", "Cé", "C😀", with_nul, with_nul_2, long_a, long_b, "C\n", std::string(8, '\0'),
                   std::string(9, '\0')});
  EXPECT_EQ(t.find("C"), IdTable::kMissing);
  EXPECT_EQ(t.find(long_a + "L"), IdTable::kMissing);
  EXPECT_EQ(t.find(std::string(7, '\0')), IdTable::kMissing);
}

TEST(IdTable, HashDependsOnEveryByteAndTheLength) {
  EXPECT_EQ(IdTable::hash_id("E12345"), IdTable::hash_id(std::string("E12345")));
  EXPECT_NE(IdTable::hash_id("a"), IdTable::hash_id(std::string("a\0", 2)));
  EXPECT_NE(IdTable::hash_id(""), IdTable::hash_id(std::string("\0", 1)));
  EXPECT_NE(IdTable::hash_id("abcdefgh1"), IdTable::hash_id("abcdefgh2"));  // past the first word
  EXPECT_NE(IdTable::hash_id("E1"), IdTable::hash_id("E2"));
}

TEST(StableVector, ElementsStayWhereTheyAreAsItGrows) {
  StableVector<std::string, 4> v;
  EXPECT_TRUE(v.empty());
  v.push_back("zero");
  const std::string* first = &v[0];
  for (int i = 1; i < 100; ++i) v.emplace_back() = std::to_string(i);
  EXPECT_EQ(v.size(), 100u);
  EXPECT_EQ(first, &v[0]);
  EXPECT_EQ(v[0], "zero");
  EXPECT_EQ(v[4], "4");  // the first of the second chunk
  EXPECT_EQ(v.back(), "99");
  std::size_t n = 0;
  for (const std::string& s : v) EXPECT_EQ(s, n++ == 0 ? "zero" : std::to_string(n - 1));
  EXPECT_EQ(n, 100u);
}

}  // namespace
}  // namespace refpol::sim
