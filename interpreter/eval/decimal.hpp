// Exact decimal numbers for money and points: a 64-bit mantissa and a power-of-ten scale.
// Binary floating point is never used, so 0.1 + 0.2 == 0.3 and 250 * 1.1 == 275.0 exactly.
#pragma once
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace refpol {

inline constexpr int kMaxDecimalScale = 18;
// Division cannot be exact in general, so quotients get this many fractional digits.
inline constexpr int kDivisionScale = 12;
// Enough for any Decimal written by write_decimal, including the sign and the terminator.
inline constexpr std::size_t kDecimalBufferSize = 48;

// value = mantissa * 10^-scale, with 0 <= scale <= kMaxDecimalScale. The scale is kept as
// written (1.50 has scale 2) so that output shows the precision the author chose.
// Packed to 12 bytes so a runtime Value (which may hold Money = Decimal + unit) stays 24 bytes.
struct __attribute__((packed, aligned(4))) Decimal {
  std::int64_t mantissa = 0;
  std::uint8_t scale = 0;
};

enum class DecimalError { none, overflow, division_by_zero, syntax };

// half_up: ties go away from zero (2.5 -> 3, -2.5 -> -3), the usual commercial rule.
// half_even: ties go to the even neighbour (2.5 -> 2, 3.5 -> 4), unbiased over many sums.
// down: truncation toward zero (2.9 -> 2, -2.9 -> -2).
enum class Rounding { half_up, half_even, down };

// Lowercase English for messages, e.g. "number is out of range".
const char* describe(DecimalError error);

// Accepts exactly the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// so `+1`, `01`, `.5`, `1.` and surrounding spaces are syntax errors. Exponents are applied
// exactly: 1.5e2 -> 150 (scale 0), 2E-3 -> 0.002 (scale 3), 1.50e1 -> 15.0 (scale 1).
// A value that needs more than 18 fractional digits or does not fit the mantissa is an
// overflow (never silently rounded). Trailing fractional zeros are given up only where they
// would not fit (beyond 18 digits, or 9223372036854775807.0), as that loses nothing.
// No allocation, no locale. `out` is written only on success.
DecimalError parse_decimal(std::string_view text, Decimal& out);

// All arithmetic is checked and never wraps. `out` is written only on success and may alias
// an operand.
//
// add/sub: the result has the larger of the two scales; overflow if the mantissa does not fit.
DecimalError add(const Decimal& a, const Decimal& b, Decimal& out);
DecimalError sub(const Decimal& a, const Decimal& b, Decimal& out);
// The result scale is the sum of the scales. When that exceeds 18 or the mantissa does not
// fit, fractional digits are dropped (rounding half_even once, from the exact product) as far
// as needed; overflow only when the integer part itself does not fit.
DecimalError mul(const Decimal& a, const Decimal& b, Decimal& out);
// The quotient is rounded half_even to kDivisionScale fractional digits, or to
// min(a.scale, b.scale) digits when both operands have more than that. Like mul, fewer
// digits are kept when the integer part is too large for that many; overflow only when the
// integer part does not fit.
DecimalError div(const Decimal& a, const Decimal& b, Decimal& out);
DecimalError neg(const Decimal& a, Decimal& out);
// Rounds to `scale` fractional digits (the result has exactly that scale, so rounding 1.5 to
// 2 digits gives 1.50). A negative scale rounds to tens, hundreds, ... and gives scale 0.
// `scale` outside -18..18, or a result that does not fit, is an overflow.
DecimalError round_to(const Decimal& a, int scale, Rounding mode, Decimal& out);

// Exact numeric comparison across scales: -1, 0 or 1.
int compare(const Decimal& a, const Decimal& b);
// Numeric equality: 1.50 == 1.5. Use the fields directly to tell the two apart.
inline bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }
inline std::weak_ordering operator<=>(const Decimal& a, const Decimal& b) {
  const int c = compare(a, b);
  return c < 0 ? std::weak_ordering::less
               : (c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent);
}

// Keeps the scale: {150, 2} -> "1.50", {-5, 2} -> "-0.05". Never uses an exponent.
std::string to_string(const Decimal& d);
// to_string(d) appended to `out`, without a string of its own.
void append_decimal(std::string& out, const Decimal& d);
// Rounds to `digits` fractional digits (clamped to 0..40) and always shows exactly that many;
// never fails, since the rounded value is formatted with 128-bit arithmetic.
std::string to_fixed(const Decimal& d, int digits, Rounding mode);
// Same text as to_string into `buf` (at least kDecimalBufferSize bytes), without allocating.
// Returns the length; a terminating '\0' is also written but not counted.
std::size_t write_decimal(const Decimal& d, char* buf);

inline Decimal from_int(std::int64_t value) { return Decimal{value, 0}; }
// True and sets `out` only if `d` is a whole number that fits (2.00 -> 2; 2.50 -> false).
bool to_int(const Decimal& d, std::int64_t& out);
// Strips trailing fractional zeros: 1.500 -> 1.5, 2.00 -> 2, 0.000 -> 0.
Decimal normalized(const Decimal& d);

}  // namespace refpol
