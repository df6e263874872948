// Facts schema -> JSON Schema. The value forms follow docs/facts.md, "Types": numbers and money
// may also come as strings holding a number, dates and date-times are strings of their ISO form.
#include "interpreter/check/json_schema.hpp"

#include <fmt/format.h>

#include "interpreter/source/diagnostic.hpp"

namespace refpol {
namespace {

constexpr const char* kNumberText = R"(^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$)";
constexpr const char* kAmountText = R"(^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$)";  // not negative
constexpr const char* kDate = R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}$)";
constexpr const char* kDateTime = R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2})";
constexpr const char* kDuration = R"(^ *[0-9]+ *[a-z]+( +[0-9]+ *[a-z]+)* *$)";

// The schema of one value of `kind` (not a record or list), with null allowed when optional.
std::string scalar(TypeKind kind, const std::string& unit, bool optional) {
  const char* null = optional ? R"(, "null")" : "";
  switch (kind) {
    case TypeKind::boolean: return fmt::format(R"({{"type": ["boolean"{}]}})", null);
    case TypeKind::integer: return fmt::format(R"({{"type": ["integer"{}]}})", null);
    case TypeKind::number:
      return fmt::format(R"({{"type": ["number", "string"{}], "pattern": "{}"}})", null, kNumberText);
    case TypeKind::money:
      return fmt::format(R"({{"description": "an amount in {}", "type": ["number", "string"{}], "pattern": "{}"}})",
                         json_escape(unit), null, kNumberText);
    case TypeKind::string: return fmt::format(R"({{"type": ["string"{}]}})", null);
    case TypeKind::date:
      return fmt::format(R"({{"description": "YYYY-MM-DD", "type": ["string"{}], "pattern": "{}"}})", null, kDate);
    case TypeKind::datetime:
      return fmt::format(R"({{"description": "ISO 8601 date-time; without an offset it is read in the policy's time zone", "type": ["string"{}], "pattern": "{}"}})",
                         null, kDateTime);
    case TypeKind::duration:
      return fmt::format(R"({{"description": "whole numbers with units, such as 7 days", "type": ["string"{}], "pattern": "{}"}})",
                         null, kDuration);
    default: return "{}";
  }
}

std::string value_schema(const Type& t, const Schema& schema) {
  if (t.kind == TypeKind::record) {
    return fmt::format(R"({{"type": {}, "$ref": "#/$defs/{}"}})", t.optional ? R"(["object", "null"])" : R"("object")",
                       json_escape(schema.records[static_cast<std::size_t>(t.record)].name));
  }
  if (t.kind == TypeKind::list) {
    return fmt::format(R"({{"type": {}, "items": {}}})", t.optional ? R"(["array", "null"])" : R"("array")",
                       value_schema(t.element(), schema));
  }
  return scalar(t.kind, t.unit, t.optional);
}

// `"properties": {...}, "required": [...]` of a record, indented by `indent` spaces; for the
// root, the top-level `now` and `paid` (in `currency`) where the record has no such fields.
std::string members(const RecordInfo& r, const Schema& schema, int indent, bool root = false,
                    const std::string& currency = "") {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string props, required;
  if (root && r.find("now") == nullptr) {
    props += fmt::format("{}  \"now\": {}", pad, scalar(TypeKind::datetime, "", false));
  }
  if (root && r.find("paid") == nullptr) {
    if (!props.empty()) props += ",\n";
    props += fmt::format(
        "{}  \"paid\": {{\"description\": \"the referrer's rewards already paid: each reward key with what was "
        "paid for it (null for a reward without a value)\", \"type\": [\"object\", \"null\"], "
        "\"propertyNames\": {{\"minLength\": 1}}, \"additionalProperties\": {{\"description\": \"an amount in {}, "
        "not negative\", \"type\": [\"number\", \"string\", \"null\"], \"pattern\": \"{}\", \"minimum\": 0}}}}",
        pad, json_escape(currency), kAmountText);
  }
  for (const FieldInfo& f : r.fields) {
    if (!props.empty()) props += ",\n";
    props += fmt::format("{}  \"{}\": {}", pad, json_escape(f.name), value_schema(f.type, schema));
    if (!f.type.optional) required += fmt::format("{}\"{}\"", required.empty() ? "" : ", ", json_escape(f.name));
  }
  return fmt::format("{0}\"properties\": {{\n{1}\n{0}}},\n{0}\"required\": [{2}]", pad, props, required);
}

}  // namespace

std::string facts_json_schema(const CheckedPolicy& policy) {
  const Schema& schema = policy.schema;
  std::string defs;
  for (std::size_t i = 1; i < schema.records.size(); ++i) {
    const RecordInfo& r = schema.records[i];
    if (!defs.empty()) defs += ",\n";
    // No `type` here: the place that refers to a record says whether null is allowed.
    defs += fmt::format("    \"{}\": {{\n{}\n    }}", json_escape(r.name), members(r, schema, 6));
  }
  return fmt::format(
      "{{\n"
      "  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n"
      "  \"$id\": \"urn:refpol:facts:{}:{}\",\n"
      "  \"title\": \"facts for the policy `{}` version {} (content hash {})\",\n"
      "  \"description\": \"One facts document (docs/facts.md). Keys not listed here are ignored. A top-level `now` "
      "is the moment to decide at; a top-level `paid` lists the rewards already paid, for the budget.\",\n"
      "  \"type\": \"object\",\n"
      "{},\n"
      "  \"$defs\": {{\n{}\n  }}\n"
      "}}\n",
      json_escape(policy.id), policy.version, json_escape(policy.id), policy.version, policy.content_hash,
      members(schema.root(), schema, 2, true, policy.currency), defs);
}

}  // namespace refpol
