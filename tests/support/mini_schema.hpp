// A small JSON Schema validator for the subset the schema files in schema/ use: type (one or a
// list, "null" included), properties, required, additionalProperties (true/false or a schema),
// items, enum, const, pattern (std::regex, searched as JSON Schema says, so patterns anchor
// themselves), $ref to #/$defs/..., minimum, maximum, minItems, minLength and propertyNames (with
// minLength and pattern only). Any other keyword
// is refused, so a schema file cannot silently use something this validator does not check.
// JSON Schema validators are not packaged for C++ here; tests/decision_schema_test.cpp tests
// this one on tiny schemas, including documents it must reject.
#pragma once
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace refpol::testing {

namespace dom = simdjson::dom;

// ---------------------------------------------------------------------------------------------
// The validator.

inline std::string type_of(dom::element v) {
  switch (v.type()) {
    case dom::element_type::ARRAY: return "array";
    case dom::element_type::OBJECT: return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64: return "integer";
    case dom::element_type::DOUBLE: {
      double d = double(v);
      return std::floor(d) == d && std::isfinite(d) ? "integer" : "number";
    }
    case dom::element_type::STRING: return "string";
    case dom::element_type::BOOL: return "boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "?";
}

inline bool is_number(dom::element v) {
  return v.type() == dom::element_type::INT64 || v.type() == dom::element_type::UINT64 ||
         v.type() == dom::element_type::DOUBLE;
}

inline double as_double(dom::element v) {
  switch (v.type()) {
    case dom::element_type::INT64: return static_cast<double>(std::int64_t(v));
    case dom::element_type::UINT64: return static_cast<double>(std::uint64_t(v));
    default: return double(v);
  }
}

// JSON equality, as enum and const need it: numbers by value, objects regardless of key order.
inline bool json_equal(dom::element a, dom::element b) {
  if (is_number(a) && is_number(b)) {
    if (a.type() == b.type() && a.type() == dom::element_type::INT64) return std::int64_t(a) == std::int64_t(b);
    if (a.type() == b.type() && a.type() == dom::element_type::UINT64) return std::uint64_t(a) == std::uint64_t(b);
    return as_double(a) == as_double(b);
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case dom::element_type::STRING: return std::string_view(a) == std::string_view(b);
    case dom::element_type::BOOL: return bool(a) == bool(b);
    case dom::element_type::NULL_VALUE: return true;
    case dom::element_type::ARRAY: {
      dom::array x = a, y = b;
      if (x.size() != y.size()) return false;
      auto i = x.begin(), j = y.begin();
      for (; i != x.end(); ++i, ++j) {
        if (!json_equal(*i, *j)) return false;
      }
      return true;
    }
    case dom::element_type::OBJECT: {
      dom::object x = a, y = b;
      if (x.size() != y.size()) return false;
      for (auto field : x) {
        dom::element other;
        if (y.at_key(field.key).get(other) != simdjson::SUCCESS) return false;
        if (!json_equal(field.value, other)) return false;
      }
      return true;
    }
    default: return false;
  }
}

inline std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

class MiniSchema {
 public:
  // Parses the schema; a schema that is not JSON, or that uses a keyword this validator does
  // not know, is reported by problems() (and every validation then fails).
  explicit MiniSchema(const std::string& text) : text_(text) {
    if (parser_.parse(text_).get(root_) != simdjson::SUCCESS) {
      problems_.push_back("the schema is not valid JSON");
      return;
    }
    audit(root_, "#");
  }

  const std::vector<std::string>& problems() const { return problems_; }

  // Errors of `json` against the schema, each `path: what`; empty when it is valid.
  std::vector<std::string> validate(std::string_view json) const {
    std::vector<std::string> errors = problems_;
    dom::parser parser;
    simdjson::padded_string padded(json);
    dom::element doc;
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
      errors.push_back("$: not valid JSON");
      return errors;
    }
    if (problems_.empty()) check(root_, doc, "$", errors);
    return errors;
  }

  // Also require object keys in the order the schema's `properties` lists them (the decision
  // is written in a fixed order, and docs/decision.md lists the fields in that order).
  void set_check_order(bool on) { check_order_ = on; }

 private:
  simdjson::padded_string text_;
  dom::parser parser_;
  dom::element root_;
  std::vector<std::string> problems_;
  bool check_order_ = false;
  mutable std::map<std::string, std::regex> regexes_;

  static const std::set<std::string_view>& known_keywords() {
    static const std::set<std::string_view> k = {
        "$schema", "$id",   "$defs",  "title",   "description", "type",    "properties",
        "required", "additionalProperties", "items", "enum", "const", "pattern", "$ref",
        "minimum", "maximum", "minItems", "minLength", "propertyNames"};
    return k;
  }

  // Refuses keywords it does not implement, and malformed uses of those it does.
  void audit(dom::element schema, const std::string& where) {
    if (schema.type() == dom::element_type::BOOL) return;
    dom::object obj;
    if (schema.get(obj) != simdjson::SUCCESS) {
      problems_.push_back(where + ": a schema must be an object or a boolean");
      return;
    }
    for (auto field : obj) {
      std::string key(field.key);
      if (!known_keywords().count(field.key)) {
        problems_.push_back(where + ": unsupported keyword `" + key + "`");
        continue;
      }
      if (key == "properties" || key == "$defs") {
        dom::object sub;
        if (field.value.get(sub) != simdjson::SUCCESS) {
          problems_.push_back(where + "/" + key + ": must be an object");
          continue;
        }
        for (auto p : sub) audit(p.value, where + "/" + key + "/" + std::string(p.key));
      } else if (key == "items" || key == "additionalProperties") {
        audit(field.value, where + "/" + key);
      } else if (key == "propertyNames") {
        dom::object names;
        if (field.value.get(names) != simdjson::SUCCESS) {
          problems_.push_back(where + "/propertyNames: must be an object");
          continue;
        }
        for (auto n : names) {
          if (n.key != "minLength" && n.key != "pattern") {
            problems_.push_back(where + "/propertyNames: unsupported keyword `" + std::string(n.key) + "`");
          }
        }
      } else if (key == "$ref") {
        std::string_view ref;
        dom::element target;
        if (field.value.get(ref) != simdjson::SUCCESS || !resolve(ref, target)) {
          problems_.push_back(where + ": $ref must name an entry of #/$defs");
        }
      } else if (key == "pattern") {
        std::string_view p;
        if (field.value.get(p) != simdjson::SUCCESS) {
          problems_.push_back(where + ": pattern must be a string");
          continue;
        }
        try {
          regex(std::string(p));
        } catch (const std::regex_error&) {
          problems_.push_back(where + ": pattern does not compile: " + std::string(p));
        }
      }
    }
  }

  // `#/$defs/NAME`; false when there is no such entry (other references are not supported).
  bool resolve(std::string_view ref, dom::element& target) const {
    constexpr std::string_view prefix = "#/$defs/";
    if (ref.substr(0, prefix.size()) != prefix) return false;
    return root_.at_key("$defs").at_key(ref.substr(prefix.size())).get(target) == simdjson::SUCCESS;
  }

  const std::regex& regex(const std::string& pattern) const {
    auto it = regexes_.find(pattern);
    if (it == regexes_.end()) it = regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    return it->second;
  }

  static bool type_matches(std::string_view wanted, const std::string& actual) {
    return wanted == actual || (wanted == "number" && actual == "integer");
  }

  void check(dom::element schema, dom::element value, const std::string& path,
             std::vector<std::string>& errors) const {
    if (schema.type() == dom::element_type::BOOL) {
      if (!bool(schema)) errors.push_back(path + ": no value is allowed here");
      return;
    }
    dom::object s = schema;
    const std::string actual = type_of(value);
    dom::element kw;
    if (s.at_key("$ref").get(kw) == simdjson::SUCCESS) {
      dom::element target;
      if (resolve(std::string_view(kw), target)) check(target, value, path, errors);
    }
    if (s.at_key("type").get(kw) == simdjson::SUCCESS) {
      bool ok = false;
      std::string wanted;
      if (kw.type() == dom::element_type::STRING) {
        ok = type_matches(std::string_view(kw), actual);
        wanted = std::string(std::string_view(kw));
      } else {
        for (dom::element t : dom::array(kw)) {
          ok = ok || type_matches(std::string_view(t), actual);
          wanted += (wanted.empty() ? "" : " or ") + std::string(std::string_view(t));
        }
      }
      if (!ok) {
        errors.push_back(path + ": expected " + wanted + ", got " + actual);
        return;
      }
    }
    if (s.at_key("const").get(kw) == simdjson::SUCCESS && !json_equal(kw, value)) {
      errors.push_back(path + ": not the constant " + simdjson::to_string(kw));
    }
    if (s.at_key("enum").get(kw) == simdjson::SUCCESS) {
      bool found = false;
      for (dom::element option : dom::array(kw)) found = found || json_equal(option, value);
      if (!found) errors.push_back(path + ": " + simdjson::to_string(value) + " is not one of " + simdjson::to_string(kw));
    }
    if (actual == "string") {
      std::string_view text = value;
      if (s.at_key("pattern").get(kw) == simdjson::SUCCESS &&
          !std::regex_search(text.begin(), text.end(), regex(std::string(std::string_view(kw))))) {
        errors.push_back(path + ": \"" + std::string(text) + "\" does not match " + std::string(std::string_view(kw)));
      }
      if (s.at_key("minLength").get(kw) == simdjson::SUCCESS && code_points(text) < as_double(kw)) {
        errors.push_back(path + ": shorter than " + simdjson::to_string(kw));
      }
    }
    if (is_number(value)) {
      if (s.at_key("minimum").get(kw) == simdjson::SUCCESS && as_double(value) < as_double(kw)) {
        errors.push_back(path + ": less than the minimum " + simdjson::to_string(kw));
      }
      if (s.at_key("maximum").get(kw) == simdjson::SUCCESS && as_double(value) > as_double(kw)) {
        errors.push_back(path + ": more than the maximum " + simdjson::to_string(kw));
      }
    }
    if (actual == "array") {
      dom::array items = value;
      if (s.at_key("minItems").get(kw) == simdjson::SUCCESS && items.size() < as_double(kw)) {
        errors.push_back(path + ": fewer than " + simdjson::to_string(kw) + " items");
      }
      if (s.at_key("items").get(kw) == simdjson::SUCCESS) {
        std::size_t i = 0;
        for (dom::element item : items) check(kw, item, path + "[" + std::to_string(i++) + "]", errors);
      }
    }
    if (actual == "object") {
      dom::object obj = value;
      dom::object props;
      bool has_props = s.at_key("properties").get(props) == simdjson::SUCCESS;
      if (s.at_key("required").get(kw) == simdjson::SUCCESS) {
        for (dom::element name : dom::array(kw)) {
          dom::element ignored;
          if (obj.at_key(std::string_view(name)).get(ignored) != simdjson::SUCCESS) {
            errors.push_back(path + ": missing required `" + std::string(std::string_view(name)) + "`");
          }
        }
      }
      // propertyNames: only its minLength and pattern, which are all refpol's schemas use.
      dom::element names;
      if (s.at_key("propertyNames").get(names) == simdjson::SUCCESS) {
        for (auto field : obj) {
          const std::string_view key = field.key;
          if (names.at_key("minLength").get(kw) == simdjson::SUCCESS && code_points(key) < as_double(kw)) {
            errors.push_back(path + ": key \"" + std::string(key) + "\" shorter than " + simdjson::to_string(kw));
          }
          if (names.at_key("pattern").get(kw) == simdjson::SUCCESS &&
              !std::regex_search(key.begin(), key.end(), regex(std::string(std::string_view(kw))))) {
            errors.push_back(path + ": key \"" + std::string(key) + "\" does not match " + std::string(std::string_view(kw)));
          }
        }
      }
      dom::element additional;
      bool has_additional = s.at_key("additionalProperties").get(additional) == simdjson::SUCCESS;
      std::vector<std::string_view> declared_order;
      if (has_props) {
        for (auto p : props) declared_order.push_back(p.key);
      }
      std::size_t last_index = 0;
      for (auto field : obj) {
        const std::string sub = path + "." + std::string(field.key);
        dom::element prop;
        if (has_props && props.at_key(field.key).get(prop) == simdjson::SUCCESS) {
          check(prop, field.value, sub, errors);
          if (check_order_) {
            auto at = static_cast<std::size_t>(
                std::find(declared_order.begin(), declared_order.end(), field.key) - declared_order.begin());
            if (at < last_index) errors.push_back(sub + ": out of the documented order");
            last_index = at;
          }
        } else if (has_additional) {
          check(additional, field.value, sub, errors);
        }
      }
    }
  }
};

}  // namespace refpol::testing
