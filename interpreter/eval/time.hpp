// Calendar dates, instants with the offset they are shown in, durations and time zones.
// Everything works at one-second precision; the IANA database is read from the OS at run time.
#pragma once
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace refpol {

inline constexpr int kMinYear = 1;
inline constexpr int kMaxYear = 9999;
inline constexpr std::int64_t kSecondsPerDay = 86400;

// A day on the proleptic Gregorian calendar, counted from 1970-01-01 (day 0).
struct Date {
  std::int32_t days = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};

bool is_leap_year(int year);
// 28..31; `month` must be 1..12.
unsigned days_in_month(int year, unsigned month);
bool is_valid_date(int year, unsigned month, unsigned day);
// The arguments should form a valid date (see is_valid_date); out-of-range days simply count
// on from the first of the month, and years outside kMinYear..kMaxYear are not supported.
Date make_date(int year, unsigned month, unsigned day);
void civil(Date date, int& year, unsigned& month, unsigned& day);
// ISO numbering: 1 = Monday ... 7 = Sunday.
unsigned weekday(Date date);
// Whether the date lies in kMinYear-01-01 .. kMaxYear-12-31.
bool in_range(Date date);
// Strictly `YYYY-MM-DD`: four-digit year 0001..9999, real month and day (leap years
// included), nothing before or after.
bool parse_date(std::string_view text, Date& out);
std::string to_string(Date date);
// Calendar months with the end-of-month clamp (see Duration); false outside the year range.
bool add_months(Date date, std::int32_t months, Date& out);

// An instant (seconds since 1970-01-01T00:00:00Z, leap seconds ignored as POSIX does) plus the
// UTC offset it is shown with. Two DateTimes are equal when they are the same instant, even if
// shown with different offsets: 10:00+08:00 == 02:00Z.
struct DateTime {
  std::int64_t utc_seconds = 0;
  std::int32_t offset_seconds = 0;
  friend bool operator==(const DateTime& a, const DateTime& b) {
    return a.utc_seconds == b.utc_seconds;
  }
  friend std::weak_ordering operator<=>(const DateTime& a, const DateTime& b) {
    return a.utc_seconds <=> b.utc_seconds;
  }
};

// An IANA zone (Asia/Shanghai, America/New_York, ...) or a fixed offset (UTC, +08:00).
// Cheap to copy, and usable from several threads (the library loads each zone once). IANA zones
// come from the OS database (/usr/share/zoneinfo) through Howard Hinnant's date library, which does
// not read the TZif footer rule: DST transitions after the last one listed in the file (2037 for
// most zones) are not applied.
class TimeZone {
 public:
  // UTC.
  TimeZone() = default;

  // Accepts `UTC`, fixed offsets `+HH:MM` / `-HH:MM` (up to 18:00), and IANA names. On
  // failure returns false and sets `error`, e.g. "unknown time zone `Mars/Base`".
  static bool make(std::string_view name, TimeZone& out, std::string& error);

  // The offset from UTC in effect at that instant (local = utc + offset).
  std::int32_t offset_at(std::int64_t utc_seconds) const;

  // The instant of a local wall-clock time (seconds since 1970-01-01T00:00:00 local).
  // Local times that do not exist (in a DST gap, e.g. 02:30 on a spring-forward night in
  // New York) move forward by the length of the gap: 02:30 becomes 03:30 EDT.
  // Local times that happen twice (the repeated hour when clocks go back) take the earlier
  // instant: 01:30 on a fall-back night in New York is 01:30 EDT, not 01:30 EST.
  std::int64_t to_utc(std::int64_t local_seconds) const;

  const std::string& name() const { return name_; }
  bool is_fixed() const { return zone_ == nullptr; }

 private:
  std::string name_ = "UTC";
  const date::time_zone* zone_ = nullptr;  // owned by the date library's static database
  std::int32_t fixed_offset_ = 0;
};

// ISO 8601 / RFC 3339: `YYYY-MM-DDTHH:MM[:SS[.fff]]` then `Z`, `+HH:MM`, `-HH:MM` or nothing.
// With nothing, the wall-clock time is in `zone` (gap and overlap rules as in
// TimeZone::to_utc) and the stored offset is the zone's offset at that instant. A bare
// `YYYY-MM-DD` is local midnight in `zone`. Lowercase `t` and `z` are accepted as RFC 3339
// allows. Fractional seconds are accepted only if they are all zeros, because values are
// kept at second precision and silently dropping a fraction would change comparisons.
// Hours 00..23 (no 24:00), seconds 00..59 (no leap second). On failure sets `error`.
bool parse_datetime(std::string_view text, const TimeZone& zone, DateTime& out, std::string& error);
// `2026-12-08T10:00:00+08:00`, or `...Z` when the offset is zero. Historic offsets that are
// not whole minutes (local mean time before 1900) are shown as `+08:05:43`.
std::string to_string(const DateTime& dt);
// Appends to_string(dt) to `out`, without a string of its own (for writers of many dates).
void append_datetime(std::string& out, const DateTime& dt);

// A length of time: `seconds` are exact (a day is always 86,400 seconds, an hour 3,600), and
// calendar `months` are kept apart because their length depends on where they are applied.
// Because days are exact, adding 1 day across a DST change moves the local wall-clock time by
// the change (12:00 EST + 1 day = 13:00 EDT); use months for calendar arithmetic.
struct Duration {
  std::int64_t seconds = 0;
  std::int32_t months = 0;
  friend bool operator==(const Duration&, const Duration&) = default;
};

// Adds `duration.months` to the local calendar date in `zone`, keeping the local time of day,
// then adds `duration.seconds`. END-OF-MONTH CLAMP RULE: when the target month is shorter
// than the day of month, the day becomes the target month's last day, so Jan 31 + 1 month =
// Feb 29 in 2024 and Feb 28 in 2023, and Mar 31 - 1 month = Feb 28/29. The clamp is not
// remembered: Jan 31 + 1 month + 1 month = Mar 29 in 2024 (while Jan 31 + 2 months = Mar 31).
// If the shifted local time falls in a DST gap or overlap, TimeZone::to_utc's rules apply.
// The result is shown with the zone's offset at the result. Returns false (leaving `out`
// alone) when the result's local date in `zone` is outside kMinYear..kMaxYear.
bool add(const DateTime& dt, const Duration& duration, const TimeZone& zone, DateTime& out);
// Adds the negated duration: months first, then seconds, exactly like add.
bool subtract(const DateTime& dt, const Duration& duration, const TimeZone& zone, DateTime& out);

// The calendar date of the instant on the wall clock of `zone`.
Date local_date(const DateTime& dt, const TimeZone& zone);
// The first instant of the local day (midnight, or the end of a DST gap at midnight).
DateTime start_of_day(Date date, const TimeZone& zone);
// The last second of the local day, normally 23:59:59: one second before the next day starts.
DateTime end_of_day(Date date, const TimeZone& zone);

// A single unit for the seconds (the largest that divides exactly: days, hours, minutes,
// seconds) after the months: `7 days`, `90 minutes`, `3 months`, `1 month 2 days`, `0 days`.
// 259200 seconds is `3 days`, since the value does not record that it was written as hours.
std::string to_string(const Duration& duration);

}  // namespace refpol
