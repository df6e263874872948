// The expression machine's operations: field reads, logic with absent values, exact arithmetic,
// comparisons, membership, aggregates and built-in functions.
#include "interpreter/eval/machine.hpp"

#include <algorithm>

#include "interpreter/source/sha256.hpp"

namespace refpol {
namespace {

namespace v2 = boost::variant2;

Value bool_value(bool b) { return Value(b); }

}  // namespace

bool is_numeric(const Value& v) { return v.index() == kInt || v.index() == kDecimal; }

Decimal as_decimal(const Value& v) {
  if (v.index() == kInt) return from_int(unsafe_get<kInt>(v));
  if (v.index() == kDecimal) return unsafe_get<kDecimal>(v);
  if (v.index() == kMoney) return unsafe_get<kMoney>(v).amount;
  return Decimal{};
}

void Machine::fail(std::uint32_t node, std::string message) {
  if (failed_) return;
  failed_ = true;
  error_.message = std::move(message);
  if (node != kNoNode) {
    error_.file = p_.nodes[node].file;
    error_.span = p_.nodes[node].span;
  }
}

DateTime Machine::to_instant(const Value& v) const {
  if (v.index() == kDateTime) return unsafe_get<kDateTime>(v);
  if (v.index() == kDate) return start_of_day(unsafe_get<kDate>(v), p_.zone);
  return DateTime{};
}

int Machine::compare_values(const Value& a, const Value& b) {
  std::size_t ia = a.index(), ib = b.index();
  if (ia == kInt && ib == kInt) {
    auto x = unsafe_get<kInt>(a), y = unsafe_get<kInt>(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // A decimal fact against a whole-number constant (`total_spend >= 500`) is the common mixed
  // case: scale the whole number up in 64 bits when it fits.
  if (ia == kDecimal && ib == kInt) {
    const Decimal& x = unsafe_get<kDecimal>(a);
    static constexpr std::int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    std::int64_t scaled;
    if (x.scale <= 8 && !__builtin_mul_overflow(unsafe_get<kInt>(b), kPow10[x.scale], &scaled)) {
      std::int64_t m = x.mantissa;
      return m < scaled ? -1 : m > scaled ? 1 : 0;
    }
  }
  if (is_numeric(a) && is_numeric(b)) return compare(as_decimal(a), as_decimal(b));
  // The sum of no amounts is a plain 0, which compares with an amount of any unit.
  if ((ia == kInt && ib == kMoney && unsafe_get<kInt>(a) == 0) || (ia == kMoney && ib == kInt && unsafe_get<kInt>(b) == 0)) {
    return compare(as_decimal(a), as_decimal(b));
  }
  if (ia != ib) {
    if ((ia == kDate || ia == kDateTime) && (ib == kDate || ib == kDateTime)) {
      DateTime x = to_instant(a), y = to_instant(b);
      return x.utc_seconds < y.utc_seconds ? -1 : x.utc_seconds > y.utc_seconds ? 1 : 0;
    }
    return -2;
  }
  switch (ia) {
    case kBool: return unsafe_get<kBool>(a) == unsafe_get<kBool>(b) ? 0 : (unsafe_get<kBool>(a) ? 1 : -1);
    case kMoney: {
      const Money& x = unsafe_get<kMoney>(a);
      const Money& y = unsafe_get<kMoney>(b);
      if (x.unit != y.unit) return -2;
      return compare(x.amount, y.amount);
    }
    case kString: {
      int c = unsafe_get<kString>(a).view().compare(unsafe_get<kString>(b).view());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case kDate: {
      auto x = unsafe_get<kDate>(a).days, y = unsafe_get<kDate>(b).days;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case kDateTime: {
      auto x = unsafe_get<kDateTime>(a).utc_seconds, y = unsafe_get<kDateTime>(b).utc_seconds;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case kDuration: {
      // Months have no fixed length: compare them as 30 days, documented in language.md.
      const Duration& x = unsafe_get<kDuration>(a);
      const Duration& y = unsafe_get<kDuration>(b);
      __int128 sx = static_cast<__int128>(x.months) * 30 * kSecondsPerDay + x.seconds;
      __int128 sy = static_cast<__int128>(y.months) * 30 * kSecondsPerDay + y.seconds;
      return sx < sy ? -1 : sx > sy ? 1 : 0;
    }
    default: return -2;
  }
}

bool Machine::equal_values(const Value& a, const Value& b) {
  std::size_t ia = a.index();
  if (ia == kRecord && b.index() == kRecord) return unsafe_get<kRecord>(a) == unsafe_get<kRecord>(b);
  if (ia == kDuration && b.index() == kDuration) return unsafe_get<kDuration>(a) == unsafe_get<kDuration>(b);
  // Texts of different lengths differ without reading their bytes (which are seldom in cache).
  if (ia == kString && b.index() == kString) return unsafe_get<kString>(a).view() == unsafe_get<kString>(b).view();
  return compare_values(a, b) == 0;
}

Value Machine::add_values(const Value& a, const Value& b, std::uint32_t node, bool subtract) {
  std::size_t ia = a.index(), ib = b.index();
  if (ia == kAbsent || ib == kAbsent) return Absent{};
  if (ia == kInt && ib == kInt) {
    std::int64_t r;
    bool overflow = subtract ? __builtin_sub_overflow(unsafe_get<kInt>(a), unsafe_get<kInt>(b), &r)
                             : __builtin_add_overflow(unsafe_get<kInt>(a), unsafe_get<kInt>(b), &r);
    if (overflow) {
      fail(node, "whole number overflows");
      return Absent{};
    }
    return r;
  }
  auto dec = [&](const Decimal& x, const Decimal& y, Decimal& out) {
    DecimalError e = subtract ? sub(x, y, out) : add(x, y, out);
    if (e != DecimalError::none) fail(node, describe(e));
    return e == DecimalError::none;
  };
  if (is_numeric(a) && is_numeric(b)) {
    Decimal r;
    if (!dec(as_decimal(a), as_decimal(b), r)) return Absent{};
    return r;
  }
  // A plain 0 (the sum of no amounts) adds to an amount as zero of its unit.
  if (ia == kInt && ib == kMoney && unsafe_get<kInt>(a) == 0) return add_values(Money{Decimal{}, unsafe_get<kMoney>(b).unit}, b, node, subtract);
  if (ia == kMoney && ib == kInt && unsafe_get<kInt>(b) == 0) return a;
  if (ia == kMoney && ib == kMoney) {
    Money r{Decimal{}, unsafe_get<kMoney>(a).unit};
    if (!dec(unsafe_get<kMoney>(a).amount, unsafe_get<kMoney>(b).amount, r.amount)) return Absent{};
    return r;
  }
  if ((ia == kDateTime || ia == kDate) && ib == kDuration) {
    Duration d = unsafe_get<kDuration>(b);
    if (subtract) {
      d.seconds = -d.seconds;
      d.months = -d.months;
    }
    if (ia == kDate) {
      Date out;
      if (!add_months(unsafe_get<kDate>(a), d.months, out)) {
        fail(node, "date is out of range");
        return Absent{};
      }
      out.days += static_cast<std::int32_t>(d.seconds / kSecondsPerDay);
      return out;
    }
    DateTime out;
    if (!add(unsafe_get<kDateTime>(a), d, p_.zone, out)) {
      fail(node, "date-time is out of range");
      return Absent{};
    }
    return out;
  }
  if (ia == kDuration && (ib == kDateTime || ib == kDate) && !subtract) return add_values(b, a, node, false);
  if (ia == kDuration && ib == kDuration) {
    Duration x = unsafe_get<kDuration>(a), y = unsafe_get<kDuration>(b);
    return subtract ? Duration{x.seconds - y.seconds, x.months - y.months}
                    : Duration{x.seconds + y.seconds, x.months + y.months};
  }
  if (subtract && ia == kDateTime && ib == kDateTime) {
    return Duration{unsafe_get<kDateTime>(a).utc_seconds - unsafe_get<kDateTime>(b).utc_seconds, 0};
  }
  if (subtract && ia == kDate && ib == kDate) {
    return Duration{static_cast<std::int64_t>(unsafe_get<kDate>(a).days - unsafe_get<kDate>(b).days) * kSecondsPerDay, 0};
  }
  if (!subtract && ia == kString && ib == kString) {
    std::string s(unsafe_get<kString>(a).view());
    s += unsafe_get<kString>(b).view();
    return scratch_.arena.string(s);
  }
  fail(node, "these values cannot be added");
  return Absent{};
}

Value Machine::multiply(const Value& a, const Value& b, std::uint32_t node) {
  std::size_t ia = a.index(), ib = b.index();
  if (ia == kAbsent || ib == kAbsent) return Absent{};
  if (ia == kInt && ib == kInt) {
    std::int64_t r;
    if (__builtin_mul_overflow(unsafe_get<kInt>(a), unsafe_get<kInt>(b), &r)) {
      fail(node, "whole number overflows");
      return Absent{};
    }
    return r;
  }
  if (ia == kDuration || ib == kDuration) {
    const Duration& d = ia == kDuration ? unsafe_get<kDuration>(a) : unsafe_get<kDuration>(b);
    std::int64_t k = ia == kDuration ? unsafe_get<kInt>(b) : unsafe_get<kInt>(a);
    std::int64_t s, m;
    if (__builtin_mul_overflow(d.seconds, k, &s) || __builtin_mul_overflow(static_cast<std::int64_t>(d.months), k, &m) ||
        m > INT32_MAX || m < INT32_MIN) {
      fail(node, "duration overflows");
      return Absent{};
    }
    return Duration{s, static_cast<std::int32_t>(m)};
  }
  Decimal r;
  DecimalError e = mul(as_decimal(a), as_decimal(b), r);
  if (e != DecimalError::none) {
    fail(node, describe(e));
    return Absent{};
  }
  if (ia == kMoney) return Money{r, unsafe_get<kMoney>(a).unit};
  if (ib == kMoney) return Money{r, unsafe_get<kMoney>(b).unit};
  return r;
}

Value Machine::membership(const Value& item, const Value& container) {
  if (item.index() == kAbsent || container.index() == kAbsent) return Absent{};
  if (container.index() == kRange) {
    const RangeV* r = unsafe_get<kRange>(container);
    Value x = item;
    // An instant is in a range of dates when its local calendar date is.
    if (item.index() == kDateTime && r->first.index() == kDate) x = local_date(unsafe_get<kDateTime>(item), p_.zone);
    int lo = compare_values(x, r->first), hi = compare_values(x, r->last);
    if (lo == -2 || hi == -2) return Absent{};
    return bool_value(lo >= 0 && hi <= 0);
  }
  if (container.index() == kList) {
    const ListV* l = unsafe_get<kList>(container);
    for (std::uint32_t i = 0; i < l->size; ++i) {
      if (equal_values(item, l->items[i])) return true;
    }
    return false;
  }
  return Absent{};
}

Value Machine::comparison(Op op, const Value& a, const Value& b) {
  if (a.index() == kAbsent || b.index() == kAbsent) return Absent{};
  if (op == Op::eq || op == Op::ne) {
    const bool eq = equal_values(a, b);
    return op == Op::eq ? eq : !eq;
  }
  const int c = compare_values(a, b);
  if (c == -2) return Absent{};
  switch (op) {
    case Op::lt: return c < 0;
    case Op::le: return c <= 0;
    case Op::gt: return c > 0;
    default: return c >= 0;
  }
}

Value Machine::noted_comparison(const Node& n, const Value& a, const Value& b) {
  if (n.aux <= kDayOfNowOnRight) {
    note_comparison(n, a, b);
    return comparison(n.op, a, b);
  }
  Value r = comparison(n.op, a, b);
  note_counter(n, n.aux == kCounterOnLeft, true, a, b, r);
  return r;
}

void Machine::note_counter(const Node& n, bool left, bool compare, const Value& a, const Value& b, const Value& result) {
  if (counter_checks_ == nullptr) return;
  const Value& other = left ? b : a;
  // Only numbers and amounts are kept: they point into no document.
  if (other.index() != kInt && other.index() != kDecimal && other.index() != kMoney && other.index() != kAbsent) {
    counters_untracked_ = true;
    return;
  }
  // The counter node is a field of the campaign, at most through definitions.
  const std::uint32_t counter = p_.behind_defines(left ? n.a : n.b);
  const bool rank = counter < p_.nodes.size() && p_.nodes[counter].op == Op::field &&
                    static_cast<std::int32_t>(p_.nodes[counter].slot) == p_.campaign_rank_field;
  counter_checks_->checks.push_back(CounterChecks::Check{rank, compare, left, static_cast<std::uint8_t>(n.op), other, result});
}

bool CounterChecks::allows(const Program& program, const Decimal& budget_spent, std::int64_t rewarded_referrers,
                           EvalScratch& scratch) const {
  if (untracked) return false;
  if (spent_above && compare(budget_spent, *spent_above) <= 0) return false;
  if (spent_at_most && compare(budget_spent, *spent_at_most) > 0) return false;
  Decimal left;
  if (budget_total && sub(*budget_total, budget_spent, left) != DecimalError::none) return false;
  if (checks.empty()) return true;
  Machine m(program, nullptr, DateTime{}, scratch);
  const Value spent = Money{budget_spent, 0};
  const Value rank = rewarded_referrers;
  for (const Check& c : checks) {
    const Value& counter = c.rank ? rank : spent;
    const Value& a = c.counter_left ? counter : c.other;
    const Value& b = c.counter_left ? c.other : counter;
    if (c.compare) {
      Value r = m.comparison(static_cast<Op>(c.op), a, b);
      if (r.index() != c.result.index()) return false;
      if (r.index() == kBool && unsafe_get<kBool>(r) != unsafe_get<kBool>(c.result)) return false;
    } else {
      m.add_values(a, b, kNoNode, static_cast<Op>(c.op) == Op::sub);
      if (m.failed()) return false;
    }
  }
  return true;
}

// The node behind a day of now: the argument of `date_of(x)`, reached through definitions.
std::uint32_t Machine::day_argument(std::uint32_t node) const {
  node = p_.behind_defines(node);
  if (node >= p_.nodes.size() || p_.nodes[node].op != Op::builtin || p_.nodes[node].args_count != 1) return kNoNode;
  return p_.args[p_.nodes[node].args_begin];
}

void Machine::note_comparison(const Node& n, const Value& a, const Value& b) {
  const bool left = n.aux == kNowOnLeft || n.aux == kDayOfNowOnLeft;
  const bool day = n.aux == kDayOfNowOnLeft || n.aux == kDayOfNowOnRight;
  const Value& other = left ? b : a;
  // The shifted now's instant: the value itself, or for a day of now, its argument again (a
  // shifted now: now plus a written duration, at most through definitions).
  Value instant = left ? a : b;
  if (day) {
    const std::uint32_t arg = day_argument(left ? n.a : n.b);
    instant = arg == kNoNode ? Value(Absent{}) : eval(arg);
  }
  // Out of the calendar's range (now + 9999 years): not followed.
  if (instant.index() != kDateTime) {
    time_untracked_ = true;
    return;
  }
  // The shifted now is now + delta. Against a value x its answer is the same all through the
  // instants x stands for: one second for a date-time, and for a date compared with a day (or
  // a range of dates, which an instant is in by its local date) the whole local day. So it
  // turns only where the shifted now enters or leaves those, at now = that instant - delta.
  const std::int64_t delta = unsafe_get<kDateTime>(instant).utc_seconds - now_.utc_seconds;
  auto turns_at = [&](std::int64_t t) { note_turn(t - delta); };
  auto first = [&](const Value& x, bool as_day) -> std::optional<std::int64_t> {
    if (x.index() == kDate) {
      return start_of_day(unsafe_get<kDate>(x), p_.zone).utc_seconds;
    }
    if (x.index() == kDateTime && !as_day) return unsafe_get<kDateTime>(x).utc_seconds;
    return std::nullopt;
  };
  auto after = [&](const Value& x, bool as_day) -> std::optional<std::int64_t> {
    if (x.index() == kDate) {
      return as_day ? start_of_day(Date{unsafe_get<kDate>(x).days + 1}, p_.zone).utc_seconds
                    : start_of_day(unsafe_get<kDate>(x), p_.zone).utc_seconds + 1;
    }
    if (x.index() == kDateTime && !as_day) return unsafe_get<kDateTime>(x).utc_seconds + 1;
    return std::nullopt;
  };
  auto both = [&](const Value& x, bool as_day) {
    std::optional<std::int64_t> lo = first(x, as_day), hi = after(x, as_day);
    if (lo) turns_at(*lo);
    if (hi) turns_at(*hi);
  };
  auto is_time = [](const Value& v) { return v.index() == kDate || v.index() == kDateTime; };
  if (n.op == Op::in || n.op == Op::not_in) {
    if (other.index() == kRange) {
      const RangeV* r = unsafe_get<kRange>(other);
      const bool dates = r->first.index() == kDate;
      std::optional<std::int64_t> lo = first(r->first, dates), hi = after(r->last, dates);
      if (lo && hi) {
        turns_at(*lo);
        turns_at(*hi);
      } else if (is_time(r->first) || is_time(r->last)) {
        time_untracked_ = true;  // a range of a date and a date-time
      }
    } else if (other.index() == kList) {
      const ListV* l = unsafe_get<kList>(other);
      for (std::uint32_t i = 0; i < l->size; ++i) {
        if (day && l->items[i].index() == kDateTime) time_untracked_ = true;
        both(l->items[i], day);
      }
    }
    return;
  }
  if (!is_time(other)) return;  // absent, or not comparable: the same at every instant
  if (day && other.index() != kDate) {
    time_untracked_ = true;
    return;
  }
  // As `shifted OP other`: with the shifted value on the right, `<` reads as `>` and so on.
  Op op = n.op;
  if (!left) op = op == Op::lt ? Op::gt : op == Op::le ? Op::ge : op == Op::gt ? Op::lt : op == Op::ge ? Op::le : op;
  switch (op) {
    case Op::lt:
    case Op::ge:
      if (auto t = first(other, day)) turns_at(*t);  // holds until x (lt), or from x on (ge)
      break;
    case Op::le:
    case Op::gt:
      if (auto t = after(other, day)) turns_at(*t);  // holds through x (le), or after it (gt)
      break;
    default: both(other, day); break;  // == and != turn where x begins and where it ends
  }
}

Value Machine::eval(std::uint32_t index) {
  const Node& n = p_.nodes[index];
  switch (n.op) {
    case Op::constant: return n.constant;
    case Op::root_field: return root_->fields[n.slot];
    case Op::field: {
      Value base = operand(n.a);
      if (base.index() != kRecord) return Absent{};
      return unsafe_get<kRecord>(base)->fields[n.slot];
    }
    case Op::local: return scratch_.locals[n.slot];
    case Op::now: return now_;
    case Op::qualified: {
      if (!qualified_) return Absent{};
      return qualified_;
    }
    case Op::not_: {
      Value v = operand(n.a);
      if (v.index() != kBool) return Absent{};
      return !unsafe_get<kBool>(v);
    }
    case Op::neg: {
      Value v = operand(n.a);
      switch (v.index()) {
        case kInt: {
          std::int64_t x = unsafe_get<kInt>(v);
          if (x == INT64_MIN) {
            fail(index, "whole number overflows");
            return Absent{};
          }
          return -x;
        }
        // The smallest mantissa has no positive counterpart: an error, never a wrong sign.
        case kDecimal: {
          Decimal r;
          if (neg(unsafe_get<kDecimal>(v), r) != DecimalError::none) {
            fail(index, describe(DecimalError::overflow));
            return Absent{};
          }
          return r;
        }
        case kMoney: {
          Money m = unsafe_get<kMoney>(v);
          if (neg(m.amount, m.amount) != DecimalError::none) {
            fail(index, describe(DecimalError::overflow));
            return Absent{};
          }
          return m;
        }
        case kDuration: {
          Duration d = unsafe_get<kDuration>(v);
          if (d.seconds == INT64_MIN || d.months == INT32_MIN) {
            fail(index, "duration overflows");
            return Absent{};
          }
          return Duration{-d.seconds, -d.months};
        }
        default: return Absent{};
      }
    }
    case Op::and_: {
      int a = truth(n.a);
      if (a == 0) return false;
      int b = truth(n.b);
      if (b == 0) return false;
      if (a == 1 && b == 1) return true;
      return Absent{};
    }
    case Op::or_: {
      int a = truth(n.a);
      if (a == 1) return true;
      int b = truth(n.b);
      if (b == 1) return true;
      if (a == 0 && b == 0) return false;
      return Absent{};
    }
    case Op::add:
    case Op::sub: {
      Value a = operand(n.a), b = operand(n.b);
      if (n.aux != 0) [[unlikely]] note_counter(n, n.aux == kCounterArithLeft, false, a, b, Value());
      return add_values(a, b, index, n.op == Op::sub);
    }
    case Op::mul: return multiply(operand(n.a), operand(n.b), index);
    case Op::div: {
      Value a = operand(n.a), b = operand(n.b);
      if (a.index() == kAbsent || b.index() == kAbsent) return Absent{};
      Decimal r;
      DecimalError e = div(as_decimal(a), as_decimal(b), r);
      if (e != DecimalError::none) {
        fail(index, e == DecimalError::division_by_zero ? "division by zero" : describe(e));
        return Absent{};
      }
      if (a.index() == kMoney && b.index() != kMoney) return Money{r, unsafe_get<kMoney>(a).unit};
      return r;
    }
    case Op::coalesce: {
      Value a = operand(n.a);
      return a.index() == kAbsent ? operand(n.b) : a;
    }
    case Op::eq:
    case Op::ne:
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge: {
      Value a = operand(n.a), b = operand(n.b);
      if (n.aux != 0) [[unlikely]] return noted_comparison(n, a, b);
      return comparison(n.op, a, b);
    }
    case Op::in:
    case Op::not_in: {
      Value a = operand(n.a), b = operand(n.b);
      if (n.aux != 0) [[unlikely]] note_comparison(n, a, b);
      Value r = membership(a, b);
      if (r.index() != kBool || n.op == Op::in) return r;
      return !unsafe_get<kBool>(r);
    }
    case Op::present: return operand(n.a).index() != kAbsent;
    case Op::absent: return operand(n.a).index() == kAbsent;
    case Op::if_: {
      int c = truth(n.a);
      if (c == 1) return operand(n.b);
      if (c == 0) return operand(n.c);
      return Absent{};
    }
    case Op::list: {
      Value* items = scratch_.arena.values(n.args_count);
      for (std::uint32_t i = 0; i < n.args_count; ++i) items[i] = eval(p_.args[n.args_begin + i]);
      ListV* l = scratch_.arena.list();
      l->items = items;
      l->size = n.args_count;
      return static_cast<const ListV*>(l);
    }
    case Op::range: {
      RangeV* r = scratch_.arena.range();
      r->first = operand(n.a);
      r->last = operand(n.b);
      if (r->first.index() == kAbsent || r->last.index() == kAbsent) return Absent{};
      return static_cast<const RangeV*>(r);
    }
    case Op::count:
    case Op::sum:
    case Op::min:
    case Op::max:
    case Op::any:
    case Op::all: return aggregate(n);
    case Op::builtin: return builtin(n);
    case Op::call: {
      // Arguments first, then the parameters: a call inside an argument may reuse the slots.
      // Every argument is passed, however many parameters there are (16 at most once were).
      const std::uint32_t count = n.args_count;
      if (count == 1 && p_.call_memoizable[n.callee]) {
        Value argument = eval(p_.args[n.args_begin]);
        if (failed_ || argument.index() != kRecord) return call_with(n, argument);
        const RecordV* record = unsafe_get<kRecord>(argument);
        const int bits = std::clamp(scratch_.kept_calls_bits, 0, 16);
        if (scratch_.calls.size() != std::size_t{1} << bits) scratch_.calls.assign(std::size_t{1} << bits, {});
        // The record and the define both in every bit of the product's top bits, which choose
        // the place: calls of several defines on one referral must not share it.
        const std::uint64_t key = (static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(record)) >> 3) ^
                                  (std::uint64_t{n.callee} << 44);
        const auto place = bits == 0 ? 0 : static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
        EvalScratch::KeptCall& kept = scratch_.calls[place];
        if (kept.stamp == scratch_.stamp && kept.define == n.callee && kept.argument == record) return kept.value;
        Value v = call_with(n, argument);
        if (!failed_) kept = EvalScratch::KeptCall{scratch_.stamp, n.callee, record, v};
        return v;
      }
      // The arguments, then the saved parameters; on the stack for the usual few.
      constexpr std::uint32_t kInPlace = 8;
      Value in_place[2 * kInPlace];
      std::vector<Value> spilled;
      Value* values = in_place;
      if (count > kInPlace) {
        spilled.resize(2 * std::size_t{count});
        values = spilled.data();
      }
      for (std::uint32_t i = 0; i < count; ++i) values[i] = eval(p_.args[n.args_begin + i]);
      for (std::uint32_t i = 0; i < count; ++i) {
        values[count + i] = scratch_.locals[n.slot + i];
        scratch_.locals[n.slot + i] = values[i];
      }
      Value r = operand(n.c);
      for (std::uint32_t i = 0; i < count; ++i) scratch_.locals[n.slot + i] = values[count + i];
      return r;
    }
    case Op::untracked:
      if ((n.aux & kUntrackedTime) != 0) time_untracked_ = true;
      if ((n.aux & kUntrackedCounters) != 0) counters_untracked_ = true;
      return eval(n.a);
    case Op::define: {
      const std::uint32_t d = n.slot;
      if (!p_.define_cacheable[d]) return eval(p_.defines[d].body);
      if (scratch_.define_stamps[d] == scratch_.stamp) return scratch_.define_values[d];
      Value v = eval(p_.defines[d].body);
      scratch_.define_values[d] = v;
      scratch_.define_stamps[d] = scratch_.stamp;
      return v;
    }
  }
  return Absent{};
}

Value Machine::call_with(const Node& n, const Value& argument) {
  Value saved = scratch_.locals[n.slot];
  scratch_.locals[n.slot] = argument;
  Value r = operand(n.c);
  scratch_.locals[n.slot] = saved;
  return r;
}

Value Machine::aggregate(const Node& n) {
  Value lv = eval(n.a);
  if (lv.index() != kList) return Absent{};
  const ListV* list = unsafe_get<kList>(lv);
  // `count(list)`: its size, without visiting the items.
  if (n.op == Op::count && n.b == kNoNode) return static_cast<std::int64_t>(list->size);
  Value saved = scratch_.locals[n.slot];
  std::int64_t count = 0;
  Value acc = Absent{};
  bool any_absent = false;
  Value result;
  bool done = false;
  for (std::uint32_t i = 0; i < list->size && !done && !failed_; ++i) {
    scratch_.locals[n.slot] = list->items[i];
    if (n.b != kNoNode) {
      int w = truth(n.b);
      if (n.op == Op::all) {
        if (w == 0) {
          result = false;
          done = true;
        } else if (w < 0) {
          any_absent = true;
        }
        continue;
      }
      if (w != 1) {
        if (w < 0 && n.op == Op::any) any_absent = true;
        continue;
      }
    }
    switch (n.op) {
      case Op::count: ++count; break;
      case Op::any:
        if (n.b == kNoNode && !(list->items[i].index() == kBool && unsafe_get<kBool>(list->items[i]))) break;
        result = true;
        done = true;
        break;
      case Op::all:
        if (!(list->items[i].index() == kBool && unsafe_get<kBool>(list->items[i]))) {
          result = false;
          done = true;
        }
        break;
      case Op::sum:
      case Op::min:
      case Op::max: {
        Value v = n.c != kNoNode ? eval(n.c) : list->items[i];
        if (v.index() == kAbsent) {
          any_absent = true;
          break;
        }
        if (acc.index() == kAbsent) {
          acc = v;
        } else if (n.op == Op::sum) {
          acc = add_values(acc, v, static_cast<std::uint32_t>(&n - p_.nodes.data()), false);
        } else {
          int c = compare_values(v, acc);
          if ((n.op == Op::min && c < 0) || (n.op == Op::max && c > 0)) acc = v;
        }
        break;
      }
      default: break;
    }
  }
  scratch_.locals[n.slot] = saved;
  switch (n.op) {
    case Op::count: return count;
    case Op::any:
      if (done) return result;
      return any_absent ? Value(Absent{}) : Value(false);
    case Op::all:
      if (done) return result;
      return any_absent ? Value(Absent{}) : Value(true);
    case Op::sum:
      if (any_absent) return Absent{};
      if (acc.index() == kAbsent) {
        // The sum of nothing is zero, of the kind the list would hold.
        return std::int64_t{0};
      }
      return acc;
    default: return any_absent ? Value(Absent{}) : acc;
  }
}

Value Machine::builtin(const Node& n) {
  Value a[3];
  std::uint32_t count = std::min<std::uint32_t>(n.args_count, 3);
  for (std::uint32_t i = 0; i < count; ++i) {
    a[i] = eval(p_.args[n.args_begin + i]);
    if (a[i].index() == kAbsent) return Absent{};
  }
  auto index = static_cast<std::uint32_t>(&n - p_.nodes.data());
  switch (static_cast<BuiltinId>(n.aux)) {
    case BuiltinId::days_between:
    case BuiltinId::hours_between: {
      if (static_cast<BuiltinId>(n.aux) == BuiltinId::days_between) {
        Date x = a[0].index() == kDate ? unsafe_get<kDate>(a[0]) : local_date(unsafe_get<kDateTime>(a[0]), p_.zone);
        Date y = a[1].index() == kDate ? unsafe_get<kDate>(a[1]) : local_date(unsafe_get<kDateTime>(a[1]), p_.zone);
        return static_cast<std::int64_t>(y.days - x.days);
      }
      return (to_instant(a[1]).utc_seconds - to_instant(a[0]).utc_seconds) / 3600;
    }
    case BuiltinId::date_of:
      if (a[0].index() == kDate) return a[0];
      return local_date(unsafe_get<kDateTime>(a[0]), p_.zone);
    case BuiltinId::round:
    case BuiltinId::floor: {
      std::int64_t digits = count > 1 && a[1].index() == kInt ? unsafe_get<kInt>(a[1]) : 0;
      if (a[0].index() == kInt) return a[0];
      Decimal r;
      Rounding mode = static_cast<BuiltinId>(n.aux) == BuiltinId::round ? Rounding::half_up : Rounding::down;
      if (round_to(as_decimal(a[0]), static_cast<int>(std::clamp<std::int64_t>(digits, -18, 18)), mode, r) != DecimalError::none) {
        fail(index, "number overflows when rounded");
        return Absent{};
      }
      if (a[0].index() == kMoney) return Money{r, unsafe_get<kMoney>(a[0]).unit};
      return r;
    }
    case BuiltinId::least:
    case BuiltinId::greatest: {
      int c = compare_values(a[0], a[1]);
      if (c == -2) return Absent{};
      bool first = static_cast<BuiltinId>(n.aux) == BuiltinId::least ? c <= 0 : c >= 0;
      return first ? a[0] : a[1];
    }
    case BuiltinId::abs: {
      if (a[0].index() == kInt) {
        std::int64_t x = unsafe_get<kInt>(a[0]);
        if (x == INT64_MIN) {
          fail(index, "whole number overflows");
          return Absent{};
        }
        return x < 0 ? -x : x;
      }
      Decimal d = as_decimal(a[0]);
      if (d.mantissa < 0 && neg(d, d) != DecimalError::none) {
        fail(index, describe(DecimalError::overflow));
        return Absent{};
      }
      if (a[0].index() == kMoney) return Money{d, unsafe_get<kMoney>(a[0]).unit};
      return d;
    }
    case BuiltinId::lower:
    case BuiltinId::upper: {
      std::string s(unsafe_get<kString>(a[0]).view());
      for (auto& c : s) {
        if (static_cast<BuiltinId>(n.aux) == BuiltinId::lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (static_cast<BuiltinId>(n.aux) == BuiltinId::upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      return scratch_.arena.string(s);
    }
    case BuiltinId::length:
      if (a[0].index() == kString) return static_cast<std::int64_t>(count_code_points(unsafe_get<kString>(a[0]).view()));
      return static_cast<std::int64_t>(unsafe_get<kList>(a[0])->size);
    case BuiltinId::contains:
      return unsafe_get<kString>(a[0]).view().find(unsafe_get<kString>(a[1]).view()) != std::string_view::npos;
    case BuiltinId::draw: {
      // Reproducible lottery: rank items by SHA-256(seed, 0x1F, id) and take the first n.
      std::int64_t want = unsafe_get<kInt>(a[0]);
      const ListV* list = unsafe_get<kList>(a[1]);
      std::string seed = a[2].index() == kString ? std::string(unsafe_get<kString>(a[2]).view())
                                                 : describe_value(p_, a[2]);
      // Ranked by the digest's bytes, which order as its hex text does (the documented rule),
      // without writing the text.
      std::vector<std::pair<std::array<std::uint8_t, 32>, std::uint32_t>> ranked;
      ranked.reserve(list->size);
      std::string id;
      for (std::uint32_t i = 0; i < list->size; ++i) {
        const Value& item = list->items[i];
        if (item.index() == kRecord) {
          const RecordV* r = unsafe_get<kRecord>(item);
          std::int32_t slot = r->record >= 0 ? p_.id_slot[static_cast<std::size_t>(r->record)] : -1;
          if (slot >= 0 && r->fields[slot].index() == kString) id.assign(unsafe_get<kString>(r->fields[slot]).view());
          else id = std::to_string(i + 1);  // 1-based, as `for each x in` numbers items
        } else if (item.index() == kString) {
          id.assign(unsafe_get<kString>(item).view());
        } else {
          id = describe_value(p_, item);
        }
        std::string& key = scratch_.draw_key;
        key.assign(seed);
        key.push_back('\x1f');
        key.append(id);
        auto digest = [&] {
          Sha256 h;
          h.update(key);
          return h.finish();
        };
        if (key.size() > EvalScratch::kMaxKeptDrawKey) {
          ranked.emplace_back(digest(), i);
          continue;
        }
        auto kept = scratch_.draw_digests.find(key);
        if (kept == scratch_.draw_digests.end()) {
          if (scratch_.draw_digests.size() >= EvalScratch::kMaxKeptDraws) scratch_.draw_digests.clear();
          kept = scratch_.draw_digests.emplace(key, digest()).first;
        }
        ranked.emplace_back(kept->second, i);
      }
      std::sort(ranked.begin(), ranked.end());
      std::uint32_t take = static_cast<std::uint32_t>(std::clamp<std::int64_t>(want, 0, list->size));
      Value* items = scratch_.arena.values(take);
      for (std::uint32_t i = 0; i < take; ++i) items[i] = list->items[ranked[i].second];
      ListV* out = scratch_.arena.list();
      out->items = items;
      out->size = take;
      return static_cast<const ListV*>(out);
    }
  }
  return Absent{};
}

}  // namespace refpol
