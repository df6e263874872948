// Loading a policy: reading files, resolving imports (only from stdlib/ and the policy's own
// folder), and running the checker; plus the small helpers the checker's messages use.
#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "interpreter/check/checker_impl.hpp"
#include "interpreter/parse/parser.hpp"
#include "interpreter/source/read_file.hpp"
#include "interpreter/source/sha256.hpp"

namespace refpol {
namespace fs = std::filesystem;
namespace v2 = boost::variant2;

namespace {

bool read_file(const std::string& path, std::string& out, std::string& problem, bool& too_big) {
  ReadResult r = read_file_limited(path, kMaxSourceBytes, out);
  too_big = r.status == ReadStatus::too_large;
  if (r.status == ReadStatus::ok) return true;
  problem = too_big && r.size_known
                ? fmt::format("is {} bytes; a policy may be at most {} bytes", r.size, kMaxSourceBytes)
                : describe_read_problem(r, kMaxSourceBytes);
  return false;
}

// A module name is a plain file name: letters, digits, `-`, `_`, optionally ending `.refpol`.
bool plain_module_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return name.find("..") == std::string::npos && name.front() != '.';
}

class Loader {
 public:
  Diagnostics diags;
  std::vector<ast::File> files;
  std::string hash_input;

  void load_main(const std::string& path, std::string text) {
    auto src = std::make_shared<SourceFile>(path, std::move(text));
    hash_input += src->text();
    ParseResult r = parse(src, FileKind::policy);
    diags.append(r.diagnostics);
    if (!r.file) return;
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    files.push_back(std::move(*r.file));
    resolve_imports(0, dir, 1);
  }

 private:
  std::set<std::string> loaded_;

  void resolve_imports(std::size_t index, const fs::path& policy_dir, std::size_t depth) {
    std::vector<std::pair<std::string, Span>> imports;
    for (const auto& d : files[index].decls) {
      if (const auto* imp = v2::get_if<ast::ImportDecl>(&d)) imports.emplace_back(imp->module.value, imp->module.span);
    }
    SourcePtr from = files[index].source;
    for (const auto& [name, span] : imports) {
      if (!plain_module_name(name)) {
        diags.error("E022", from, span, fmt::format("cannot import `{}`", name))
            .notes.push_back("imports name a module in stdlib/ or in the policy's own folder, such "
                             "as \"standard\"; paths, `..` and absolute names are not allowed");
        continue;
      }
      if (depth > kMaxImportDepth) {
        diags.error("E023", from, span, fmt::format("imports nest deeper than {}", kMaxImportDepth));
        continue;
      }
      std::string file_name = name.size() > 7 && name.substr(name.size() - 7) == ".refpol" ? name : name + ".refpol";
      // The policy's folder first, so a campaign can override a shared module.
      std::vector<fs::path> candidates = {policy_dir / file_name, fs::path(REFPOL_STDLIB_DIR) / file_name};
      fs::path found;
      bool refused = false;
      for (const auto& c : candidates) {
        std::error_code ec;
        if (fs::is_regular_file(c, ec)) {
          // Symlinks must not lead out of the folder they are in.
          fs::path real = fs::weakly_canonical(c, ec);
          fs::path base = fs::weakly_canonical(c.parent_path(), ec);
          if (ec || real.parent_path() != base) {
            diags.error("E022", from, span, fmt::format("cannot import `{}`: it links outside its folder", name));
            refused = true;
            break;
          }
          found = c;
          break;
        }
      }
      if (refused) continue;  // the module exists: "no module" would be wrong
      if (found.empty()) {
        Diagnostic& d = diags.error("E021", from, span, fmt::format("no module `{}`", name));
        d.notes.push_back(fmt::format("looked for `{}` in the policy's folder and in stdlib/", file_name));
        std::vector<std::string> modules;
        for (const auto& dir : {policy_dir, fs::path(REFPOL_STDLIB_DIR)}) {
          std::error_code ec;
          for (const auto& entry : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
            if (entry.path().extension() == ".refpol") modules.push_back(entry.path().stem().string());
          }
        }
        std::string best = closest(name, modules);
        if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
        continue;
      }
      std::string key = fs::weakly_canonical(found).string();
      if (loaded_.count(key)) continue;  // each module once; cycles end here
      loaded_.insert(key);
      std::string text, problem;
      bool too_big = false;
      if (!read_file(found.string(), text, problem, too_big)) {
        diags.error(too_big ? "E010" : "E020", from, span, fmt::format("module `{}` {}", name, problem));
        continue;
      }
      std::string shown = found.parent_path() == policy_dir ? found.lexically_normal().string() : "stdlib/" + file_name;
      auto src = std::make_shared<SourceFile>(shown, std::move(text));
      hash_input += src->text();
      ParseResult r = parse(src, FileKind::module);
      diags.append(r.diagnostics);
      if (!r.file) continue;
      files.push_back(std::move(*r.file));
      resolve_imports(files.size() - 1, found.parent_path(), depth + 1);
    }
  }
};

}  // namespace

LoadResult load_policy(const std::string& path) {
  std::string text, problem;
  bool too_big = false;
  if (!read_file(path, text, problem, too_big)) {
    LoadResult r;
    r.diagnostics.error(too_big ? "E010" : "E020", nullptr, {}, fmt::format("`{}` {}", path, problem));
    return r;
  }
  return load_policy_text(path, std::move(text));
}

LoadResult load_policy_text(const std::string& path, std::string text) {
  Loader loader;
  loader.load_main(path, std::move(text));
  LoadResult result;
  if (loader.files.empty() || loader.diags.has_errors()) {
    result.diagnostics = std::move(loader.diags);
    result.diagnostics.sort();
    return result;
  }
  std::string hash = sha256_hex(loader.hash_input);
  result = check_files(std::move(loader.files));
  Diagnostics all = loader.diags;
  all.append(result.diagnostics);
  result.diagnostics = std::move(all);
  result.diagnostics.sort();
  if (result.policy) result.policy->content_hash = hash;
  return result;
}

LoadResult check_files(std::vector<ast::File> files) {
  LoadResult result;
  CheckedPolicy policy;
  {
    check::Checker checker(files, result.diagnostics);
    checker.run(policy);
  }
  // A parameterised definition is checked once per call: report each problem once.
  std::vector<Diagnostic> unique;
  std::set<std::tuple<std::string, std::string, std::uint32_t, std::uint32_t>> seen;
  for (const auto& d : result.diagnostics.items()) {
    auto key = std::make_tuple(d.source ? d.source->path() : "", d.code, d.span.begin, d.span.end);
    if (seen.insert(key).second) unique.push_back(d);
  }
  Diagnostics deduped;
  for (auto& d : unique) deduped.add(std::move(d));
  result.diagnostics = std::move(deduped);
  result.diagnostics.sort();
  if (!result.diagnostics.has_errors()) {
    policy.files = std::move(files);
    result.policy = std::move(policy);
  }
  return result;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string best;
  std::size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    if (c.empty() || c == word) continue;
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string type_name(const Type& t, const Schema& schema) {
  std::string base;
  switch (t.kind) {
    case TypeKind::error: base = "an unknown value"; break;
    case TypeKind::null: base = "`null`"; break;
    case TypeKind::boolean: base = "a condition (true or false)"; break;
    case TypeKind::integer: base = "a whole number"; break;
    case TypeKind::number: base = "a number"; break;
    case TypeKind::money: base = t.unit.size() == 3 ? fmt::format("an amount of {}", t.unit) : fmt::format("an amount of {}", t.unit); break;
    case TypeKind::string: base = "a string"; break;
    case TypeKind::date: base = "a date"; break;
    case TypeKind::datetime: base = "a date-time"; break;
    case TypeKind::duration: base = "a duration"; break;
    case TypeKind::range: base = "a range"; break;
    case TypeKind::list: {
      Type e = t.element();
      base = e.kind == TypeKind::record && e.record >= 0
                 ? fmt::format("a list of `{}`", schema.records[static_cast<std::size_t>(e.record)].name)
                 : "a list";
      break;
    }
    case TypeKind::record:
      base = t.record >= 0 ? fmt::format("a `{}` record", schema.records[static_cast<std::size_t>(t.record)].name)
                           : "a record";
      break;
    case TypeKind::function: base = "a function"; break;
  }
  return base;
}

}  // namespace refpol
