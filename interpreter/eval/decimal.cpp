// Exact decimal arithmetic: every intermediate lives in 128 bits, so overflow is detected
// before it can wrap, and rounding happens once, from the exact value.
#include "interpreter/eval/decimal.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace refpol {
namespace {

// __extension__ keeps -Wpedantic quiet: 128-bit integers are a GCC/Clang extension we rely on.
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
// The largest magnitude a mantissa may have: 2^63 for negatives, 2^63 - 1 for positives.
constexpr u128 kMagnitudeLimitNegative = u128{1} << 63;
constexpr u128 kMagnitudeLimitPositive = kMagnitudeLimitNegative - 1;
// 10^38 < 2^128 is the largest power of ten unsigned 128-bit arithmetic can hold.
constexpr int kMaxPow10 = 38;

constexpr std::array<u128, kMaxPow10 + 1> kPow10 = [] {
  std::array<u128, kMaxPow10 + 1> table{};
  u128 value = 1;
  for (auto& entry : table) {
    entry = value;
    value *= 10;
  }
  return table;
}();

inline u128 pow10(int n) { return kPow10[static_cast<std::size_t>(n)]; }

inline bool fits_int64(i128 v) { return v >= kInt64Min && v <= kInt64Max; }

inline bool valid(const Decimal& d) { return d.scale <= kMaxDecimalScale; }

inline u128 magnitude(i128 v) { return v < 0 ? u128(0) - u128(v) : u128(v); }

// Rounds the quotient of magnitudes given the remainder: the single place rounding rules live.
inline bool rounds_away(u128 quotient, u128 remainder, u128 divisor, Rounding mode) {
  if (remainder == 0 || mode == Rounding::down) return false;
  const u128 twice = remainder * 2;  // remainder < divisor <= 10^38, so this cannot wrap
  if (twice != divisor) return twice > divisor;
  return mode == Rounding::half_up || (quotient & 1) != 0;
}

// v / divisor rounded by `mode`; divisor > 0. |v| < 2^127, so the result always fits.
i128 round_div(i128 v, u128 divisor, Rounding mode) {
  const u128 mag = magnitude(v);
  u128 q = mag / divisor;
  if (rounds_away(q, mag % divisor, divisor, mode)) ++q;
  return v < 0 ? -i128(q) : i128(q);
}

// Keeps as many of `scale` fractional digits of `v` as fit in a Decimal (half_even).
DecimalError fit_reducing_scale(i128 v, int scale, Decimal& out) {
  for (int drop = scale > kMaxDecimalScale ? scale - kMaxDecimalScale : 0; drop <= scale; ++drop) {
    const i128 q = drop == 0 ? v : round_div(v, pow10(drop), Rounding::half_even);
    if (fits_int64(q)) {
      out = Decimal{static_cast<std::int64_t>(q), static_cast<std::uint8_t>(scale - drop)};
      return DecimalError::none;
    }
  }
  return DecimalError::overflow;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The shape almost every JSON amount has: at most 18 digits and no exponent, so 64-bit
// arithmetic cannot overflow. Returns false to hand anything else (errors included) to the
// general parser, which is several times slower because it works in 128 bits.
inline bool parse_simple_decimal(const char* p, const char* end, Decimal& out) {
  constexpr int kSafeDigits = 18;  // 10^18 - 1 < 2^63 - 1
  bool negative = false;
  if (p != end && *p == '-') {
    negative = true;
    ++p;
  }
  if (p == end) return false;
  std::uint64_t mantissa = 0;
  int digits = 0;
  if (*p == '0') {
    ++p;
  } else {
    while (p != end && is_digit(*p)) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
      ++digits;
    }
    if (digits == 0) return false;
  }
  int scale = 0;
  if (p != end && *p == '.') {
    ++p;
    while (p != end && is_digit(*p)) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
      ++digits;
      ++scale;
    }
    if (scale == 0) return false;
  }
  if (p != end || digits > kSafeDigits) return false;
  const auto value = static_cast<std::int64_t>(mantissa);
  out = Decimal{negative ? -value : value, static_cast<std::uint8_t>(scale)};
  return true;
}

DecimalError add_or_sub(const Decimal& a, const Decimal& b, bool subtract, Decimal& out) {
  if (!valid(a) || !valid(b)) return DecimalError::overflow;
  const int scale = a.scale > b.scale ? a.scale : b.scale;
  // |mantissa| * 10^18 < 2^63 * 2^60, far inside 128 bits.
  const i128 x = i128(a.mantissa) * i128(pow10(scale - a.scale));
  const i128 y = i128(b.mantissa) * i128(pow10(scale - b.scale));
  const i128 r = subtract ? x - y : x + y;
  if (!fits_int64(r)) return DecimalError::overflow;
  out = Decimal{static_cast<std::int64_t>(r), static_cast<std::uint8_t>(scale)};
  return DecimalError::none;
}

// |a| * 10^shift / |b| rounded half_even, or false when the magnitude exceeds 2^63.
// shift is in -18..36; long division keeps every intermediate below 2^128.
bool scaled_quotient(std::int64_t a, std::int64_t b, int shift, i128& out) {
  u128 num = magnitude(a);
  u128 den = magnitude(b);
  if (shift < 0) den *= pow10(-shift);  // < 2^63 * 10^18
  const int upfront = shift < 0 ? 0 : (shift < 19 ? shift : 19);
  num *= pow10(upfront);  // < 2^63 * 10^19 < 2^127
  u128 q = num / den;
  u128 r = num % den;
  for (int i = upfront; i < shift; ++i) {
    if (q > kMagnitudeLimitNegative) return false;
    r *= 10;  // r < den <= 2^63 here, so this stays small
    q = q * 10 + r / den;
    r %= den;
  }
  if (rounds_away(q, r, den, Rounding::half_even)) ++q;
  if (q > kMagnitudeLimitNegative) return false;
  out = ((a < 0) != (b < 0)) ? -i128(q) : i128(q);
  return true;
}

// Writes the digits of an unsigned 128-bit magnitude with `scale` fractional digits.
std::size_t write_scaled(bool negative, u128 mag, int scale, char* buf) {
  char digits[48];
  int n = 0;
  // 128-bit division is a library call; the digits of a magnitude that fits in 64 bits (nearly
  // every amount) come from 64-bit arithmetic, which the compiler turns into multiplications.
  while (mag > std::numeric_limits<std::uint64_t>::max()) {
    digits[n++] = static_cast<char>('0' + static_cast<int>(mag % 10));
    mag /= 10;
  }
  auto small = static_cast<std::uint64_t>(mag);
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(small % 10));
    small /= 10;
  } while (small != 0);
  while (n <= scale) digits[n++] = '0';
  char* p = buf;
  if (negative) *p++ = '-';
  for (int i = n - 1; i >= scale; --i) *p++ = digits[i];
  if (scale > 0) {
    *p++ = '.';
    for (int i = scale - 1; i >= 0; --i) *p++ = digits[i];
  }
  *p = '\0';
  return static_cast<std::size_t>(p - buf);
}

}  // namespace

const char* describe(DecimalError error) {
  switch (error) {
    case DecimalError::none:
      return "no error";
    case DecimalError::overflow:
      return "number is out of range";
    case DecimalError::division_by_zero:
      return "division by zero";
    case DecimalError::syntax:
      return "not a valid number";
  }
  return "unknown decimal error";
}

DecimalError parse_decimal(std::string_view text, Decimal& out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  if (parse_simple_decimal(p, end, out)) return DecimalError::none;
  bool negative = false;
  if (p != end && *p == '-') {
    negative = true;
    ++p;
  }

  // The digits form acc * 10^pending_zeros: zeros are held back so that long runs of
  // trailing zeros (1.000...0, 1000...0e-30) cost no precision.
  u128 acc = 0;
  int significant = 0;  // digits in acc, counted from the first non-zero digit
  std::int64_t pending_zeros = 0;
  bool too_many_digits = false;
  auto take_digit = [&](int digit) {
    if (digit == 0) {
      if (acc != 0) ++pending_zeros;
      return;
    }
    if (significant + pending_zeros + 1 > kMaxPow10) {
      too_many_digits = true;
      return;
    }
    acc = acc * pow10(static_cast<int>(pending_zeros) + 1) + static_cast<unsigned>(digit);
    significant += static_cast<int>(pending_zeros) + 1;
    pending_zeros = 0;
  };

  if (p == end) return DecimalError::syntax;
  if (*p == '0') {
    ++p;  // JSON forbids further integer digits after a leading zero
  } else if (*p >= '1' && *p <= '9') {
    while (p != end && is_digit(*p)) take_digit(*p++ - '0');
  } else {
    return DecimalError::syntax;
  }

  std::int64_t fraction_digits = 0;
  if (p != end && *p == '.') {
    ++p;
    if (p == end || !is_digit(*p)) return DecimalError::syntax;
    while (p != end && is_digit(*p)) {
      take_digit(*p++ - '0');
      ++fraction_digits;
    }
  }

  std::int64_t exponent = 0;
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exponent_negative = false;
    if (p != end && (*p == '+' || *p == '-')) exponent_negative = *p++ == '-';
    if (p == end || !is_digit(*p)) return DecimalError::syntax;
    while (p != end && is_digit(*p)) {
      // Saturate: any exponent this large overflows (or is zero) anyway.
      if (exponent < 1000000) exponent = exponent * 10 + (*p - '0');
      ++p;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (p != end) return DecimalError::syntax;
  if (too_many_digits) return DecimalError::overflow;

  // The written scale, as if the exponent had been applied by moving the decimal point.
  std::int64_t scale = fraction_digits - exponent;
  if (scale < 0) scale = 0;
  if (acc == 0) {
    out =
        Decimal{0, static_cast<std::uint8_t>(scale > kMaxDecimalScale ? kMaxDecimalScale : scale)};
    return DecimalError::none;
  }
  // value = acc * 10^(pending_zeros + exponent - fraction_digits); the mantissa at `scale`
  // is acc * 10^shift, and shift >= 0 by construction.
  std::int64_t shift = pending_zeros + exponent - fraction_digits + scale;
  if (scale > kMaxDecimalScale) {
    // Only held-back zeros can be dropped without changing the value.
    const std::int64_t droppable = scale - kMaxDecimalScale;
    if (shift < droppable) return DecimalError::overflow;
    shift -= droppable;
    scale = kMaxDecimalScale;
  }
  const u128 limit = negative ? kMagnitudeLimitNegative : kMagnitudeLimitPositive;
  if (acc > limit) return DecimalError::overflow;
  // Written zeros after the point may be given up when the mantissa has no room for them
  // (9223372036854775807.0): still exact, and better than refusing a representable value.
  while (shift > 0 && scale > 0 && (shift > 18 || acc * pow10(static_cast<int>(shift)) > limit)) {
    --shift;
    --scale;
  }
  if (shift > 18) return DecimalError::overflow;
  const u128 mag = acc * pow10(static_cast<int>(shift));  // < 2^63 * 10^18
  if (mag > limit) return DecimalError::overflow;
  const i128 value = negative ? -i128(mag) : i128(mag);
  out = Decimal{static_cast<std::int64_t>(value), static_cast<std::uint8_t>(scale)};
  return DecimalError::none;
}

DecimalError add(const Decimal& a, const Decimal& b, Decimal& out) {
  return add_or_sub(a, b, false, out);
}

DecimalError sub(const Decimal& a, const Decimal& b, Decimal& out) {
  return add_or_sub(a, b, true, out);
}

DecimalError mul(const Decimal& a, const Decimal& b, Decimal& out) {
  if (!valid(a) || !valid(b)) return DecimalError::overflow;
  // |product| <= 2^126, which a signed 128-bit integer holds.
  const i128 product = i128(a.mantissa) * i128(b.mantissa);
  return fit_reducing_scale(product, a.scale + b.scale, out);
}

DecimalError div(const Decimal& a, const Decimal& b, Decimal& out) {
  if (!valid(a) || !valid(b)) return DecimalError::overflow;
  if (b.mantissa == 0) return DecimalError::division_by_zero;
  const int both = a.scale < b.scale ? a.scale : b.scale;
  const int target = both > kDivisionScale ? both : kDivisionScale;
  // Fewer digits only when the integer part leaves no room; rare, so simply retry.
  for (int scale = target; scale >= 0; --scale) {
    i128 q = 0;
    if (scaled_quotient(a.mantissa, b.mantissa, scale + b.scale - a.scale, q) && fits_int64(q)) {
      out = Decimal{static_cast<std::int64_t>(q), static_cast<std::uint8_t>(scale)};
      return DecimalError::none;
    }
  }
  return DecimalError::overflow;
}

DecimalError neg(const Decimal& a, Decimal& out) {
  if (!valid(a) || a.mantissa == kInt64Min) return DecimalError::overflow;
  out = Decimal{-a.mantissa, a.scale};
  return DecimalError::none;
}

DecimalError round_to(const Decimal& a, int scale, Rounding mode, Decimal& out) {
  if (!valid(a) || scale < -kMaxDecimalScale || scale > kMaxDecimalScale) {
    return DecimalError::overflow;
  }
  i128 value = 0;
  if (scale >= a.scale) {
    value = i128(a.mantissa) * i128(pow10(scale - a.scale));
  } else {
    value = round_div(a.mantissa, pow10(a.scale - scale), mode);
    if (scale < 0) value *= i128(pow10(-scale));  // |value| < 2^64 * 10^18
  }
  if (!fits_int64(value)) return DecimalError::overflow;
  out = Decimal{static_cast<std::int64_t>(value), static_cast<std::uint8_t>(scale < 0 ? 0 : scale)};
  return DecimalError::none;
}

int compare(const Decimal& a, const Decimal& b) {
  // Scales above 18 are invalid, but clamping the index keeps this total and safe.
  const int sa = a.scale > kMaxDecimalScale ? kMaxDecimalScale : a.scale;
  const int sb = b.scale > kMaxDecimalScale ? kMaxDecimalScale : b.scale;
  const int scale = sa > sb ? sa : sb;
  const i128 x = i128(a.mantissa) * i128(pow10(scale - sa));
  const i128 y = i128(b.mantissa) * i128(pow10(scale - sb));
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::size_t write_decimal(const Decimal& d, char* buf) {
  const int scale = d.scale > kMaxDecimalScale ? kMaxDecimalScale : d.scale;
  return write_scaled(d.mantissa < 0, magnitude(d.mantissa), scale, buf);
}

std::string to_string(const Decimal& d) {
  char buf[kDecimalBufferSize];
  return std::string(buf, write_decimal(d, buf));
}

void append_decimal(std::string& out, const Decimal& d) {
  char buf[kDecimalBufferSize];
  out.append(buf, write_decimal(d, buf));
}

std::string to_fixed(const Decimal& d, int digits, Rounding mode) {
  constexpr int kMaxFixedDigits = 40;
  if (digits < 0) digits = 0;
  if (digits > kMaxFixedDigits) digits = kMaxFixedDigits;
  const int scale = d.scale > kMaxDecimalScale ? kMaxDecimalScale : d.scale;
  if (digits >= scale) {
    // Padding with zeros is exact and needs no arithmetic, so it cannot overflow.
    std::string text = to_string(d);
    if (scale == 0 && digits > 0) text += '.';
    text.append(static_cast<std::size_t>(digits - scale), '0');
    return text;
  }
  const i128 q = round_div(d.mantissa, pow10(scale - digits), mode);
  char buf[kDecimalBufferSize];
  return std::string(buf, write_scaled(q < 0, magnitude(q), digits, buf));
}

bool to_int(const Decimal& d, std::int64_t& out) {
  if (!valid(d)) return false;
  const auto unit = static_cast<std::int64_t>(pow10(d.scale));
  if (d.mantissa % unit != 0) return false;
  out = d.mantissa / unit;
  return true;
}

Decimal normalized(const Decimal& d) {
  Decimal r = d;
  while (r.scale > 0 && r.mantissa % 10 == 0) {
    r.mantissa /= 10;
    --r.scale;
  }
  if (r.mantissa == 0) r.scale = 0;
  return r;
}

}  // namespace refpol
