// Calendar arithmetic (Howard Hinnant's public-domain civil algorithms) and time zones backed
// by the date library's reader of the OS tz database. Its exceptions never leave this file.

// These must match how libdate-tz was built (its CMake target exports the same definitions);
// they change the layout of date::time_zone.
#ifndef USE_OS_TZDB
#define USE_OS_TZDB 1
#endif
#ifndef HAS_STRING_VIEW
#define HAS_STRING_VIEW 1
#endif
#ifndef ONLY_C_LOCALE
#define ONLY_C_LOCALE 1
#endif

#include "interpreter/eval/time.hpp"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

namespace refpol {
namespace {

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                                     // [0, 11]
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

constexpr std::int64_t kMinDays = days_from_civil(kMinYear, 1, 1);
constexpr std::int64_t kMaxDays = days_from_civil(kMaxYear, 12, 31);
static_assert(kMinDays == -719162 && kMaxDays == 2932896);
// A margin beyond any real UTC offset, so the tz library is never asked about absurd instants.
constexpr std::int64_t kMarginSeconds = 2 * kSecondsPerDay;
constexpr std::int64_t kMinUtc = kMinDays * kSecondsPerDay - kMarginSeconds;
constexpr std::int64_t kMaxUtc = (kMaxDays + 1) * kSecondsPerDay + kMarginSeconds;
// The widest offsets accepted for fixed zones and written offsets, as in java.time.
constexpr int kMaxOffsetSeconds = 18 * 3600;

const char kDateTimeExpected[] = "expected a date-time like 2026-12-08T10:00:00+08:00";

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// `+HH:MM` / `-HH:MM` exactly; false on bad shape, and `in_range` false beyond +-18:00.
bool parse_offset(std::string_view text, std::int32_t& out, bool& in_range) {
  int hours = 0;
  int minutes = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' ||
      !read_digits(text, 1, 2, hours) || !read_digits(text, 4, 2, minutes) || minutes > 59) {
    return false;
  }
  const int seconds = hours * 3600 + minutes * 60;
  in_range = seconds <= kMaxOffsetSeconds;
  out = text[0] == '-' ? -seconds : seconds;
  return true;
}

std::int32_t saturate_days(std::int64_t days) {
  constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  return static_cast<std::int32_t>(days < lo ? lo : (days > hi ? hi : days));
}

void append_count(std::string& out, std::int64_t count, const char* unit) {
  if (!out.empty()) out += ' ';
  out += std::to_string(count);
  out += ' ';
  out += unit;
  if (count != 1 && count != -1) out += 's';
}

}  // namespace

bool is_leap_year(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(int year, unsigned month, unsigned day) {
  return year >= kMinYear && year <= kMaxYear && month >= 1 && month <= 12 && day >= 1 &&
         day <= days_in_month(year, month);
}

Date make_date(int year, unsigned month, unsigned day) {
  return Date{saturate_days(days_from_civil(year, month, day))};
}

void civil(Date date, int& year, unsigned& month, unsigned& day) {
  std::int64_t y = 0;
  civil_from_days(date.days, y, month, day);
  year = static_cast<int>(y);
}

unsigned weekday(Date date) {
  // 1970-01-01 was a Thursday (ISO 4).
  const std::int64_t from_monday = floor_div(static_cast<std::int64_t>(date.days) + 3, 7);
  return static_cast<unsigned>(date.days + 3 - from_monday * 7) + 1;
}

bool in_range(Date date) { return date.days >= kMinDays && date.days <= kMaxDays; }

bool parse_date(std::string_view text, Date& out) {
  // The last date read, by its text: a replay reads the same few days again and again. Per
  // thread, as the server reads facts on several.
  struct Last {
    char text[10];
    Date date;
    bool valid = false;
  };
  thread_local Last last;
  if (last.valid && text.size() == 10 && std::memcmp(text.data(), last.text, 10) == 0) {
    out = last.date;
    return true;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_digits(text, 0, 4, year) ||
      !read_digits(text, 5, 2, month) || !read_digits(text, 8, 2, day)) {
    return false;
  }
  if (!is_valid_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) {
    return false;
  }
  out = make_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::memcpy(last.text, text.data(), 10);
  last.date = out;
  last.valid = true;
  return true;
}

namespace {
// `v` (below 100) as two digits at `p`, as %02d writes it.
void put_two(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// `YYYY-MM-DD` at `p` (10 bytes) for years 0..9999, as %04d-%02u-%02u writes it; false for
// other years (written with a sign or more digits, left to snprintf).
bool put_date(char* p, Date date) {
  // The last date written (see parse_date).
  struct Last {
    std::int32_t days;
    char text[10];
    bool valid = false;
  };
  thread_local Last last;
  if (last.valid && last.days == date.days) {
    std::memcpy(p, last.text, 10);
    return true;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil(date, y, m, d);
  if (y < 0 || y > 9999) return false;
  const auto year = static_cast<unsigned>(y);
  put_two(p, year / 100);
  put_two(p + 2, year % 100);
  p[4] = '-';
  put_two(p + 5, m);
  p[7] = '-';
  put_two(p + 8, d);
  last.days = date.days;
  std::memcpy(last.text, p, 10);
  last.valid = true;
  return true;
}
}  // namespace

// Dates and times are written for every row of the simulation's tables and facts: digits are
// put by hand for the usual years, which is what snprintf would write, without its cost.
std::string to_string(Date date) {
  char buf[32];
  if (put_date(buf, date)) return std::string(buf, 10);
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil(date, y, m, d);
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return std::string(buf, static_cast<std::size_t>(n));
}

bool add_months(Date date, std::int32_t months, Date& out) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil(date, y, m, d);
  const std::int64_t total = static_cast<std::int64_t>(y) * 12 + (m - 1) + months;
  const std::int64_t year = floor_div(total, 12);
  if (year < kMinYear || year > kMaxYear) return false;
  const auto month = static_cast<unsigned>(total - year * 12 + 1);
  const unsigned last = days_in_month(static_cast<int>(year), month);
  out = make_date(static_cast<int>(year), month, d < last ? d : last);
  return true;
}

bool TimeZone::make(std::string_view name, TimeZone& out, std::string& error) {
  if (name == "UTC") {
    out = TimeZone();
    return true;
  }
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    std::int32_t offset = 0;
    bool offset_in_range = true;
    if (!parse_offset(name, offset, offset_in_range)) {
      error = "invalid UTC offset `" + std::string(name) + "`; expected an offset like +08:00";
      return false;
    }
    if (!offset_in_range) {
      error = "UTC offset `" + std::string(name) + "` is beyond +-18:00";
      return false;
    }
    TimeZone zone;
    zone.name_ = std::string(name);
    zone.fixed_offset_ = offset;
    out = std::move(zone);
    return true;
  }
  if (name.empty()) {
    error = "expected a time zone name like Asia/Shanghai or an offset like +08:00";
    return false;
  }
  try {
    const date::time_zone* found = date::locate_zone(name);
    // Load the zone's rules now, so that a broken file is reported here rather than
    // surfacing later inside offset_at, which has no way to report it.
    (void)found->get_info(date::sys_seconds{});
    TimeZone zone;
    zone.name_ = std::string(name);
    zone.zone_ = found;
    out = std::move(zone);
    return true;
  } catch (...) {
    error = "unknown time zone `" + std::string(name) + "`";
    return false;
  }
}

std::int32_t TimeZone::offset_at(std::int64_t utc_seconds) const {
  if (zone_ == nullptr) return fixed_offset_;
  if (utc_seconds < kMinUtc) utc_seconds = kMinUtc;
  if (utc_seconds > kMaxUtc) utc_seconds = kMaxUtc;
  // The period (between two changes of offset) of the last instant looked up on this thread:
  // most lookups fall in it, and asking the date library costs a search and a lock each time.
  struct Period {
    const date::time_zone* zone = nullptr;
    std::int64_t begin = 0, end = 0;  // [begin, end) in UTC seconds
    std::int32_t offset = 0;
  };
  thread_local Period last;
  if (last.zone == zone_ && utc_seconds >= last.begin && utc_seconds < last.end) return last.offset;
  try {
    const auto info = zone_->get_info(date::sys_seconds{std::chrono::seconds{utc_seconds}});
    const auto offset = static_cast<std::int32_t>(info.offset.count());
    last = Period{zone_, info.begin.time_since_epoch().count(), info.end.time_since_epoch().count(), offset};
    return offset;
  } catch (...) {
    return 0;  // unreachable in practice: make() already loaded the zone
  }
}

std::int64_t TimeZone::to_utc(std::int64_t local_seconds) const {
  if (zone_ == nullptr) return local_seconds - fixed_offset_;
  std::int64_t probe = local_seconds;
  if (probe < kMinUtc) probe = kMinUtc;
  if (probe > kMaxUtc) probe = kMaxUtc;
  try {
    const auto info = zone_->get_info(date::local_seconds{std::chrono::seconds{probe}});
    // `first` is the offset before the transition. In a gap that is the smaller offset, so
    // subtracting it lands after the gap by exactly the gap's length; in an overlap it is the
    // larger one, giving the earlier of the two instants. For unique times it is the offset.
    return local_seconds - info.first.offset.count();
  } catch (...) {
    return local_seconds;
  }
}

bool parse_datetime(std::string_view text, const TimeZone& zone, DateTime& out,
                    std::string& error) {
  Date date;
  if (text.size() < 10 || !parse_date(text.substr(0, 10), date)) {
    int y = 0;
    int m = 0;
    int d = 0;
    if (text.size() >= 10 && text[4] == '-' && text[7] == '-' && read_digits(text, 0, 4, y) &&
        read_digits(text, 5, 2, m) && read_digits(text, 8, 2, d)) {
      error = "`" + std::string(text.substr(0, 10)) + "` is not a valid date";
    } else {
      error = kDateTimeExpected;
    }
    return false;
  }
  std::int64_t local = static_cast<std::int64_t>(date.days) * kSecondsPerDay;
  if (text.size() == 10) {
    const std::int64_t utc = zone.to_utc(local);
    out = DateTime{utc, zone.offset_at(utc)};
    return true;
  }

  int hour = 0;
  int minute = 0;
  int second = 0;
  if ((text[10] != 'T' && text[10] != 't') || !read_digits(text, 11, 2, hour) || text.size() < 16 ||
      text[13] != ':' || !read_digits(text, 14, 2, minute)) {
    error = kDateTimeExpected;
    return false;
  }
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_digits(text, pos + 1, 2, second)) {
      error = kDateTimeExpected;
      return false;
    }
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      const std::size_t first = ++pos;
      bool all_zero = true;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        all_zero = all_zero && text[pos] == '0';
        ++pos;
      }
      if (pos == first) {
        error = kDateTimeExpected;
        return false;
      }
      if (!all_zero) {
        error = "fractional seconds are not supported: times are kept to the second";
        return false;
      }
    }
  }
  if (hour > 23) {
    error = "hour must be 00 to 23";
    return false;
  }
  if (minute > 59) {
    error = "minute must be 00 to 59";
    return false;
  }
  if (second > 59) {
    error = "second must be 00 to 59";
    return false;
  }
  local += hour * 3600 + minute * 60 + second;

  const std::string_view designator = text.substr(pos);
  if (designator.empty()) {
    const std::int64_t utc = zone.to_utc(local);
    out = DateTime{utc, zone.offset_at(utc)};
    return true;
  }
  if (designator == "Z" || designator == "z") {
    out = DateTime{local, 0};
    return true;
  }
  std::int32_t offset = 0;
  bool offset_in_range = true;
  if (!parse_offset(designator, offset, offset_in_range)) {
    error = kDateTimeExpected;
    return false;
  }
  if (!offset_in_range) {
    error = "offset must be between -18:00 and +18:00";
    return false;
  }
  out = DateTime{local - offset, offset};
  return true;
}

std::string to_string(const DateTime& dt) {
  std::string text;
  append_datetime(text, dt);
  return text;
}

void append_datetime(std::string& out, const DateTime& dt) {
  const std::int64_t local = dt.utc_seconds + dt.offset_seconds;
  const std::int64_t days = floor_div(local, kSecondsPerDay);
  const std::int64_t tod = local - days * kSecondsPerDay;
  const std::int64_t magnitude =
      dt.offset_seconds < 0 ? -std::int64_t{dt.offset_seconds} : std::int64_t{dt.offset_seconds};
  char fast[32];
  if (magnitude % 60 == 0 && magnitude / 3600 < 100 && put_date(fast, Date{saturate_days(days)})) {
    fast[10] = 'T';
    put_two(fast + 11, static_cast<unsigned>(tod / 3600));
    fast[13] = ':';
    put_two(fast + 14, static_cast<unsigned>(tod / 60 % 60));
    fast[16] = ':';
    put_two(fast + 17, static_cast<unsigned>(tod % 60));
    if (dt.offset_seconds == 0) {
      fast[19] = 'Z';
      out.append(fast, 20);
      return;
    }
    fast[19] = dt.offset_seconds < 0 ? '-' : '+';
    put_two(fast + 20, static_cast<unsigned>(magnitude / 3600));
    fast[22] = ':';
    put_two(fast + 23, static_cast<unsigned>(magnitude / 60 % 60));
    out.append(fast, 25);
    return;
  }
  std::string text = to_string(Date{saturate_days(days)});
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(tod / 3600),
                        static_cast<int>(tod / 60 % 60), static_cast<int>(tod % 60));
  text.append(buf, static_cast<std::size_t>(n));
  if (dt.offset_seconds == 0) {
    out += text;
    out += 'Z';
    return;
  }
  n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", dt.offset_seconds < 0 ? '-' : '+',
                    static_cast<int>(magnitude / 3600), static_cast<int>(magnitude / 60 % 60));
  text.append(buf, static_cast<std::size_t>(n));
  if (magnitude % 60 != 0) {
    n = std::snprintf(buf, sizeof buf, ":%02d", static_cast<int>(magnitude % 60));
    text.append(buf, static_cast<std::size_t>(n));
  }
  out += text;
}

bool add(const DateTime& dt, const Duration& duration, const TimeZone& zone, DateTime& out) {
  std::int64_t utc = dt.utc_seconds;
  if (utc < kMinUtc || utc > kMaxUtc) return false;
  if (duration.months != 0) {
    const std::int64_t local = utc + zone.offset_at(utc);
    const std::int64_t days = floor_div(local, kSecondsPerDay);
    const std::int64_t time_of_day = local - days * kSecondsPerDay;
    Date shifted;
    if (!add_months(Date{static_cast<std::int32_t>(days)}, duration.months, shifted)) {
      return false;
    }
    utc = zone.to_utc(static_cast<std::int64_t>(shifted.days) * kSecondsPerDay + time_of_day);
  }
  if (__builtin_add_overflow(utc, duration.seconds, &utc)) return false;
  if (utc < kMinUtc || utc > kMaxUtc) return false;
  const std::int32_t offset = zone.offset_at(utc);
  const std::int64_t day = floor_div(utc + offset, kSecondsPerDay);
  if (day < kMinDays || day > kMaxDays) return false;
  out = DateTime{utc, offset};
  return true;
}

bool subtract(const DateTime& dt, const Duration& duration, const TimeZone& zone, DateTime& out) {
  // The most negative values cannot be negated, and no date in range is that far away.
  if (duration.seconds == std::numeric_limits<std::int64_t>::min() ||
      duration.months == std::numeric_limits<std::int32_t>::min()) {
    return false;
  }
  return add(dt, Duration{-duration.seconds, -duration.months}, zone, out);
}

Date local_date(const DateTime& dt, const TimeZone& zone) {
  std::int64_t utc = dt.utc_seconds;
  if (utc < kMinUtc) utc = kMinUtc;
  if (utc > kMaxUtc) utc = kMaxUtc;
  return Date{saturate_days(floor_div(utc + zone.offset_at(utc), kSecondsPerDay))};
}

DateTime start_of_day(Date date, const TimeZone& zone) {
  const std::int64_t utc = zone.to_utc(static_cast<std::int64_t>(date.days) * kSecondsPerDay);
  return DateTime{utc, zone.offset_at(utc)};
}

DateTime end_of_day(Date date, const TimeZone& zone) {
  const std::int64_t next_midnight = (static_cast<std::int64_t>(date.days) + 1) * kSecondsPerDay;
  const std::int64_t utc = zone.to_utc(next_midnight) - 1;
  return DateTime{utc, zone.offset_at(utc)};
}

std::string to_string(const Duration& duration) {
  std::string text;
  if (duration.months != 0) append_count(text, duration.months, "month");
  const std::int64_t s = duration.seconds;
  if (s == 0) {
    if (duration.months == 0) text = "0 days";
  } else if (s % kSecondsPerDay == 0) {
    append_count(text, s / kSecondsPerDay, "day");
  } else if (s % 3600 == 0) {
    append_count(text, s / 3600, "hour");
  } else if (s % 60 == 0) {
    append_count(text, s / 60, "minute");
  } else {
    append_count(text, s, "second");
  }
  return text;
}

}  // namespace refpol
