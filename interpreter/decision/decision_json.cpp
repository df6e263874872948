// JSON and text renderings of a decision. Keys are written in a fixed order and numbers as exact
// decimals, so the same decision always gives the same bytes.
#include "interpreter/decision/decision_json.hpp"

#include <fmt/format.h>

#include "interpreter/source/diagnostic.hpp"

namespace refpol {
namespace {

void str(std::string& out, std::string_view s) {
  out += '"';
  append_json_escaped(out, s);
  out += '"';
}

// `"2026-12-08T10:00:00+08:00"`: this runs for every date in every decision.
void datetime(std::string& out, const DateTime& t) {
  out += '"';
  append_datetime(out, t);
  out += '"';
}

void opt_time(std::string& out, const char* key, const std::optional<DateTime>& t) {
  out += ",\"";
  out += key;
  out += "\":";
  if (t) {
    datetime(out, *t);
  } else {
    out += "null";
  }
}

void decimal(std::string& out, const Decimal& d) {
  char buf[kDecimalBufferSize];
  std::size_t n = write_decimal(d, buf);
  out += '"';
  out.append(buf, n);
  out += '"';
}

}  // namespace

const char* status_name(RewardStatus s) {
  switch (s) {
    case RewardStatus::granted: return "granted";
    case RewardStatus::pending: return "pending";
    case RewardStatus::void_: return "void";
    case RewardStatus::expired: return "expired";
    case RewardStatus::withheld: return "withheld";
  }
  return "granted";
}

const char* referral_status_name(ReferralStatus s) {
  switch (s) {
    case ReferralStatus::qualified: return "qualified";
    case ReferralStatus::not_qualified: return "not_qualified";
    case ReferralStatus::void_: return "void";
    case ReferralStatus::ineligible_referee: return "ineligible_referee";
  }
  return "not_qualified";
}

namespace {

// Key parts are percent-encoded where they could be mistaken for the separators.
void key_part(std::string& out, std::string_view part) {
  for (char c : part) {
    switch (c) {
      case '%': out += "%25"; break;
      case '/': out += "%2F"; break;
      case ':': out += "%3A"; break;
      default: out += c;
    }
  }
}

}  // namespace

std::string reward_key(const Decision& d, const Reward& r) {
  std::string key;
  reward_key(d, r, key);
  return key;
}

void reward_key(const Decision& d, const Reward& r, std::string& key) {
  key.clear();
  key_part(key, d.policy_id);
  key += '/';
  key_part(key, r.rule);
  key += '/';
  key_part(key, r.recipient_role);
  key += ':';
  if (r.recipient_id.empty()) {
    // A recipient without an id (a flat referee) is known by whom it was referred by.
    key += "of~";
    key_part(key, d.referrer_id);
  } else {
    key_part(key, r.recipient_id);
  }
  key += '/';
  key_part(key, r.scope);
}

void write_decision_json(const Decision& d, std::string& out) {
  out += "{\"schema\":\"";
  out += kDecisionSchema;
  out += "\",\"policy\":{\"id\":";
  str(out, d.policy_id);
  out += ",\"version\":";
  out += std::to_string(d.policy_version);
  out += ",\"hash\":";
  str(out, d.policy_hash);
  out += "},\"now\":";
  datetime(out, d.now);
  opt_time(out, "recheck_at", d.recheck_at);
  out += ",\"referrer\":{\"id\":";
  str(out, d.referrer_id);
  out += ",\"eligible\":";
  out += d.referrer_eligible ? "true" : "false";
  out += ",\"reasons\":[";
  for (std::size_t i = 0; i < d.referrer_reasons.size(); ++i) {
    if (i) out += ',';
    str(out, d.referrer_reasons[i]);
  }
  out += "]},\"referrals\":[";
  for (std::size_t i = 0; i < d.referrals.size(); ++i) {
    const auto& v = d.referrals[i];
    if (i) out += ',';
    out += "{\"id\":";
    str(out, v.id);
    out += ",\"referee\":";
    str(out, v.referee_id);
    out += ",\"status\":\"";
    out += referral_status_name(v.status);
    out += "\",\"reasons\":[";
    for (std::size_t k = 0; k < v.reasons.size(); ++k) {
      if (k) out += ',';
      str(out, v.reasons[k]);
    }
    out += "],\"position\":";
    if (v.position > 0) {
      out += std::to_string(v.position);
    } else {
      out += "null";
    }
    opt_time(out, "settles_at", v.settles_at);
    out += '}';
  }
  out += "],\"rewards\":[";
  for (std::size_t i = 0; i < d.rewards.size(); ++i) {
    const Reward& r = d.rewards[i];
    if (i) out += ',';
    out += "{\"key\":";
    str(out, reward_key(d, r));
    out += ",\"rule\":";
    str(out, r.rule);
    out += ",\"tier\":";
    if (r.tier.empty()) {
      out += "null";
    } else {
      str(out, r.tier);
    }
    out += ",\"recipient\":{\"role\":";
    str(out, r.recipient_role);
    out += ",\"id\":";
    if (r.recipient_id.empty()) {
      out += "null";
    } else {
      str(out, r.recipient_id);
    }
    out += "},\"kind\":";
    str(out, r.kind);
    out += ",\"amount\":";
    if (r.has_amount) {
      decimal(out, r.amount);
    } else {
      out += "null";
    }
    out += ",\"unit\":";
    if (r.unit.empty()) {
      out += "null";
    } else {
      str(out, r.unit);
    }
    out += ",\"label\":";
    if (r.label.empty()) {
      out += "null";
    } else {
      str(out, r.label);
    }
    out += ",\"status\":\"";
    out += status_name(r.status);
    out += "\",\"reason\":";
    if (r.reason.empty()) {
      out += "null";
    } else {
      str(out, r.reason);
    }
    out += ",\"capped\":";
    out += r.capped ? "true" : "false";
    out += ",\"value\":";
    if (r.value) {
      decimal(out, *r.value);
    } else {
      out += "null";
    }
    opt_time(out, "granted_at", r.granted_at);
    opt_time(out, "settles_at", r.settles_at);
    opt_time(out, "due_by", r.due_by);
    opt_time(out, "expires_at", r.expires_at);
    out += '}';
  }
  out += "],\"outputs\":{";
  for (std::size_t i = 0; i < d.outputs.size(); ++i) {
    if (i) out += ',';
    str(out, d.outputs[i].name);
    out += ':';
    out += d.outputs[i].json;
  }
  out += '}';
  if (!d.explanation.empty()) {
    out += ",\"explanation\":[";
    for (std::size_t i = 0; i < d.explanation.size(); ++i) {
      const auto& e = d.explanation[i];
      if (i) out += ',';
      out += "{\"rule\":";
      str(out, e.rule);
      out += ",\"label\":";
      str(out, e.label);
      out += ",\"outcome\":";
      str(out, e.outcome);
      out += ",\"detail\":";
      str(out, e.detail);
      out += ",\"at\":";
      str(out, e.file.empty() ? std::string() : fmt::format("{}:{}:{}", e.file, e.line, e.column));
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

std::string render_decision_text(const Decision& d) {
  std::string out = fmt::format("policy {} version {}, as of {}\n", d.policy_id, d.policy_version, to_string(d.now));
  out += fmt::format("referrer {}: {}", d.referrer_id.empty() ? "(no id)" : d.referrer_id,
                     d.referrer_eligible ? "eligible" : "not eligible");
  if (!d.referrer_reasons.empty()) {
    out += " (failed:";
    for (const auto& r : d.referrer_reasons) out += fmt::format(" {}", r);
    out += ")";
  }
  out += "\n";
  if (!d.referrals.empty()) {
    out += "referrals:\n";
    for (const auto& v : d.referrals) {
      out += fmt::format("  {} (referee {}): {}", v.id, v.referee_id.empty() ? "-" : v.referee_id,
                         referral_status_name(v.status));
      if (v.position > 0) out += fmt::format(" #{}", v.position);
      if (!v.reasons.empty()) {
        // The labels of a void referral held (fraud was found); the others' labels failed, and
        // "because not_refunded" would read as if the order was not refunded.
        out += v.status == ReferralStatus::void_ ? " (held:" : " (failed:";
        for (const auto& r : v.reasons) out += fmt::format(" {}", r);
        out += ")";
      }
      if (v.settles_at) out += ", settles " + to_string(*v.settles_at);
      out += "\n";
    }
  }
  out += d.rewards.empty() ? "rewards: none\n" : "rewards:\n";
  for (const auto& r : d.rewards) {
    std::string what(r.kind);
    if (r.has_amount) what += " " + to_string(r.amount) + (r.unit == "%" ? "%" : " " + std::string(r.unit));
    if (!r.label.empty()) what += fmt::format(" \"{}\"", r.label);
    out += fmt::format("  {} to {} {}: {} [{}]", r.tier.empty() ? std::string(r.rule) : fmt::format("{} ({})", r.rule, r.tier),
                       r.recipient_role, r.recipient_id.empty() ? "-" : r.recipient_id, what, status_name(r.status));
    if (!r.reason.empty()) out += fmt::format(" reason {}", r.reason);
    if (r.settles_at && r.status == RewardStatus::pending) out += ", settles " + to_string(*r.settles_at);
    if (r.due_by) out += ", due by " + to_string(*r.due_by);
    if (r.expires_at) out += ", expires " + to_string(*r.expires_at);
    out += "\n";
  }
  if (!d.outputs.empty()) {
    out += "outputs:\n";
    for (const auto& o : d.outputs) out += fmt::format("  {} = {}\n", o.name, o.json);
  }
  if (!d.recheck_at) {
    out += "recheck: when the facts change (time alone does not change this decision)\n";
  } else if (*d.recheck_at == d.now) {
    out += "recheck: at any time (the policy uses `now` in a way refpol does not follow)\n";
  } else {
    out += "recheck at " + to_string(*d.recheck_at) + "\n";
  }
  if (!d.explanation.empty()) {
    out += "why:\n";
    for (const auto& e : d.explanation) {
      out += fmt::format("  {}{}: {}", e.rule, e.label.empty() ? "" : " `" + e.label + "`", e.outcome);
      if (!e.detail.empty()) out += " (" + e.detail + ")";
      if (!e.file.empty()) out += fmt::format("  at {}:{}", e.file, e.line);
      out += "\n";
    }
  }
  return out;
}

}  // namespace refpol
