// Canonical printing of policies. Comments are re-attached by position: those before an item are
// printed above it, those on its last line after it.
#include "interpreter/fmt/formatter.hpp"

#include <fmt/format.h>

#include "interpreter/parse/parser.hpp"

namespace refpol {
namespace {

namespace v2 = boost::variant2;
using E = ast::ExprKind;

// A null-kind child with an empty span marks "not written" in aggregates.
bool written(const ast::Expr& e) { return !(e.kind == E::null && e.span.begin == 0 && e.span.end == 0); }

void print_expr(const ast::Expr& e, std::string& out) {
  switch (e.kind) {
    case E::number:
    case E::date:
    case E::datetime:
    case E::name:
    case E::boolean: out += e.text; return;
    case E::null: out += "null"; return;
    case E::percent: out += e.text + "%"; return;
    case E::amount:
    case E::duration: out += e.text + " " + e.unit; return;
    case E::string: out += "\"" + e.raw + "\""; return;
    case E::field:
      print_expr(e.kids[0], out);
      out += "." + e.text;
      return;
    case E::call:
    case E::list: {
      out += e.kind == E::call ? e.text + "(" : "[";
      for (std::size_t i = 0; i < e.kids.size(); ++i) {
        if (i) out += ", ";
        print_expr(e.kids[i], out);
      }
      out += e.kind == E::call ? ")" : "]";
      return;
    }
    case E::unary:
      out += e.text == "not" ? "not " : "-";
      print_expr(e.kids[0], out);
      return;
    case E::binary:
      print_expr(e.kids[0], out);
      out += " " + e.text + " ";
      print_expr(e.kids[1], out);
      return;
    case E::range:
      print_expr(e.kids[0], out);
      out += " .. ";
      print_expr(e.kids[1], out);
      return;
    case E::presence:
      print_expr(e.kids[0], out);
      out += " is " + e.text;
      return;
    case E::if_then:
      out += "if ";
      print_expr(e.kids[0], out);
      out += " then ";
      print_expr(e.kids[1], out);
      out += " else ";
      print_expr(e.kids[2], out);
      return;
    case E::group:
      out += "(";
      print_expr(e.kids[0], out);
      out += ")";
      return;
    case E::aggregate: {
      out += e.text + "(";
      const ast::Expr& list = e.kids[0];
      const ast::Expr& value = e.kids[1];
      const ast::Expr& where = e.kids[2];
      if (e.unit.empty()) {
        print_expr(list, out);
      } else {
        if (written(value)) {
          print_expr(value, out);
          out += " for ";
        }
        out += e.unit + " in ";
        print_expr(list, out);
        if (written(where)) {
          out += " where ";
          print_expr(where, out);
        }
      }
      out += ")";
      return;
    }
  }
}

std::string expr_text(const ast::Expr& e) {
  std::string s;
  print_expr(e, s);
  return s;
}

std::string grant_text(const ast::Grant& g) {
  std::string s = g.kind.text;
  if (g.amount) s += " " + expr_text(*g.amount);
  if (g.label) s += " \"" + g.label->raw + "\"";
  switch (g.expiry.form) {
    case ast::Expiry::Form::none: break;
    case ast::Expiry::Form::never: s += " expires never"; break;
    case ast::Expiry::Form::on_date: s += " expires on " + expr_text(g.expiry.value); break;
    case ast::Expiry::Form::after_grant: s += " expires " + expr_text(g.expiry.value) + " after grant"; break;
  }
  if (g.valued_at) s += " valued at " + expr_text(*g.valued_at);
  return s;
}

std::string type_text(const ast::TypeRef& t) {
  std::string s = t.is_list ? "list of " + t.name.text : t.name.text;
  if (t.optional) s += "?";
  return s;
}

// Marks where a trailing comment starts until the comments of neighbouring lines are aligned.
// NUL, because the parser rejects it (E011): no comment or code can hold one. (It was `\x01`,
// which a comment may hold; `#\x01` then lost its byte and fmt failed its self-check.)
constexpr char kTrailingMark = '\0';

// Consecutive lines with trailing comments get their comments in one column, two spaces after
// the longest code among them.
std::string align_trailing_comments(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size();) {
    std::size_t j = i;
    std::size_t width = 0;
    while (j < lines.size() && lines[j].find(kTrailingMark) != std::string::npos) {
      width = std::max<std::size_t>(width, count_code_points(lines[j].substr(0, lines[j].find(kTrailingMark))));
      ++j;
    }
    if (j == i) {
      out += lines[i] + "\n";
      ++i;
      continue;
    }
    for (std::size_t k = i; k < j; ++k) {
      std::size_t mark = lines[k].find(kTrailingMark);
      std::string code = lines[k].substr(0, mark);
      out += code + std::string(width - count_code_points(code) + 2, ' ') + lines[k].substr(mark + 1) + "\n";
    }
    i = j;
  }
  return out;
}

const std::string& empty_text() {
  static const std::string empty;
  return empty;
}

class Printer {
 public:
  explicit Printer(const ast::File& f) : file_(f), text_(f.source ? f.source->text() : empty_text()) {}

  std::string run() {
    if (file_.header) {
      const auto& h = *file_.header;
      item(h.span, fmt::format("policy \"{}\" version {}", h.id.raw, h.version_text));
    }
    for (const auto& d : file_.decls) decl(d);
    flush_comments(static_cast<std::uint32_t>(text_.size()) + 1);
    return align_trailing_comments(out_);
  }

 private:
  const ast::File& file_;
  const std::string& text_;
  std::string out_;
  int indent_ = 0;
  std::size_t next_comment_ = 0;
  std::uint32_t last_end_ = 0;
  bool at_block_start_ = true;

  bool blank_line_between(std::uint32_t from, std::uint32_t to) const {
    if (from >= to || to > text_.size()) return false;
    int newlines = 0;
    for (std::uint32_t i = from; i < to; ++i) {
      char c = text_[i];
      if (c == '\n') {
        if (++newlines >= 2) return true;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        newlines = 0;
      }
    }
    return false;
  }

  void line(std::uint32_t begin, const std::string& content) {
    if (!at_block_start_ && !out_.empty() && blank_line_between(last_end_, begin)) out_ += "\n";
    out_ += std::string(static_cast<std::size_t>(indent_) * 2, ' ') + content;
    at_block_start_ = false;
  }

  void flush_comments(std::uint32_t before) {
    while (next_comment_ < file_.comments.size() && file_.comments[next_comment_].span.begin < before) {
      const auto& c = file_.comments[next_comment_++];
      line(c.span.begin, c.text);
      out_ += "\n";
      last_end_ = c.span.end;
    }
  }

  // Comments that start on the line where `end` is, after it.
  void trailing_comments(std::uint32_t end) {
    while (next_comment_ < file_.comments.size()) {
      const auto& c = file_.comments[next_comment_];
      std::size_t nl = text_.find('\n', end);
      if (c.span.begin < end || (nl != std::string::npos && c.span.begin > nl)) break;
      out_ += kTrailingMark + c.text;
      last_end_ = c.span.end;
      ++next_comment_;
    }
  }

  // One item: leading comments, its text (possibly several lines), trailing comments.
  void item(Span span, const std::string& content) {
    flush_comments(span.begin);
    line(span.begin, content);
    last_end_ = span.end;
    trailing_comments(span.end);
    out_ += "\n";
  }

  void open(Span span, const std::string& content) {
    flush_comments(span.begin);
    line(span.begin, content + " {");
    // The block's opening line ends at the `{`; a comment right after it stays there.
    std::size_t brace = text_.find('{', span.begin);
    last_end_ = brace == std::string::npos ? span.begin : static_cast<std::uint32_t>(brace + 1);
    trailing_comments(last_end_);
    out_ += "\n";
    ++indent_;
    at_block_start_ = true;
  }

  void close(Span span) {
    flush_comments(span.end - 1);
    --indent_;
    out_ += std::string(static_cast<std::size_t>(indent_) * 2, ' ') + "}";
    last_end_ = span.end;
    trailing_comments(span.end);
    out_ += "\n";
    at_block_start_ = false;
  }

  // Breaks a long declaration before each of `parts` after the first, indented twice.
  std::string wrap(const std::vector<std::string>& parts) {
    std::string one;
    for (const auto& p : parts) one += (one.empty() ? "" : " ") + p;
    if (one.size() + static_cast<std::size_t>(indent_) * 2 <= kFormatWidth || parts.size() == 1) return one;
    std::string s = parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) {
      s += "\n" + std::string(static_cast<std::size_t>(indent_) * 2 + 4, ' ') + parts[i];
    }
    return s;
  }

  void fields(const std::vector<ast::FieldDecl>& fs) {
    for (const auto& f : fs) item(f.span, f.name.text + ": " + type_text(f.type));
  }

  void decl(const ast::Decl& d) {
    Span span = ast::decl_span(d);
    if (const auto* t = v2::get_if<ast::TitleDecl>(&d)) return item(span, "title \"" + t->title.raw + "\"");
    if (const auto* c = v2::get_if<ast::CurrencyDecl>(&d)) return item(span, "currency " + c->code.text);
    if (const auto* z = v2::get_if<ast::TimezoneDecl>(&d)) return item(span, "timezone \"" + z->zone.raw + "\"");
    if (const auto* i = v2::get_if<ast::ImportDecl>(&d)) return item(span, "import \"" + i->module.raw + "\"");
    if (const auto* p = v2::get_if<ast::PhasesDecl>(&d)) {
      open(span, "phases");
      std::size_t width = 0;
      for (const auto& ph : p->phases) width = std::max(width, ph.name.text.size());
      for (const auto& ph : p->phases) {
        item(ph.span, fmt::format("{:<{}} {} .. {}", ph.name.text, width, ph.first.text, ph.last.text));
      }
      return close(span);
    }
    if (const auto* s = v2::get_if<ast::SchemaDecl>(&d)) {
      switch (s->form) {
        case ast::SchemaDecl::Form::record: open(span, "record " + s->name.text); break;
        case ast::SchemaDecl::Form::facts: open(span, "facts"); break;
        case ast::SchemaDecl::Form::extend_record: open(span, "extend record " + s->name.text); break;
        case ast::SchemaDecl::Form::extend_facts: open(span, "extend facts"); break;
      }
      fields(s->fields);
      return close(span);
    }
    if (const auto* def = v2::get_if<ast::DefineDecl>(&d)) {
      std::string head = "define " + def->name.text;
      if (def->has_params) {
        head += "(";
        for (std::size_t i = 0; i < def->params.size(); ++i) head += (i ? ", " : "") + def->params[i].text;
        head += ")";
      }
      return item(span, head + " = " + expr_text(def->body));
    }
    if (const auto* c = v2::get_if<ast::ConditionsDecl>(&d)) {
      std::string head;
      switch (c->form) {
        case ast::ConditionsDecl::Form::referrer_eligible: head = "referrer eligible when"; break;
        case ast::ConditionsDecl::Form::referee_eligible: head = "referee eligible when"; break;
        case ast::ConditionsDecl::Form::qualifies: head = "referral qualifies when"; break;
        case ast::ConditionsDecl::Form::voids: head = "referral void when"; break;
      }
      if (!c->block) return item(span, head + " " + expr_text(c->conditions[0].expr));
      open(span, head);
      for (const auto& cond : c->conditions) item(cond.span, cond.label.text + ": " + expr_text(cond.expr));
      return close(span);
    }
    if (const auto* s = v2::get_if<ast::SettlesDecl>(&d)) return item(span, "referral settles " + expr_text(s->when));
    if (const auto* p = v2::get_if<ast::PayoutDecl>(&d)) {
      return item(span, "payout due " + expr_text(p->within) + " after settlement");
    }
    if (const auto* r = v2::get_if<ast::RewardDecl>(&d)) {
      std::string head = "reward " + r->name.text + " to " + r->recipient.text;
      switch (r->scope) {
        case ast::RewardDecl::Scope::once:
          if (r->scope_written) head += " once";
          break;
        case ast::RewardDecl::Scope::each_qualified: head += " for each qualified referral"; break;
        case ast::RewardDecl::Scope::each_in:
          head += " for each " + r->loop_var.text + " in " + expr_text(*r->loop_list);
          break;
      }
      std::vector<std::string> parts = {head};
      if (r->when) parts.push_back("when " + expr_text(*r->when));
      parts.push_back("gives " + grant_text(r->grant));
      return item(span, wrap(parts));
    }
    if (const auto* t = v2::get_if<ast::TiersDecl>(&d)) {
      std::string head = "tiers " + t->name.text + " to " + t->recipient.text + " by " + expr_text(t->measure);
      if (t->pays_written) head += t->pays == ast::TiersDecl::Pays::each ? " pays each" : " pays highest";
      open(span, head);
      for (const auto& tier : t->tiers) {
        std::string s = tier.label.text.empty() ? "" : tier.label.text + ": ";
        s += expr_text(tier.threshold) + " -> " + grant_text(tier.grant);
        item(tier.span, s);
      }
      return close(span);
    }
    if (const auto* b = v2::get_if<ast::BoostDecl>(&d)) {
      std::string head = "boost " + b->name.text + " times " + expr_text(b->factor);
      if (!b->kinds.empty()) {
        head += " on ";
        for (std::size_t i = 0; i < b->kinds.size(); ++i) head += (i ? ", " : "") + b->kinds[i].text;
      }
      if (!b->recipient.text.empty()) head += " to " + b->recipient.text;
      return item(span, wrap({head, "when " + expr_text(b->when)}));
    }
    if (const auto* c = v2::get_if<ast::CapDecl>(&d)) {
      return item(span, "cap " + c->kind.text + " at " + expr_text(c->limit) + " per " + c->recipient.text);
    }
    if (const auto* b = v2::get_if<ast::BudgetDecl>(&d)) {
      std::vector<std::string> parts = {"budget " + expr_text(b->total) + " spent " + expr_text(b->spent)};
      if (b->fallback) parts.push_back("fallback " + grant_text(*b->fallback));
      return item(span, wrap(parts));
    }
    if (const auto* o = v2::get_if<ast::OutputDecl>(&d)) {
      return item(span, "output " + o->name.text + " = " + expr_text(o->value));
    }
  }
};

using Exprs = std::vector<const ast::Expr*>;
void collect_grant(const ast::Grant& g, Exprs& out) {
  if (g.amount) out.push_back(&*g.amount);
  if (g.expiry.form == ast::Expiry::Form::on_date || g.expiry.form == ast::Expiry::Form::after_grant)
    out.push_back(&g.expiry.value);
  if (g.valued_at) out.push_back(&*g.valued_at);
}
template <typename T>
void collect_exprs(const T&, Exprs&) {}
void collect_exprs(const ast::DefineDecl& d, Exprs& out) { out.push_back(&d.body); }
void collect_exprs(const ast::ConditionsDecl& d, Exprs& out) {
  for (const auto& c : d.conditions) out.push_back(&c.expr);
}
void collect_exprs(const ast::SettlesDecl& d, Exprs& out) { out.push_back(&d.when); }
void collect_exprs(const ast::PayoutDecl& d, Exprs& out) { out.push_back(&d.within); }
void collect_exprs(const ast::RewardDecl& d, Exprs& out) {
  if (d.loop_list) out.push_back(&*d.loop_list);
  if (d.when) out.push_back(&*d.when);
  collect_grant(d.grant, out);
}
void collect_exprs(const ast::TiersDecl& d, Exprs& out) {
  out.push_back(&d.measure);
  for (const auto& t : d.tiers) {
    out.push_back(&t.threshold);
    collect_grant(t.grant, out);
  }
}
void collect_exprs(const ast::BoostDecl& d, Exprs& out) {
  out.push_back(&d.factor);
  out.push_back(&d.when);
}
void collect_exprs(const ast::CapDecl& d, Exprs& out) { out.push_back(&d.limit); }
void collect_exprs(const ast::BudgetDecl& d, Exprs& out) {
  out.push_back(&d.total);
  out.push_back(&d.spent);
  if (d.fallback) collect_grant(*d.fallback, out);
}
void collect_exprs(const ast::OutputDecl& d, Exprs& out) { out.push_back(&d.value); }

bool starts_with_policy(std::string_view text) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else {
      break;
    }
  }
  return text.substr(i, 6) == "policy";
}

}  // namespace

std::string format_expr(const ast::Expr& e) { return expr_text(e); }

std::string format_file(const ast::File& file) { return Printer(file).run(); }

FormatResult format_source(SourcePtr source) {
  FormatResult result;
  FileKind kind = starts_with_policy(source->text()) ? FileKind::policy : FileKind::module;
  ParseResult parsed = parse(source, kind);
  if (!parsed.file) {
    result.diagnostics = std::move(parsed.diagnostics);
    return result;
  }
  std::string text = format_file(*parsed.file);
  // Self-check: the output must parse to the same tree and keep every comment.
  auto again_src = std::make_shared<SourceFile>(source->path(), text);
  ParseResult again = parse(again_src, kind);
  bool same = again.file && *again.file == *parsed.file &&
              again.file->comments.size() == parsed.file->comments.size();
  if (same) {
    for (std::size_t i = 0; i < parsed.file->comments.size(); ++i) {
      if (again.file->comments[i].text != parsed.file->comments[i].text) same = false;
    }
  }
  if (!same) {
    result.diagnostics.error("E090", source, Span{0, 0},
                             "the formatter's output does not parse back to the same policy")
        .notes.push_back("this is a bug in refpol fmt; the file was left unchanged");
    return result;
  }
  result.text = std::move(text);
  result.ok = true;
  return result;
}

namespace {

const char* kind_name(E k) {
  switch (k) {
    case E::number: return "number";
    case E::percent: return "percent";
    case E::amount: return "amount";
    case E::duration: return "duration";
    case E::date: return "date";
    case E::datetime: return "datetime";
    case E::string: return "string";
    case E::boolean: return "bool";
    case E::null: return "null";
    case E::name: return "name";
    case E::field: return "field";
    case E::call: return "call";
    case E::unary: return "unary";
    case E::binary: return "binary";
    case E::range: return "range";
    case E::presence: return "is";
    case E::if_then: return "if";
    case E::list: return "list";
    case E::aggregate: return "aggregate";
    case E::group: return "group";
  }
  return "?";
}

// `(kind text unit kid...)`: the shape of the tree, so precedence shows.
void sexpr(const ast::Expr& e, std::string& out) {
  out += "(";
  out += kind_name(e.kind);
  if (!e.text.empty()) out += " " + (e.kind == E::string ? "\"" + e.text + "\"" : e.text);
  if (!e.unit.empty()) out += " " + e.unit;
  for (const auto& k : e.kids) {
    out += " ";
    if (written(k)) {
      sexpr(k, out);
    } else {
      out += "-";
    }
  }
  out += ")";
}

}  // namespace

std::string dump_ast(const ast::File& file) {
  std::string out;
  if (file.header) out += fmt::format("header id={} version={}\n", file.header->id.value, file.header->version_text);
  for (const auto& d : file.decls) {
    // The declaration as the formatter prints it, then every expression in it as a tree.
    std::string text = format_file(ast::File{std::nullopt, {d}, {}, nullptr});
    out += text;
    std::vector<const ast::Expr*> exprs;
    v2::visit([&](const auto& x) { collect_exprs(x, exprs); }, d);
    for (const auto* e : exprs) {
      std::string s;
      sexpr(*e, s);
      out += "  = " + s + "\n";
    }
  }
  return out;
}

}  // namespace refpol
