// Tests for interpreter/eval/time: calendar, parsing, zones (fixed, Asia/Shanghai,
// America/New_York DST), month arithmetic. Epoch values below are computed by hand.
#include "interpreter/eval/time.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <thread>
#include <string>

namespace refpol {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
// 2024-01-01 is day 19723 (1704067200 / 86400); 2024 is leap, 2025 is not.
constexpr std::int32_t kDay2024Jan1 = 19723;
constexpr std::int32_t kDay2026Jan1 = kDay2024Jan1 + 366 + 365;  // 20454
// 2026-12-08 is the 342nd day of 2026: 334 days before December, plus 8.
constexpr std::int32_t kDay2026Dec8 = kDay2026Jan1 + 341;  // 20795

TimeZone zone(const char* name) {
  TimeZone z;
  std::string error;
  EXPECT_TRUE(TimeZone::make(name, z, error)) << name << ": " << error;
  return z;
}

DateTime at(const char* text, const TimeZone& z = TimeZone()) {
  DateTime dt;
  std::string error;
  EXPECT_TRUE(parse_datetime(text, z, dt, error)) << text << ": " << error;
  return dt;
}

std::string parse_failure(const char* text, const TimeZone& z = TimeZone()) {
  DateTime dt{123, 45};
  std::string error;
  EXPECT_FALSE(parse_datetime(text, z, dt, error)) << text;
  EXPECT_EQ(dt.utc_seconds, 123) << "out written on failure for " << text;
  return error;
}

Date day(const char* text) {
  Date d;
  EXPECT_TRUE(parse_date(text, d)) << text;
  return d;
}

TEST(Calendar, LeapYears) {
  EXPECT_TRUE(is_leap_year(2024));
  EXPECT_FALSE(is_leap_year(2023));
  EXPECT_FALSE(is_leap_year(1900));
  EXPECT_TRUE(is_leap_year(2000));
  EXPECT_FALSE(is_leap_year(2100));
  EXPECT_TRUE(is_leap_year(2400));
  EXPECT_EQ(days_in_month(2024, 2), 29u);
  EXPECT_EQ(days_in_month(2023, 2), 28u);
  EXPECT_EQ(days_in_month(2023, 4), 30u);
  EXPECT_EQ(days_in_month(2023, 12), 31u);
}

TEST(Calendar, DayNumbers) {
  EXPECT_EQ(day("1970-01-01").days, 0);
  EXPECT_EQ(day("1969-12-31").days, -1);
  EXPECT_EQ(day("2000-01-01").days, 10957);  // 946684800 / 86400
  EXPECT_EQ(day("2024-01-01").days, kDay2024Jan1);
  EXPECT_EQ(day("2024-02-29").days, kDay2024Jan1 + 31 + 28);
  EXPECT_EQ(day("2024-03-01").days, kDay2024Jan1 + 31 + 29);
  EXPECT_EQ(day("2026-12-08").days, kDay2026Dec8);
  EXPECT_EQ(day("0001-01-01").days, -719162);
  EXPECT_EQ(day("9999-12-31").days, 2932896);
  EXPECT_EQ(make_date(2024, 2, 29).days, kDay2024Jan1 + 59);
}

TEST(Calendar, CivilRoundTrip) {
  for (std::int32_t d : {-719162, -1, 0, 59, 10957, 11016, 19782, 2932896}) {
    int y = 0;
    unsigned m = 0;
    unsigned dd = 0;
    civil(Date{d}, y, m, dd);
    EXPECT_EQ(make_date(y, m, dd).days, d);
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil(Date{kDay2024Jan1 + 59}, y, m, d);
  EXPECT_EQ(y, 2024);
  EXPECT_EQ(m, 2u);
  EXPECT_EQ(d, 29u);
}

TEST(Calendar, ParseDateIsStrict) {
  EXPECT_EQ(to_string(day("2024-02-29")), "2024-02-29");
  EXPECT_EQ(to_string(day("2000-02-29")), "2000-02-29");
  EXPECT_EQ(to_string(day("0001-01-01")), "0001-01-01");
  EXPECT_EQ(to_string(day("9999-12-31")), "9999-12-31");
  Date d{77};
  for (const char* bad :
       {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
        "2024-1-01", "24-01-01", "2024/01/01", " 2024-01-01", "2024-01-01 ", "0000-01-01",
        "+2024-01-01", "10000-01-01", "2024-01-01T00:00", "", "2024-0a-01", "-001-01-01"}) {
    EXPECT_FALSE(parse_date(bad, d)) << bad;
  }
  EXPECT_EQ(d.days, 77);
}

// parse_date and to_string keep the last date they read or wrote: the same date again, another
// one, a bad one after a good one, and back, each give what they give alone, on each thread.
TEST(Calendar, TheLastDateKeptChangesNoAnswer) {
  auto check = [] {
    Date d;
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(parse_date("2026-12-01", d));
      EXPECT_EQ(d.days, 20788);
      ASSERT_TRUE(parse_date("2026-12-01", d));
      EXPECT_EQ(d.days, 20788);
      EXPECT_FALSE(parse_date("2026-12-32", d));
      EXPECT_FALSE(parse_date("2026-12-0", d));
      EXPECT_EQ(d.days, 20788);
      ASSERT_TRUE(parse_date("2024-02-29", d));
      EXPECT_EQ(d.days, kDay2024Jan1 + 59);
      EXPECT_EQ(to_string(Date{20788}), "2026-12-01");
      EXPECT_EQ(to_string(Date{20788}), "2026-12-01");
      EXPECT_EQ(to_string(Date{kDay2024Jan1 + 59}), "2024-02-29");
      EXPECT_EQ(to_string(Date{20788}), "2026-12-01");
      EXPECT_EQ(to_string(DateTime{20788 * kDay + 2 * kHour, 8 * 3600}), "2026-12-01T10:00:00+08:00");
    }
  };
  check();
  std::thread other(check);
  other.join();
}

TEST(Calendar, Weekday) {
  EXPECT_EQ(weekday(day("1970-01-01")), 4u);  // Thursday
  EXPECT_EQ(weekday(day("1970-01-05")), 1u);  // Monday
  EXPECT_EQ(weekday(day("1969-12-28")), 7u);  // Sunday
  EXPECT_EQ(weekday(day("2000-01-01")), 6u);  // Saturday
  EXPECT_EQ(weekday(day("2024-02-29")), 4u);  // Thursday
  EXPECT_EQ(weekday(day("2026-12-08")), 2u);  // Tuesday
  EXPECT_EQ(weekday(day("0001-01-01")), 1u);  // Monday, proleptic Gregorian
}

TEST(Calendar, AddMonthsClampsToMonthEnd) {
  Date out;
  ASSERT_TRUE(add_months(day("2024-01-31"), 1, out));
  EXPECT_EQ(to_string(out), "2024-02-29");
  ASSERT_TRUE(add_months(day("2023-01-31"), 1, out));
  EXPECT_EQ(to_string(out), "2023-02-28");
  ASSERT_TRUE(add_months(day("2023-12-31"), 2, out));
  EXPECT_EQ(to_string(out), "2024-02-29");
  ASSERT_TRUE(add_months(day("2024-03-31"), -1, out));
  EXPECT_EQ(to_string(out), "2024-02-29");
  ASSERT_TRUE(add_months(day("2024-01-31"), -2, out));
  EXPECT_EQ(to_string(out), "2023-11-30");
  ASSERT_TRUE(add_months(day("2024-02-29"), 12, out));
  EXPECT_EQ(to_string(out), "2025-02-28");
  ASSERT_TRUE(add_months(day("2024-01-15"), 25, out));
  EXPECT_EQ(to_string(out), "2026-02-15");
  ASSERT_TRUE(add_months(day("2024-05-31"), 0, out));
  EXPECT_EQ(to_string(out), "2024-05-31");
  EXPECT_FALSE(add_months(day("9999-12-01"), 1, out));
  EXPECT_FALSE(add_months(day("0001-01-31"), -1, out));
  EXPECT_FALSE(add_months(day("2024-01-01"), std::numeric_limits<std::int32_t>::max(), out));
}

TEST(TimeZones, FixedOffsetsAndUtc) {
  const TimeZone utc;
  EXPECT_EQ(utc.name(), "UTC");
  EXPECT_EQ(utc.offset_at(0), 0);
  EXPECT_TRUE(utc.is_fixed());

  const TimeZone plus8 = zone("+08:00");
  EXPECT_EQ(plus8.name(), "+08:00");
  EXPECT_EQ(plus8.offset_at(1700000000), 8 * kHour);
  EXPECT_EQ(plus8.to_utc(8 * kHour), 0);

  const TimeZone minus530 = zone("-05:30");
  EXPECT_EQ(minus530.offset_at(0), -(5 * kHour + 30 * 60));
  EXPECT_EQ(zone("UTC").offset_at(1700000000), 0);
  EXPECT_EQ(zone("+18:00").offset_at(0), 18 * kHour);
}

TEST(TimeZones, InvalidNamesAreRejectedWithAMessage) {
  TimeZone z = zone("+08:00");
  std::string error;
  EXPECT_FALSE(TimeZone::make("Mars/Base", z, error));
  EXPECT_EQ(error, "unknown time zone `Mars/Base`");
  EXPECT_EQ(z.name(), "+08:00");  // untouched
  for (const char* bad : {"", "+8:00", "+08", "+0800", "+08:60", "08:00", "+08:00 ", "utc+8",
                          "Asia/Shanghai/", "../zoneinfo/UTC"}) {
    error.clear();
    EXPECT_FALSE(TimeZone::make(bad, z, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  EXPECT_FALSE(TimeZone::make("+19:00", z, error));
  EXPECT_FALSE(TimeZone::make("-18:01", z, error));
}

TEST(TimeZones, Shanghai) {
  const TimeZone shanghai = zone("Asia/Shanghai");
  EXPECT_EQ(shanghai.name(), "Asia/Shanghai");
  EXPECT_FALSE(shanghai.is_fixed());
  const std::int64_t dec8 = std::int64_t{kDay2026Dec8} * kDay;
  EXPECT_EQ(shanghai.offset_at(dec8), 8 * kHour);
  EXPECT_EQ(shanghai.offset_at(std::int64_t{kDay2024Jan1 + 182} * kDay), 8 * kHour);  // July
  EXPECT_EQ(shanghai.to_utc(dec8 + 10 * kHour), dec8 + 2 * kHour);
  // A copy refers to the same zone.
  const TimeZone copy = shanghai;
  EXPECT_EQ(copy.offset_at(dec8), 8 * kHour);
}

TEST(TimeZones, NewYorkOffsets) {
  const TimeZone ny = zone("America/New_York");
  EXPECT_EQ(ny.offset_at(std::int64_t{kDay2024Jan1 + 14} * kDay), -5 * kHour);   // Jan 15
  EXPECT_EQ(ny.offset_at(std::int64_t{kDay2024Jan1 + 185} * kDay), -4 * kHour);  // Jul 4
}

// offset_at keeps the period of its last answer per thread: answers must not depend on what was
// asked before, across a change of offset, between zones, or on another thread.
TEST(TimeZones, OffsetsDoNotDependOnTheLookupBefore) {
  const TimeZone ny = zone("America/New_York");
  const TimeZone shanghai = zone("Asia/Shanghai");
  const TimeZone london = zone("Europe/London");
  // 2024-03-10 07:00:00 UTC: New York moves from -05:00 to -04:00.
  const std::int64_t spring = std::int64_t{kDay2024Jan1 + 69} * kDay + 7 * kHour;
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(ny.offset_at(spring - 1), -5 * kHour);
    EXPECT_EQ(ny.offset_at(spring), -4 * kHour);
    EXPECT_EQ(shanghai.offset_at(spring), 8 * kHour);
    EXPECT_EQ(ny.offset_at(spring - 1), -5 * kHour);
    EXPECT_EQ(london.offset_at(spring), 0);
    EXPECT_EQ(london.offset_at(std::int64_t{kDay2024Jan1 + 185} * kDay), kHour);  // July: BST
    EXPECT_EQ(ny.offset_at(spring + 3600), -4 * kHour);
  }
  std::int32_t other = 0;
  std::thread([&] { other = ny.offset_at(spring - 1); }).join();
  EXPECT_EQ(other, -5 * kHour);
  EXPECT_EQ(ny.offset_at(spring), -4 * kHour);
}

TEST(ParseDateTime, ExplicitOffsets) {
  const std::int64_t dec8 = std::int64_t{kDay2026Dec8} * kDay;  // 1796688000
  ASSERT_EQ(dec8, 1796688000);
  const DateTime a = at("2026-12-08T10:00:00+08:00");
  EXPECT_EQ(a.utc_seconds, dec8 + 2 * kHour);
  EXPECT_EQ(a.offset_seconds, 8 * kHour);
  EXPECT_EQ(to_string(a), "2026-12-08T10:00:00+08:00");

  const DateTime b = at("2026-12-08T02:00:00Z");
  EXPECT_EQ(b.offset_seconds, 0);
  EXPECT_EQ(to_string(b), "2026-12-08T02:00:00Z");
  EXPECT_TRUE(a == b);  // same instant, shown differently

  const DateTime c = at("2026-12-07T21:00-05:00");
  EXPECT_EQ(c.utc_seconds, dec8 + 2 * kHour);
  EXPECT_EQ(to_string(c), "2026-12-07T21:00:00-05:00");

  EXPECT_EQ(to_string(at("2024-01-01T00:00:00-05:30")), "2024-01-01T00:00:00-05:30");
  EXPECT_EQ(at("2024-01-01T00:00:00-05:30").utc_seconds,
            std::int64_t{kDay2024Jan1} * kDay + 5 * kHour + 30 * 60);
  EXPECT_EQ(to_string(at("2024-01-01T00:00:00+00:00")), "2024-01-01T00:00:00Z");
  EXPECT_EQ(to_string(at("2024-01-01t08:00:00z")), "2024-01-01T08:00:00Z");
  EXPECT_EQ(to_string(at("2024-01-01T08:00:00.000Z")), "2024-01-01T08:00:00Z");
}

TEST(ParseDateTime, NoOffsetMeansTheZone) {
  const TimeZone shanghai = zone("Asia/Shanghai");
  const std::int64_t dec8 = std::int64_t{kDay2026Dec8} * kDay;
  const DateTime a = at("2026-12-08T10:00", shanghai);
  EXPECT_EQ(a.utc_seconds, dec8 + 2 * kHour);
  EXPECT_EQ(a.offset_seconds, 8 * kHour);
  EXPECT_EQ(to_string(a), "2026-12-08T10:00:00+08:00");

  // A bare date is local midnight: 2026-12-07T16:00Z.
  const DateTime midnight = at("2026-12-08", shanghai);
  EXPECT_EQ(midnight.utc_seconds, dec8 - 8 * kHour);
  EXPECT_EQ(to_string(midnight), "2026-12-08T00:00:00+08:00");
  EXPECT_EQ(at("2026-12-08").utc_seconds, dec8);

  // An explicit offset wins over the zone.
  EXPECT_EQ(at("2026-12-08T10:00:00Z", shanghai).utc_seconds, dec8 + 10 * kHour);

  const TimeZone minus530 = zone("-05:30");
  const DateTime b = at("2024-01-01T00:00", minus530);
  EXPECT_EQ(b.utc_seconds, std::int64_t{kDay2024Jan1} * kDay + 5 * kHour + 30 * 60);
  EXPECT_EQ(to_string(b), "2024-01-01T00:00:00-05:30");
}

TEST(ParseDateTime, NewYorkSpringForwardGapMovesForward) {
  const TimeZone ny = zone("America/New_York");
  // 2024-03-10 (day 19792): clocks jump from 02:00 EST to 03:00 EDT (07:00Z).
  const std::int64_t mar10 = std::int64_t{kDay2024Jan1 + 31 + 29 + 9} * kDay;
  ASSERT_EQ(mar10, 1710028800);
  const DateTime before = at("2024-03-10T01:59:59", ny);
  EXPECT_EQ(before.utc_seconds, mar10 + 6 * kHour + 59 * 60 + 59);
  EXPECT_EQ(to_string(before), "2024-03-10T01:59:59-05:00");

  const DateTime gap = at("2024-03-10T02:30", ny);
  EXPECT_EQ(gap.utc_seconds, mar10 + 7 * kHour + 30 * 60);
  EXPECT_EQ(to_string(gap), "2024-03-10T03:30:00-04:00");

  EXPECT_EQ(at("2024-03-10T02:00", ny).utc_seconds, mar10 + 7 * kHour);
  EXPECT_EQ(at("2024-03-10T03:00", ny).utc_seconds, mar10 + 7 * kHour);
  EXPECT_EQ(to_string(at("2024-03-10T03:00", ny)), "2024-03-10T03:00:00-04:00");
}

TEST(ParseDateTime, NewYorkFallBackTakesEarlierInstant) {
  const TimeZone ny = zone("America/New_York");
  // 2024-11-03: clocks go back from 02:00 EDT to 01:00 EST, so 01:00-01:59 happens twice.
  const std::int64_t nov3 = std::int64_t{kDay2024Jan1 + 307} * kDay;
  ASSERT_EQ(to_string(Date{kDay2024Jan1 + 307}), "2024-11-03");
  const DateTime first = at("2024-11-03T01:30", ny);
  EXPECT_EQ(first.utc_seconds, nov3 + 5 * kHour + 30 * 60);
  EXPECT_EQ(to_string(first), "2024-11-03T01:30:00-04:00");

  const DateTime second = at("2024-11-03T01:30:00-05:00", ny);
  EXPECT_EQ(second.utc_seconds - first.utc_seconds, kHour);
  EXPECT_EQ(to_string(second), "2024-11-03T01:30:00-05:00");
  EXPECT_TRUE(first < second);

  EXPECT_EQ(to_string(at("2024-11-03T02:00", ny)), "2024-11-03T02:00:00-05:00");
}

TEST(ParseDateTime, Rejections) {
  const std::string expected = "expected a date-time like 2026-12-08T10:00:00+08:00";
  for (const char* bad :
       {"", "tomorrow", "2026-12-08 10:00", "2026-12-08T10", "2026-12-08T10:0", "2026-12-08T1:00",
        "2026-12-08T10:00:0", "2026-12-08T10:00:00.", "2026-12-08T10:00:00+8:00",
        "2026-12-08T10:00:00+0800", "2026-12-08T10:00:00 Z", "2026-12-08T10:00:00ZZ",
        "2026-12-08T10:00:00+08:00:00", "2026-12-08X", "2026-12-8"}) {
    EXPECT_EQ(parse_failure(bad), expected) << bad;
  }
  EXPECT_EQ(parse_failure("2023-02-29T10:00Z"), "`2023-02-29` is not a valid date");
  EXPECT_EQ(parse_failure("2023-02-29"), "`2023-02-29` is not a valid date");
  EXPECT_EQ(parse_failure("2026-12-08T24:00"), "hour must be 00 to 23");
  EXPECT_EQ(parse_failure("2026-12-08T10:60"), "minute must be 00 to 59");
  EXPECT_EQ(parse_failure("2026-12-08T10:00:60Z"), "second must be 00 to 59");
  EXPECT_EQ(parse_failure("2026-12-08T10:00:00+19:00"), "offset must be between -18:00 and +18:00");
  EXPECT_EQ(parse_failure("2026-12-08T10:00:00.5Z"),
            "fractional seconds are not supported: times are kept to the second");
  EXPECT_EQ(parse_failure("2026-12-08T10:00:00.0001"),
            "fractional seconds are not supported: times are kept to the second");
}

TEST(DateTimes, OrderAndEqualityUseTheInstantOnly) {
  EXPECT_TRUE((DateTime{100, 0} == DateTime{100, 3600}));
  EXPECT_TRUE((DateTime{100, 3600} < DateTime{200, 0}));
  EXPECT_TRUE((DateTime{200, -3600} > DateTime{100, 0}));
  EXPECT_FALSE((DateTime{100, 0} != DateTime{100, -18000}));
}

TEST(DateTimes, ToStringShowsOddHistoricOffsets) {
  EXPECT_EQ(to_string(DateTime{0, 0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(to_string(DateTime{-1, 0}), "1969-12-31T23:59:59Z");
  // Shanghai local mean time was +8:05:43 (29143 s).
  EXPECT_EQ(to_string(DateTime{0, 29143}), "1970-01-01T08:05:43+08:05:43");
  EXPECT_EQ(to_string(DateTime{0, -29143}), "1969-12-31T15:54:17-08:05:43");
}

TEST(Durations, AddMonthsOnTheLocalCalendar) {
  const TimeZone shanghai = zone("Asia/Shanghai");
  DateTime out;
  ASSERT_TRUE(add(at("2024-01-31T10:00", shanghai), Duration{0, 1}, shanghai, out));
  EXPECT_EQ(to_string(out), "2024-02-29T10:00:00+08:00");
  ASSERT_TRUE(add(at("2023-01-31T10:00", shanghai), Duration{0, 1}, shanghai, out));
  EXPECT_EQ(to_string(out), "2023-02-28T10:00:00+08:00");
  ASSERT_TRUE(add(at("2023-12-31T23:00", shanghai), Duration{0, 2}, shanghai, out));
  EXPECT_EQ(to_string(out), "2024-02-29T23:00:00+08:00");
  // 2024-01-31T01:00+08:00 is still January 30 in UTC; the month is added in Shanghai.
  ASSERT_TRUE(add(at("2024-01-31T01:00+08:00"), Duration{0, 1}, shanghai, out));
  EXPECT_EQ(to_string(out), "2024-02-29T01:00:00+08:00");
  // The clamp is not remembered.
  DateTime twice;
  ASSERT_TRUE(add(at("2024-01-31T10:00", shanghai), Duration{0, 1}, shanghai, out));
  ASSERT_TRUE(add(out, Duration{0, 1}, shanghai, twice));
  EXPECT_EQ(to_string(twice), "2024-03-29T10:00:00+08:00");
  ASSERT_TRUE(add(at("2024-01-31T10:00", shanghai), Duration{0, 2}, shanghai, out));
  EXPECT_EQ(to_string(out), "2024-03-31T10:00:00+08:00");
}

TEST(Durations, MonthsThenExactSeconds) {
  const TimeZone utc;
  DateTime out;
  ASSERT_TRUE(add(at("2024-01-31T00:00Z"), Duration{kDay, 1}, utc, out));
  EXPECT_EQ(to_string(out), "2024-03-01T00:00:00Z");
  ASSERT_TRUE(add(at("2024-02-28T12:00Z"), Duration{72 * kHour, 0}, utc, out));
  EXPECT_EQ(to_string(out), "2024-03-02T12:00:00Z");
  ASSERT_TRUE(add(at("2023-02-28T12:00Z"), Duration{72 * kHour, 0}, utc, out));
  EXPECT_EQ(to_string(out), "2023-03-03T12:00:00Z");
  ASSERT_TRUE(add(at("2024-03-05T09:00Z"), Duration{90 * 60, 0}, utc, out));
  EXPECT_EQ(to_string(out), "2024-03-05T10:30:00Z");
}

TEST(Durations, AcrossDaylightSaving) {
  const TimeZone ny = zone("America/New_York");
  DateTime out;
  // A day is 86400 s, so over the spring-forward night the wall clock moves an hour on.
  ASSERT_TRUE(add(at("2024-03-09T12:00", ny), Duration{kDay, 0}, ny, out));
  EXPECT_EQ(to_string(out), "2024-03-10T13:00:00-04:00");
  // A month keeps the wall-clock time and picks up the new offset.
  ASSERT_TRUE(add(at("2024-02-10T12:00", ny), Duration{0, 1}, ny, out));
  EXPECT_EQ(to_string(out), "2024-03-10T12:00:00-04:00");
  // Landing in the gap moves forward by the gap.
  ASSERT_TRUE(add(at("2024-02-10T02:30", ny), Duration{0, 1}, ny, out));
  EXPECT_EQ(to_string(out), "2024-03-10T03:30:00-04:00");
  // Landing in the repeated hour takes the earlier (EDT) instant.
  ASSERT_TRUE(add(at("2024-10-03T01:30", ny), Duration{0, 1}, ny, out));
  EXPECT_EQ(to_string(out), "2024-11-03T01:30:00-04:00");
}

TEST(Durations, Subtract) {
  const TimeZone shanghai = zone("Asia/Shanghai");
  DateTime out;
  ASSERT_TRUE(subtract(at("2024-03-31T09:00", shanghai), Duration{0, 1}, shanghai, out));
  EXPECT_EQ(to_string(out), "2024-02-29T09:00:00+08:00");
  ASSERT_TRUE(subtract(at("2024-03-05T09:00", shanghai), Duration{7 * kDay, 0}, shanghai, out));
  EXPECT_EQ(to_string(out), "2024-02-27T09:00:00+08:00");
  ASSERT_TRUE(subtract(at("2024-01-01T00:30Z"), Duration{kHour, 0}, TimeZone(), out));
  EXPECT_EQ(to_string(out), "2023-12-31T23:30:00Z");
  // Months first, then days: Mar 31 - 1 month = Feb 29, then - 1 day = Feb 28.
  ASSERT_TRUE(subtract(at("2024-03-31T00:00Z"), Duration{kDay, 1}, TimeZone(), out));
  EXPECT_EQ(to_string(out), "2024-02-28T00:00:00Z");
}

TEST(Durations, OutOfRangeIsFalse) {
  const TimeZone utc;
  const TimeZone shanghai = zone("Asia/Shanghai");
  DateTime out{5, 0};
  const DateTime last_day = at("9999-12-31T00:00Z");
  EXPECT_FALSE(add(last_day, Duration{kDay, 0}, utc, out));
  EXPECT_FALSE(add(last_day, Duration{0, 1}, utc, out));
  EXPECT_FALSE(add(at("0001-01-01T00:00Z"), Duration{-1, 0}, utc, out));
  EXPECT_FALSE(subtract(at("0001-01-01T00:00Z"), Duration{1, 0}, utc, out));
  EXPECT_FALSE(add(last_day, Duration{std::numeric_limits<std::int64_t>::max(), 0}, utc, out));
  EXPECT_FALSE(subtract(last_day, Duration{std::numeric_limits<std::int64_t>::min(), 0}, utc, out));
  EXPECT_FALSE(add(last_day, Duration{1000000000000000000, 0}, utc, out));
  EXPECT_EQ(out.utc_seconds, 5);

  ASSERT_TRUE(add(last_day, Duration{kDay - 1, 0}, utc, out));
  EXPECT_EQ(to_string(out), "9999-12-31T23:59:59Z");
  // 9999-12-31T15:59:59Z is 23:59:59 in Shanghai; one more second is year 10000 there.
  const DateTime late = at("9999-12-31T15:59:59Z");
  ASSERT_TRUE(add(late, Duration{0, 0}, shanghai, out));
  EXPECT_FALSE(add(late, Duration{1, 0}, shanghai, out));
  ASSERT_TRUE(add(late, Duration{1, 0}, utc, out));
}

TEST(Days, LocalDateDependsOnTheZone) {
  const DateTime evening = at("2026-12-07T20:00:00Z");
  EXPECT_EQ(to_string(local_date(evening, zone("Asia/Shanghai"))), "2026-12-08");
  EXPECT_EQ(to_string(local_date(evening, TimeZone())), "2026-12-07");
  EXPECT_EQ(to_string(local_date(evening, zone("America/New_York"))), "2026-12-07");
  EXPECT_EQ(to_string(local_date(at("2026-12-08T03:00:00Z"), zone("America/New_York"))),
            "2026-12-07");
}

TEST(Days, StartAndEndOfDay) {
  const TimeZone shanghai = zone("Asia/Shanghai");
  const DateTime start = start_of_day(day("2026-12-08"), shanghai);
  EXPECT_EQ(start.utc_seconds, std::int64_t{kDay2026Dec8} * kDay - 8 * kHour);
  EXPECT_EQ(to_string(start), "2026-12-08T00:00:00+08:00");
  const DateTime end = end_of_day(day("2026-12-08"), shanghai);
  EXPECT_EQ(end.utc_seconds - start.utc_seconds, kDay - 1);
  EXPECT_EQ(to_string(end), "2026-12-08T23:59:59+08:00");

  EXPECT_EQ(to_string(end_of_day(day("9999-12-31"), TimeZone())), "9999-12-31T23:59:59Z");
  EXPECT_EQ(to_string(start_of_day(day("0001-01-01"), TimeZone())), "0001-01-01T00:00:00Z");
}

TEST(Days, DaylightSavingDaysAreShortOrLong) {
  const TimeZone ny = zone("America/New_York");
  const DateTime spring_start = start_of_day(day("2024-03-10"), ny);
  const DateTime spring_end = end_of_day(day("2024-03-10"), ny);
  EXPECT_EQ(to_string(spring_start), "2024-03-10T00:00:00-05:00");
  EXPECT_EQ(to_string(spring_end), "2024-03-10T23:59:59-04:00");
  EXPECT_EQ(spring_end.utc_seconds - spring_start.utc_seconds, 23 * kHour - 1);

  const DateTime fall_start = start_of_day(day("2024-11-03"), ny);
  const DateTime fall_end = end_of_day(day("2024-11-03"), ny);
  EXPECT_EQ(to_string(fall_start), "2024-11-03T00:00:00-04:00");
  EXPECT_EQ(to_string(fall_end), "2024-11-03T23:59:59-05:00");
  EXPECT_EQ(fall_end.utc_seconds - fall_start.utc_seconds, 25 * kHour - 1);
}

TEST(Days, MidnightInAGapStartsAfterTheGap) {
  // Chile starts DST at 24:00 on the Saturday before the first Sunday on or after
  // September 2: on 2024-09-08 the clock goes from 00:00 -04 straight to 01:00 -03.
  const TimeZone santiago = zone("America/Santiago");
  EXPECT_EQ(to_string(start_of_day(day("2024-09-08"), santiago)), "2024-09-08T01:00:00-03:00");
  EXPECT_EQ(to_string(at("2024-09-08", santiago)), "2024-09-08T01:00:00-03:00");
}

TEST(Durations, ToString) {
  EXPECT_EQ(to_string(Duration{7 * kDay, 0}), "7 days");
  EXPECT_EQ(to_string(Duration{73 * kHour, 0}), "73 hours");
  EXPECT_EQ(to_string(Duration{72 * kHour, 0}), "3 days");  // the unit is not recorded
  EXPECT_EQ(to_string(Duration{0, 3}), "3 months");
  EXPECT_EQ(to_string(Duration{2 * kDay, 1}), "1 month 2 days");
  EXPECT_EQ(to_string(Duration{90 * 60, 0}), "90 minutes");
  EXPECT_EQ(to_string(Duration{}), "0 days");
  EXPECT_EQ(to_string(Duration{1, 0}), "1 second");
  EXPECT_EQ(to_string(Duration{45, 0}), "45 seconds");
  EXPECT_EQ(to_string(Duration{kDay, 0}), "1 day");
  EXPECT_EQ(to_string(Duration{kHour, 0}), "1 hour");
  EXPECT_EQ(to_string(Duration{60, 0}), "1 minute");
  EXPECT_EQ(to_string(Duration{0, 1}), "1 month");
  EXPECT_EQ(to_string(Duration{0, 12}), "12 months");
  EXPECT_EQ(to_string(Duration{-7 * kDay, 0}), "-7 days");
  EXPECT_EQ(to_string(Duration{-kHour, -1}), "-1 month -1 hour");
}

}  // namespace
}  // namespace refpol

namespace refpol {
namespace {

// What to_string wrote with snprintf before its digits were put by hand (%02d, as fmt's {:02}
// writes it for these non-negative numbers).
std::string printf_datetime(const DateTime& dt) {
  const std::int64_t local = dt.utc_seconds + dt.offset_seconds;
  const std::int64_t days = local >= 0 ? local / kDay : -((-local + kDay - 1) / kDay);
  const std::int64_t tod = local - days * kDay;
  std::string text = fmt::format("{}T{:02}:{:02}:{:02}", to_string(Date{static_cast<std::int32_t>(days)}),
                                 tod / 3600, tod / 60 % 60, tod % 60);
  if (dt.offset_seconds == 0) return text + "Z";
  const std::int64_t m = dt.offset_seconds < 0 ? -std::int64_t{dt.offset_seconds} : dt.offset_seconds;
  text += fmt::format("{}{:02}:{:02}", dt.offset_seconds < 0 ? '-' : '+', m / 3600, m / 60 % 60);
  if (m % 60 != 0) text += fmt::format(":{:02}", m % 60);
  return text;
}

TEST(Calendar, WrittenDigitsMatchPrintf) {
  for (std::int32_t d = -800000; d < 3000000; d += 997) {
    int y = 0;
    unsigned m = 0;
    unsigned dd = 0;
    civil(Date{d}, y, m, dd);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, dd);
    ASSERT_EQ(to_string(Date{d}), buf) << d;
  }
  const std::int32_t offsets[] = {0, 8 * 3600, -5 * 3600, 5 * 3600 + 1800, -(9 * 3600 + 30 * 60 + 15), 99 * 3600};
  for (std::int64_t utc = -kDay * 3; utc < kDay * 366 * 3; utc += 7919) {
    for (std::int32_t offset : offsets) {
      const DateTime dt{utc + std::int64_t{kDay2026Jan1} * kDay, offset};
      ASSERT_EQ(to_string(dt), printf_datetime(dt)) << utc << " " << offset;
    }
  }
}

}  // namespace
}  // namespace refpol
