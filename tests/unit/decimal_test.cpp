// Tests for interpreter/eval/decimal: parsing, checked arithmetic, rounding and formatting.
// Expected values are worked out by hand, digit by digit, not taken from the implementation.
#include "interpreter/eval/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace refpol {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// Parses text the test knows to be valid; a failure is reported at the call site.
Decimal dec(const char* text) {
  Decimal d;
  EXPECT_EQ(parse_decimal(text, d), DecimalError::none) << text;
  return d;
}

// Exact field comparison: operator== would accept 1.5 for 1.50.
void expect_fields(const Decimal& d, std::int64_t mantissa, int scale) {
  EXPECT_EQ(d.mantissa, mantissa);
  EXPECT_EQ(static_cast<int>(d.scale), scale);
}

DecimalError parse_error(const char* text) {
  Decimal d{42, 1};
  const DecimalError e = parse_decimal(text, d);
  if (e != DecimalError::none) {
    EXPECT_EQ(d.mantissa, 42) << "out written on failure for " << text;
  }
  return e;
}

TEST(DecimalParse, PlainNumbersKeepWrittenScale) {
  expect_fields(dec("123"), 123, 0);
  expect_fields(dec("-0.50"), -50, 2);
  expect_fields(dec("499.99"), 49999, 2);
  expect_fields(dec("499.990"), 499990, 3);
  expect_fields(dec("0"), 0, 0);
  expect_fields(dec("-0"), 0, 0);
  expect_fields(dec("0.000"), 0, 3);
  expect_fields(dec("0.05"), 5, 2);
  expect_fields(dec("10"), 10, 0);
}

TEST(DecimalParse, RejectsNonJsonSyntax) {
  for (const char* text : {"",    "-",     "+1",  "01",    "-01",   "00", ".5",   "1.",   "-.5",
                           "1e",  "1e+",   "1E-", "1.5.2", " 1",    "1 ", "1,5",  "0x10", "inf",
                           "NaN", "1_000", "--1", "1e5.0", "1e2e3", "e5", "1..2", "١"}) {
    EXPECT_EQ(parse_error(text), DecimalError::syntax) << '"' << text << '"';
  }
}

TEST(DecimalParse, ExponentsConvertExactly) {
  expect_fields(dec("1.5e2"), 150, 0);
  expect_fields(dec("2E-3"), 2, 3);
  expect_fields(dec("1.50e1"), 150, 1);  // 15.0: one written digit survives the shift
  expect_fields(dec("1e0"), 1, 0);
  expect_fields(dec("1E+2"), 100, 0);
  expect_fields(dec("-2.5e-1"), -25, 2);
  expect_fields(dec("0e10"), 0, 0);
  expect_fields(dec("12.5e-2"), 125, 3);
  expect_fields(dec("1e18"), 1000000000000000000, 0);
  expect_fields(dec("1e-18"), 1, 18);
  expect_fields(dec("0e-30"), 0, 18);
  expect_fields(dec("1000000000000000000000e-3"), 1000000000000000000, 0);
  expect_fields(dec("1e000000000000000000000000002"), 100, 0);
}

TEST(DecimalParse, PlainAndExponentFormsAgree) {
  // Plain numbers of up to 18 digits take a 64-bit shortcut; exponent forms do not.
  expect_fields(dec("12345e-2"), 12345, 2);
  expect_fields(dec("123.45"), 12345, 2);
  expect_fields(dec("999999999999999999"), 999999999999999999, 0);    // 18 digits
  expect_fields(dec("1234567890123456789"), 1234567890123456789, 0);  // 19: the long way
  expect_fields(dec("922337203685477580.7"), kMax, 1);
  expect_fields(dec("9223372036854775807e-1"), kMax, 1);
  expect_fields(dec("-0.000000000000000009"), -9, 18);
}

TEST(DecimalParse, OutOfRangeIsOverflow) {
  EXPECT_EQ(parse_error("1e19"), DecimalError::overflow);
  EXPECT_EQ(parse_error("1e-19"), DecimalError::overflow);
  EXPECT_EQ(parse_error("12.34e-20"), DecimalError::overflow);
  EXPECT_EQ(parse_error("9223372036854775808"), DecimalError::overflow);
  EXPECT_EQ(parse_error("-9223372036854775809"), DecimalError::overflow);
  EXPECT_EQ(parse_error("99999999999999999999"), DecimalError::overflow);
  EXPECT_EQ(parse_error("0.1234567890123456789"), DecimalError::overflow);  // 19 digits
  EXPECT_EQ(parse_error("1e999999999999"), DecimalError::overflow);
  EXPECT_EQ(parse_error("123456789012345678901234567890123456789012345"), DecimalError::overflow);
  // Syntax is judged before range: this is not a number at all.
  EXPECT_EQ(parse_error("99999999999999999999x"), DecimalError::syntax);
}

TEST(DecimalParse, Int64Limits) {
  expect_fields(dec("9223372036854775807"), kMax, 0);
  expect_fields(dec("-9223372036854775808"), kMin, 0);
  expect_fields(dec("-9.223372036854775808"), kMin, 18);
  expect_fields(dec("0.123456789012345678"), 123456789012345678, 18);
}

TEST(DecimalParse, SurplusZerosAreDroppedOnlyWhenTheyDoNotFit) {
  expect_fields(dec("1.00000000000000000000000"), 1000000000000000000, 18);
  expect_fields(dec("0.0000000000000000000"), 0, 18);
  expect_fields(dec("9223372036854775807.0"), kMax, 0);
  expect_fields(dec("922337203685477580.70"), kMax, 1);
  EXPECT_EQ(parse_error("9223372036854775807.1"), DecimalError::overflow);
}

TEST(DecimalAdd, TenthsAreExact) {
  Decimal r;
  ASSERT_EQ(add(dec("0.1"), dec("0.2"), r), DecimalError::none);
  expect_fields(r, 3, 1);
  EXPECT_TRUE(r == dec("0.3"));
}

TEST(DecimalAdd, ResultTakesLargerScale) {
  Decimal r;
  ASSERT_EQ(add(dec("1.5"), dec("2.25"), r), DecimalError::none);
  expect_fields(r, 375, 2);
  ASSERT_EQ(add(dec("1.50"), dec("1"), r), DecimalError::none);
  expect_fields(r, 250, 2);
  ASSERT_EQ(sub(dec("5"), dec("7.25"), r), DecimalError::none);
  expect_fields(r, -225, 2);
  ASSERT_EQ(sub(dec("0.30"), dec("0.1"), r), DecimalError::none);
  expect_fields(r, 20, 2);
}

TEST(DecimalAdd, OverflowIsReportedNeverWrapped) {
  Decimal r{7, 0};
  EXPECT_EQ(add(Decimal{kMax, 0}, Decimal{1, 0}, r), DecimalError::overflow);
  EXPECT_EQ(add(Decimal{kMin, 0}, Decimal{-1, 0}, r), DecimalError::overflow);
  EXPECT_EQ(sub(Decimal{kMin, 0}, Decimal{1, 0}, r), DecimalError::overflow);
  EXPECT_EQ(sub(Decimal{0, 0}, Decimal{kMin, 0}, r), DecimalError::overflow);
  EXPECT_EQ(add(Decimal{kMax, 2}, Decimal{1, 2}, r), DecimalError::overflow);
  // Aligning scales needs kMax * 10, which does not fit.
  EXPECT_EQ(add(Decimal{kMax, 0}, dec("0.1"), r), DecimalError::overflow);
  expect_fields(r, 7, 0);  // untouched on failure

  ASSERT_EQ(add(Decimal{kMax, 0}, Decimal{kMin, 0}, r), DecimalError::none);
  expect_fields(r, -1, 0);
  ASSERT_EQ(add(Decimal{kMax - 1, 0}, Decimal{1, 0}, r), DecimalError::none);
  expect_fields(r, kMax, 0);
  ASSERT_EQ(add(dec("900000000000000000"), dec("0.1"), r), DecimalError::none);
  expect_fields(r, 9000000000000000001, 1);
}

TEST(DecimalAdd, OutputMayAliasOperand) {
  Decimal a = dec("1.25");
  ASSERT_EQ(add(a, a, a), DecimalError::none);
  expect_fields(a, 250, 2);
}

TEST(DecimalMul, CommercialProducts) {
  Decimal r;
  ASSERT_EQ(mul(dec("250"), dec("1.1"), r), DecimalError::none);
  expect_fields(r, 2750, 1);
  EXPECT_TRUE(r == dec("275"));
  EXPECT_EQ(to_string(r), "275.0");
  ASSERT_EQ(mul(dec("1.5"), dec("1.5"), r), DecimalError::none);
  expect_fields(r, 225, 2);
  ASSERT_EQ(mul(dec("-2"), dec("0.5"), r), DecimalError::none);
  expect_fields(r, -10, 1);
  ASSERT_EQ(mul(dec("19.99"), dec("3"), r), DecimalError::none);
  expect_fields(r, 5997, 2);
}

TEST(DecimalMul, ScaleAbove18IsRoundedHalfEven) {
  Decimal r;
  // 1.0000000001^2 = 1.00000000020000000001 (20 digits): the trailing 01 is below half.
  ASSERT_EQ(mul(dec("1.0000000001"), dec("1.0000000001"), r), DecimalError::none);
  expect_fields(r, 1000000000200000000, 18);
  // 5e-9 * 1e-10 = 5e-19: exactly half of the last place, so it goes to even 0.
  ASSERT_EQ(mul(dec("0.000000005"), dec("0.0000000001"), r), DecimalError::none);
  expect_fields(r, 0, 18);
  // 1.5e-18 -> 2e-18 (half to even goes up from odd 1).
  ASSERT_EQ(mul(dec("0.000000015"), dec("0.0000000001"), r), DecimalError::none);
  expect_fields(r, 2, 18);
  // 2.5e-18 -> 2e-18 (half to even stays at even 2).
  ASSERT_EQ(mul(dec("0.000000025"), dec("0.0000000001"), r), DecimalError::none);
  expect_fields(r, 2, 18);
  ASSERT_EQ(mul(dec("-0.000000025"), dec("0.0000000001"), r), DecimalError::none);
  expect_fields(r, -2, 18);
}

TEST(DecimalMul, ScaleShrinksWhenMantissaIsTooWide) {
  Decimal r;
  // 1234567890.123456789 * 10.00 = 12345678901.23456789000: the three zeros go.
  ASSERT_EQ(mul(dec("1234567890.123456789"), dec("10.00"), r), DecimalError::none);
  expect_fields(r, 1234567890123456789, 8);
  // 1234567890.123456789 * 7.5 = 9259259175.9259259175. At 9 digits the mantissa would be
  // 9259259175925925918 > 2^63 - 1, so 8 digits: 9259259175.92592591|75 -> ...92.
  ASSERT_EQ(mul(dec("1234567890.123456789"), dec("7.5"), r), DecimalError::none);
  expect_fields(r, 925925917592592592, 8);
}

TEST(DecimalMul, IntegerOverflowIsReported) {
  Decimal r{7, 0};
  EXPECT_EQ(mul(Decimal{kMax, 0}, dec("2"), r), DecimalError::overflow);
  EXPECT_EQ(mul(dec("4611686018427387904"), dec("2"), r), DecimalError::overflow);  // 2^63
  EXPECT_EQ(mul(dec("3037000500"), dec("3037000500"), r), DecimalError::overflow);
  EXPECT_EQ(mul(Decimal{kMin, 0}, dec("-1"), r), DecimalError::overflow);
  EXPECT_EQ(mul(Decimal{kMin, 0}, Decimal{kMin, 0}, r), DecimalError::overflow);
  expect_fields(r, 7, 0);
  // -2^63 itself fits.
  ASSERT_EQ(mul(dec("4611686018427387904"), dec("-2"), r), DecimalError::none);
  expect_fields(r, kMin, 0);
  ASSERT_EQ(mul(dec("3037000499"), dec("3037000499"), r), DecimalError::none);
  expect_fields(r, 9223372030926249001, 0);
  // An integer part of 2^63 - 1 fits even if every fractional digit must go.
  ASSERT_EQ(mul(Decimal{kMax, 0}, dec("1.000"), r), DecimalError::none);
  expect_fields(r, kMax, 0);
}

TEST(DecimalDiv, RoundsHalfEvenToTwelveDigits) {
  Decimal r;
  ASSERT_EQ(div(dec("1"), dec("3"), r), DecimalError::none);
  expect_fields(r, 333333333333, 12);
  ASSERT_EQ(div(dec("2"), dec("3"), r), DecimalError::none);
  expect_fields(r, 666666666667, 12);
  ASSERT_EQ(div(dec("-1"), dec("3"), r), DecimalError::none);
  expect_fields(r, -333333333333, 12);
  ASSERT_EQ(div(dec("2"), dec("-3"), r), DecimalError::none);
  expect_fields(r, -666666666667, 12);
  ASSERT_EQ(div(dec("1"), dec("7"), r), DecimalError::none);
  expect_fields(r, 142857142857, 12);
  ASSERT_EQ(div(dec("10"), dec("4"), r), DecimalError::none);
  expect_fields(r, 2500000000000, 12);
  EXPECT_TRUE(r == dec("2.5"));
  ASSERT_EQ(div(dec("-7"), dec("2"), r), DecimalError::none);
  expect_fields(r, -3500000000000, 12);
  ASSERT_EQ(div(dec("275.0"), dec("1.1"), r), DecimalError::none);
  EXPECT_TRUE(r == dec("250"));
  // Ties at the 12th digit: 0.5e-12 -> 0, 1.5e-12 -> 2e-12.
  ASSERT_EQ(div(dec("0.000000000001"), dec("2"), r), DecimalError::none);
  expect_fields(r, 0, 12);
  ASSERT_EQ(div(dec("0.000000000003"), dec("2"), r), DecimalError::none);
  expect_fields(r, 2, 12);
  ASSERT_EQ(div(dec("-0.000000000003"), dec("2"), r), DecimalError::none);
  expect_fields(r, -2, 12);
}

TEST(DecimalDiv, KeepsMoreDigitsWhenBothOperandsHaveThem) {
  Decimal r;
  ASSERT_EQ(div(dec("1.00000000000000"), dec("3.000000000000000"), r), DecimalError::none);
  expect_fields(r, 33333333333333, 14);
  ASSERT_EQ(div(dec("0.00000000000001"), dec("1.000000000000000"), r), DecimalError::none);
  expect_fields(r, 1, 14);
  // Only one operand has more than 12 digits: 12 it is.
  ASSERT_EQ(div(dec("0.00000000000001"), dec("1"), r), DecimalError::none);
  expect_fields(r, 0, 12);
}

TEST(DecimalDiv, LargeQuotientsKeepFewerDigits) {
  Decimal r;
  // 10^7 at 12 digits would need a 20-digit mantissa; 11 digits fit.
  ASSERT_EQ(div(dec("10000000"), dec("1"), r), DecimalError::none);
  expect_fields(r, 1000000000000000000, 11);
  ASSERT_EQ(div(Decimal{kMax, 0}, dec("1"), r), DecimalError::none);
  expect_fields(r, kMax, 0);
  // 1 / 3e-18 = 333333333333333333.33...: one fractional digit fits.
  ASSERT_EQ(div(dec("1"), dec("0.000000000000000003"), r), DecimalError::none);
  expect_fields(r, 3333333333333333333, 1);
}

TEST(DecimalDiv, ErrorsAreReported) {
  Decimal r{7, 0};
  EXPECT_EQ(div(dec("1"), dec("0"), r), DecimalError::division_by_zero);
  EXPECT_EQ(div(dec("0"), dec("0.00"), r), DecimalError::division_by_zero);
  EXPECT_EQ(div(Decimal{kMin, 0}, dec("-1"), r), DecimalError::overflow);
  EXPECT_EQ(div(Decimal{kMax, 0}, dec("0.5"), r), DecimalError::overflow);
  expect_fields(r, 7, 0);
}

TEST(DecimalNeg, Basics) {
  Decimal r;
  ASSERT_EQ(neg(dec("1.50"), r), DecimalError::none);
  expect_fields(r, -150, 2);
  ASSERT_EQ(neg(Decimal{kMax, 0}, r), DecimalError::none);
  expect_fields(r, -kMax, 0);
  EXPECT_EQ(neg(Decimal{kMin, 3}, r), DecimalError::overflow);
}

Decimal rounded(const char* text, int scale, Rounding mode) {
  Decimal r{999, 0};
  EXPECT_EQ(round_to(dec(text), scale, mode, r), DecimalError::none) << text;
  return r;
}

TEST(DecimalRound, HalfUpGoesAwayFromZero) {
  expect_fields(rounded("2.5", 0, Rounding::half_up), 3, 0);
  expect_fields(rounded("-2.5", 0, Rounding::half_up), -3, 0);
  expect_fields(rounded("2.45", 1, Rounding::half_up), 25, 1);
  expect_fields(rounded("-2.45", 1, Rounding::half_up), -25, 1);
  expect_fields(rounded("2.49", 0, Rounding::half_up), 2, 0);
  expect_fields(rounded("1.005", 2, Rounding::half_up), 101, 2);
  expect_fields(rounded("0.5", 0, Rounding::half_up), 1, 0);
  expect_fields(rounded("-0.4", 0, Rounding::half_up), 0, 0);
}

TEST(DecimalRound, HalfEvenGoesToEvenNeighbour) {
  expect_fields(rounded("2.5", 0, Rounding::half_even), 2, 0);
  expect_fields(rounded("3.5", 0, Rounding::half_even), 4, 0);
  expect_fields(rounded("-2.5", 0, Rounding::half_even), -2, 0);
  expect_fields(rounded("-3.5", 0, Rounding::half_even), -4, 0);
  expect_fields(rounded("2.45", 1, Rounding::half_even), 24, 1);
  expect_fields(rounded("2.51", 0, Rounding::half_even), 3, 0);
  expect_fields(rounded("-2.51", 0, Rounding::half_even), -3, 0);
  expect_fields(rounded("0.5", 0, Rounding::half_even), 0, 0);
  // 2.5000001 is above half, whatever the parity.
  expect_fields(rounded("2.5000001", 0, Rounding::half_even), 3, 0);
}

TEST(DecimalRound, DownTruncatesTowardZero) {
  expect_fields(rounded("2.9", 0, Rounding::down), 2, 0);
  expect_fields(rounded("-2.9", 0, Rounding::down), -2, 0);
  expect_fields(rounded("19.999", 2, Rounding::down), 1999, 2);
}

TEST(DecimalRound, WiderAndNegativeScales) {
  expect_fields(rounded("1.5", 2, Rounding::half_up), 150, 2);
  expect_fields(rounded("7", 3, Rounding::down), 7000, 3);
  expect_fields(rounded("1250", -2, Rounding::half_even), 1200, 0);
  expect_fields(rounded("1250", -2, Rounding::half_up), 1300, 0);
  expect_fields(rounded("1249.99", -1, Rounding::half_up), 1250, 0);
  expect_fields(rounded("-1249.99", -2, Rounding::down), -1200, 0);

  Decimal r{7, 0};
  EXPECT_EQ(round_to(dec("1"), 19, Rounding::half_up, r), DecimalError::overflow);
  EXPECT_EQ(round_to(dec("1"), -19, Rounding::half_up, r), DecimalError::overflow);
  EXPECT_EQ(round_to(Decimal{kMax, 0}, 3, Rounding::half_up, r), DecimalError::overflow);
  EXPECT_EQ(round_to(Decimal{kMax, 0}, -1, Rounding::half_up, r), DecimalError::overflow);
  expect_fields(r, 7, 0);
}

TEST(DecimalCompare, ExactAcrossScales) {
  EXPECT_EQ(compare(dec("1.50"), dec("1.5")), 0);
  EXPECT_EQ(compare(dec("1.5"), dec("1.49")), 1);
  EXPECT_EQ(compare(dec("1.49"), dec("1.5")), -1);
  EXPECT_EQ(compare(dec("-0.1"), dec("0")), -1);
  EXPECT_EQ(compare(dec("0.000"), dec("-0")), 0);
  EXPECT_EQ(compare(Decimal{kMax, 0}, Decimal{kMax, 18}), 1);
  EXPECT_EQ(compare(Decimal{kMin, 18}, dec("-1")), -1);
  EXPECT_EQ(compare(Decimal{kMin, 0}, Decimal{kMin, 18}), -1);
  EXPECT_EQ(compare(Decimal{kMax, 0}, Decimal{kMax - 1, 0}), 1);
  EXPECT_EQ(compare(Decimal{1, 18}, Decimal{0, 0}), 1);
  EXPECT_EQ(compare(Decimal{kMax, 18}, Decimal{kMax / 10, 17}), 1);  // differ in the last digit
}

TEST(DecimalCompare, OperatorsAreNumeric) {
  EXPECT_TRUE(dec("1.50") == dec("1.5"));
  EXPECT_FALSE(dec("1.50") != dec("1.5"));
  EXPECT_TRUE(dec("1.51") != dec("1.5"));
  EXPECT_TRUE(dec("0.99") < dec("1"));
  EXPECT_TRUE(dec("-1") < dec("-0.99"));
  EXPECT_TRUE(dec("2.000") >= dec("2"));
}

TEST(DecimalFormat, ToStringKeepsScale) {
  EXPECT_EQ(to_string(Decimal{150, 2}), "1.50");
  EXPECT_EQ(to_string(Decimal{-5, 2}), "-0.05");
  EXPECT_EQ(to_string(Decimal{0, 3}), "0.000");
  EXPECT_EQ(to_string(Decimal{0, 0}), "0");
  EXPECT_EQ(to_string(Decimal{5, 0}), "5");
  EXPECT_EQ(to_string(Decimal{-12345, 1}), "-1234.5");
  EXPECT_EQ(to_string(Decimal{1, 18}), "0.000000000000000001");
  EXPECT_EQ(to_string(Decimal{kMin, 0}), "-9223372036854775808");
  EXPECT_EQ(to_string(Decimal{kMin, 18}), "-9.223372036854775808");
  EXPECT_EQ(to_string(Decimal{kMax, 19}), "9.223372036854775807");  // invalid scale: clamped
}

TEST(DecimalFormat, WriteDecimalIsTerminatedAndRoundTrips) {
  char buf[kDecimalBufferSize];
  std::memset(buf, 'x', sizeof buf);
  const std::size_t n = write_decimal(Decimal{-49999, 2}, buf);
  EXPECT_EQ(n, 7u);
  EXPECT_STREQ(buf, "-499.99");

  for (const Decimal d : {Decimal{kMin, 18}, Decimal{kMax, 0}, Decimal{1, 18}, Decimal{-50, 2},
                          Decimal{0, 4}, Decimal{123456789, 3}}) {
    const std::size_t len = write_decimal(d, buf);
    ASSERT_LT(len, kDecimalBufferSize);
    Decimal back;
    ASSERT_EQ(parse_decimal(std::string_view(buf, len), back), DecimalError::none) << buf;
    expect_fields(back, d.mantissa, d.scale);
  }
}

TEST(DecimalFormat, ToFixed) {
  EXPECT_EQ(to_fixed(dec("1.005"), 2, Rounding::half_up), "1.01");
  EXPECT_EQ(to_fixed(dec("1.005"), 2, Rounding::half_even), "1.00");
  EXPECT_EQ(to_fixed(dec("1.015"), 2, Rounding::half_even), "1.02");
  EXPECT_EQ(to_fixed(dec("1.009"), 2, Rounding::down), "1.00");
  EXPECT_EQ(to_fixed(dec("-1.005"), 2, Rounding::half_up), "-1.01");
  EXPECT_EQ(to_fixed(dec("2.5"), 0, Rounding::half_even), "2");
  EXPECT_EQ(to_fixed(dec("2.5"), 0, Rounding::half_up), "3");
  EXPECT_EQ(to_fixed(dec("1.5"), 3, Rounding::half_up), "1.500");
  EXPECT_EQ(to_fixed(dec("7"), 2, Rounding::half_up), "7.00");
  EXPECT_EQ(to_fixed(dec("-0.004"), 2, Rounding::half_up), "0.00");  // no "-0.00"
  EXPECT_EQ(to_fixed(dec("9.995"), 2, Rounding::half_up), "10.00");
  EXPECT_EQ(to_fixed(dec("7"), -3, Rounding::half_up), "7");  // negative digits mean 0
  // Padding cannot overflow even where the mantissa could not hold the digits.
  EXPECT_EQ(to_fixed(Decimal{kMax, 0}, 2, Rounding::half_up), "9223372036854775807.00");
  EXPECT_EQ(to_fixed(Decimal{kMin, 18}, 0, Rounding::half_up), "-9");
}

TEST(DecimalConvert, IntegersAreExactOnly) {
  expect_fields(from_int(-42), -42, 0);
  std::int64_t v = 0;
  ASSERT_TRUE(to_int(dec("2.00"), v));
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(to_int(dec("-3.000"), v));
  EXPECT_EQ(v, -3);
  ASSERT_TRUE(to_int(Decimal{kMin, 0}, v));
  EXPECT_EQ(v, kMin);
  v = 99;
  EXPECT_FALSE(to_int(dec("2.50"), v));
  EXPECT_FALSE(to_int(dec("0.000000000000000001"), v));
  EXPECT_EQ(v, 99);
}

TEST(DecimalConvert, Normalized) {
  expect_fields(normalized(dec("1.500")), 15, 1);
  expect_fields(normalized(dec("2.00")), 2, 0);
  expect_fields(normalized(dec("0.000")), 0, 0);
  expect_fields(normalized(dec("100")), 100, 0);
  expect_fields(normalized(dec("-0.10")), -1, 1);
  expect_fields(normalized(Decimal{kMin, 18}), kMin, 18);
}

TEST(DecimalDescribe, LowercaseText) {
  EXPECT_STREQ(describe(DecimalError::division_by_zero), "division by zero");
  EXPECT_STREQ(describe(DecimalError::overflow), "number is out of range");
  EXPECT_STREQ(describe(DecimalError::syntax), "not a valid number");
}

}  // namespace
}  // namespace refpol
