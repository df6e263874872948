// Coverage from decisions: explanation lines name the condition (by its place in the policy) and
// its outcome, tier lines name the highest tier reached, rewards name their rule and boosts.
#include "interpreter/testing/coverage.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace refpol::policytest {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string condition_key(std::string_view group, std::string_view file, std::uint32_t line,
                          std::uint32_t column) {
  return fmt::format("{}|{}|{}|{}", group, file, line, column);
}

// The condition group an explanation line belongs to: `referral R-1 void` -> `referral void`.
std::string group_of(std::string_view rule) {
  if (rule == "referrer eligible") return "referrer eligible";
  if (!starts_with(rule, "referral ")) return {};
  if (ends_with(rule, " referee eligible")) return "referee eligible";
  if (ends_with(rule, " qualifies")) return "referral qualifies";
  if (ends_with(rule, " void")) return "referral void";
  return {};
}

// A condition's name in messages: its label, or its text cut short.
std::string condition_name(std::string_view label, std::string_view text) {
  if (!label.empty()) return std::string(label);
  std::string t(text.substr(0, text.find('\n')));
  if (t.size() > 40) t = t.substr(0, 37) + "...";
  return t;
}

}  // namespace

std::string CoverageItem::missing() const {
  if (outcomes_seen() == outcomes()) return {};
  switch (kind) {
    case Kind::condition:
    case Kind::when: {
      std::string what = kind == Kind::when ? fmt::format("the `when` of reward `{}`", group)
                                            : fmt::format("`{}` condition `{}`", group, name);
      if (yes == 0 && no == 0) return what + " was never evaluated";
      return what + (yes == 0 ? " never held" : " never failed");
    }
    case Kind::rule:
      return fmt::format("reward `{}` never gave a reward", name);
    case Kind::tier:
      return fmt::format("tier `{}` of `{}` was never reached", name, group);
    case Kind::boost:
      return fmt::format("boost `{}` was never applied", name);
  }
  return {};
}

Coverage::Coverage(std::shared_ptr<const Program> program) : program_(std::move(program)) {
  const Program& p = *program_;
  policy_ = p.policy.files.empty() ? std::string() : p.policy.files[0].source->path();
  const std::pair<const std::vector<CompiledCondition>*, const char*> groups[] = {
      {&p.referrer_eligible, "referrer eligible"},
      {&p.referee_eligible, "referee eligible"},
      {&p.voids, "referral void"},
      {&p.qualifies, "referral qualifies"}};
  for (const auto& [conds, group] : groups) {
    for (const CompiledCondition& c : *conds) {
      CoverageItem item;
      item.kind = CoverageItem::Kind::condition;
      item.group = group;
      position(c.node, item);
      const auto& src = p.policy.files[static_cast<std::size_t>(c.file)].source;
      item.name = condition_name(c.label, src->slice(c.span));
      std::string key = condition_key(group, item.file, item.line, item.column);
      conditions_[key] = add(std::move(item));
    }
  }
  for (const CompiledRule& rule : p.rules) {
    const auto& src = p.policy.files[static_cast<std::size_t>(rule.file)].source;
    if (rule.form == CompiledRule::Form::tiers) {
      for (const CompiledTier& tier : rule.tiers) {
        CoverageItem item;
        item.kind = CoverageItem::Kind::tier;
        item.group = std::string(rule.name);
        item.name = std::string(tier.label);
        item.file = src->path();
        auto pos = src->position(tier.span.begin);
        item.line = pos.line;
        item.column = pos.column;
        std::string name = item.group;
        tiers_[name].push_back(add(std::move(item)));
      }
      continue;
    }
    CoverageItem item;
    item.kind = CoverageItem::Kind::rule;
    item.name = std::string(rule.name);
    item.group = item.name;
    item.file = src->path();
    auto pos = src->position(rule.span.begin);
    item.line = pos.line;
    item.column = pos.column;
    std::string name = item.name;
    rules_[name] = add(std::move(item));
    if (rule.when != kNoNode) {
      CoverageItem when;
      when.kind = CoverageItem::Kind::when;
      when.group = std::string(rule.name);
      when.name = "when";
      position(rule.when, when);
      std::string name = when.group;
      whens_[name] = add(std::move(when));
    }
  }
  for (const CompiledBoost& cb : p.boosts) {
    CoverageItem item;
    item.kind = CoverageItem::Kind::boost;
    item.name = std::string(cb.name);
    item.group = item.name;
    position(cb.when, item);
    // Point at the declaration when it can be found (the compiled boost keeps no span).
    for (const auto& file : p.policy.files) {
      for (const auto& decl : file.decls) {
        const auto* b = boost::variant2::get_if<ast::BoostDecl>(&decl);
        if (b == nullptr || b->name.text != cb.name) continue;
        auto pos = file.source->position(b->span.begin);
        item.file = file.source->path();
        item.line = pos.line;
        item.column = pos.column;
      }
    }
    boosts_.push_back(add(std::move(item)));
  }
}

std::size_t Coverage::add(CoverageItem item) {
  items_.push_back(std::move(item));
  return items_.size() - 1;
}

// The place the evaluator's explanation gives for a node: its file, line and column.
void Coverage::position(std::uint32_t node, CoverageItem& item) const {
  if (node == kNoNode) return;
  const Node& n = program_->nodes[node];
  const auto& src = program_->policy.files[static_cast<std::size_t>(n.file)].source;
  auto pos = src->position(n.span.begin);
  item.file = src->path();
  item.line = pos.line;
  item.column = pos.column;
}

void Coverage::record(const Decision& d) {
  ++decisions_;
  for (const ExplainLine& line : d.explanation) {
    bool held = line.outcome == "held";
    if (std::string group = group_of(line.rule); !group.empty()) {
      auto it = conditions_.find(condition_key(group, line.file, line.line, line.column));
      if (it != conditions_.end()) ++(held ? items_[it->second].yes : items_[it->second].no);
    } else if (starts_with(line.rule, "reward ")) {
      auto it = whens_.find(line.rule.substr(7));
      if (it != whens_.end()) ++(held ? items_[it->second].yes : items_[it->second].no);
    } else if (starts_with(line.rule, "tiers ")) {
      auto it = tiers_.find(line.rule.substr(6));
      if (it == tiers_.end()) continue;
      // Every tier up to the highest one reached was reached, whether or not it pays.
      std::size_t reached = 0;
      if (line.outcome == "reached") {
        for (std::size_t t = 0; t < it->second.size(); ++t) {
          if (items_[it->second[t]].name == line.label) reached = t + 1;
        }
      }
      for (std::size_t t = 0; t < it->second.size(); ++t)
        ++(t < reached ? items_[it->second[t]].yes : items_[it->second[t]].no);
    }
  }
  std::map<std::string_view, std::uint64_t> given;
  std::uint64_t boosted = 0;
  for (const Reward& r : d.rewards) {
    ++given[r.rule];
    boosted |= r.boosts;
  }
  for (auto& [name, index] : rules_) {
    auto it = given.find(name);
    if (it != given.end()) {
      items_[index].yes += it->second;
    } else {
      ++items_[index].no;
    }
  }
  for (std::size_t b = 0; b < boosts_.size(); ++b) {
    bool applied = b < 64 && (boosted >> b & 1) != 0;
    ++(applied ? items_[boosts_[b]].yes : items_[boosts_[b]].no);
  }
}

std::size_t Coverage::outcomes() const {
  std::size_t n = 0;
  for (const auto& item : items_) n += item.outcomes();
  return n;
}

std::size_t Coverage::outcomes_seen() const {
  std::size_t n = 0;
  for (const auto& item : items_) n += item.outcomes_seen();
  return n;
}

std::string render_coverage_text(const std::vector<const Coverage*>& coverage) {
  std::string out;
  for (const Coverage* c : coverage) {
    std::size_t total = c->outcomes(), seen = c->outcomes_seen();
    out += fmt::format("coverage of {} ({} case{}): {} of {} outcomes seen ({}%)\n", c->policy(),
                       c->decisions(), c->decisions() == 1 ? "" : "s", seen, total,
                       total == 0 ? 100 : seen * 100 / total);
    std::vector<const CoverageItem*> open;
    for (const auto& item : c->items()) {
      if (!item.missing().empty()) open.push_back(&item);
    }
    std::stable_sort(open.begin(), open.end(), [](const CoverageItem* a, const CoverageItem* b) {
      return std::tie(a->file, a->line, a->column) < std::tie(b->file, b->line, b->column);
    });
    for (const CoverageItem* item : open) {
      out += fmt::format("  {}:{}:{}: {}\n", item->file, item->line, item->column, item->missing());
    }
  }
  return out;
}

std::string render_lcov(const std::vector<const Coverage*>& coverage) {
  std::string out;
  for (const Coverage* c : coverage) {
    // One record per source file of the policy (imported modules have their own).
    std::map<std::string, std::vector<std::pair<std::size_t, const CoverageItem*>>> by_file;
    for (std::size_t i = 0; i < c->items().size(); ++i) {
      const CoverageItem& item = c->items()[i];
      if (!item.file.empty()) by_file[item.file].emplace_back(i, &item);
    }
    for (auto& [file, items] : by_file) {
      std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
        return a.second->line < b.second->line;
      });
      out += "TN:refpol\n";
      out += fmt::format("SF:{}\n", file);
      std::size_t functions = 0, functions_hit = 0;
      for (const auto& [i, item] : items) {
        if (item->kind != CoverageItem::Kind::rule) continue;
        out += fmt::format("FN:{},{}\n", item->line, item->name);
        out += fmt::format("FNDA:{},{}\n", item->yes, item->name);
        ++functions;
        if (item->yes > 0) ++functions_hit;
      }
      out += fmt::format("FNF:{}\nFNH:{}\n", functions, functions_hit);
      std::size_t branches = 0, branches_hit = 0;
      for (const auto& [i, item] : items) {
        if (!item->two_sided()) continue;
        bool run = item->yes + item->no > 0;
        out +=
            fmt::format("BRDA:{},{},0,{}\n", item->line, i, run ? std::to_string(item->yes) : "-");
        out +=
            fmt::format("BRDA:{},{},1,{}\n", item->line, i, run ? std::to_string(item->no) : "-");
        branches += 2;
        branches_hit += (item->yes > 0 ? 1 : 0) + (item->no > 0 ? 1 : 0);
      }
      out += fmt::format("BRF:{}\nBRH:{}\n", branches, branches_hit);
      // A line is as covered as the least exercised item on it.
      std::map<std::uint32_t, std::uint64_t> lines;
      for (const auto& [i, item] : items) {
        std::uint64_t hits = item->two_sided() ? item->yes + item->no : item->yes;
        auto [it, fresh] = lines.emplace(item->line, hits);
        if (!fresh) it->second = std::min(it->second, hits);
      }
      std::size_t lines_hit = 0;
      for (const auto& [line, hits] : lines) {
        out += fmt::format("DA:{},{}\n", line, hits);
        if (hits > 0) ++lines_hit;
      }
      out += fmt::format("LF:{}\nLH:{}\nend_of_record\n", lines.size(), lines_hit);
    }
  }
  return out;
}

}  // namespace refpol::policytest
