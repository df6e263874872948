// `refpol eval`: one facts document -> one decision, or a JSON-lines stream -> one decision per
// line, in order; a bad line gets an error object and the stream goes on.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "interpreter/cli/commands.hpp"
#include "interpreter/cli/line_reader.hpp"
#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "interpreter/source/diagnostic.hpp"
#include "interpreter/source/read_file.hpp"

namespace refpol::cli {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The error object of a line that got no decision: the facts' problems, or the evaluation's, with
// the place in the policy where it stopped when there is one (docs/decision.md).
void write_error_line(std::string& out, std::size_t line_no, const std::vector<FactsError>& errors,
                      const Program* program = nullptr, const EvalError* eval_error = nullptr) {
  out += fmt::format("{{\"error\":{{\"line\":{},\"problems\":[", line_no);
  if (eval_error) {
    out += fmt::format("{{\"path\":\"\",\"column\":0,\"message\":\"{}\"", json_escape(eval_error->message));
    const EvalErrorPlace at = locate(*program, *eval_error);
    if (!at.file.empty()) {
      out += fmt::format(",\"policy\":{{\"file\":\"{}\",\"line\":{},\"column\":{}}}", json_escape(at.file), at.line,
                         at.column);
    }
    out += '}';
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i || eval_error) out += ",";
    out += fmt::format("{{\"path\":\"{}\",\"column\":{},\"message\":\"{}\"}}", json_escape(errors[i].path),
                       errors[i].column, json_escape(errors[i].message));
  }
  out += "]}}\n";
}

}  // namespace

int run_eval(const EvalCmdOptions& o) {
  CompileResult compiled = compile_file(o.policy);
  if (!compiled.program) {
    std::fputs(render_text(compiled.diagnostics).c_str(), stderr);
    return kExitUsage;
  }
  const Program& program = *compiled.program;
  EvalOptions options;
  options.explain = o.explain;
  if (!o.now.empty()) {
    DateTime now;
    std::string problem;
    if (!parse_datetime(o.now, program.zone, now, problem)) {
      std::fputs(fmt::format("refpol: error: --now `{}`: {}\n", o.now, problem).c_str(), stderr);
      return kExitUsage;
    }
    options.now = now;
  }
  FactsContext ctx{&program.policy.schema, &program.zone, 0};
  bool jsonl = o.jsonl || ends_with(o.facts, ".jsonl");
  bool yaml = ends_with(o.facts, ".yaml") || ends_with(o.facts, ".yml");
  std::istream* in = &std::cin;
  std::ifstream file;
  if (o.facts != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(o.facts, ec)) {
      std::fputs(fmt::format("refpol: error: `{}` is a folder, not a facts file\n", o.facts).c_str(), stderr);
      return kExitUsage;
    }
    file.open(o.facts, std::ios::binary);
    if (!file) {
      std::fputs(fmt::format("refpol: error: `{}` cannot be read (does it exist?)\n", o.facts).c_str(), stderr);
      return kExitUsage;
    }
    in = &file;
  }
  FactsDocument facts;
  EvalScratch scratch;
  Decision decision;
  std::vector<FactsError> errors;
  EvalError eval_error;
  std::string out;
  if (!jsonl) {
    // Read no more than a document may hold: a huge file is refused without being held.
    std::string text;
    ReadResult read = read_stream_limited(*in, kMaxFactsBytes, text);
    if (read.status == ReadStatus::too_large) {
      std::error_code ec;
      const auto size = o.facts == "-" ? 0 : std::filesystem::file_size(o.facts, ec);
      FactsError e;
      e.line = e.column = 1;
      e.message = size > kMaxFactsBytes && !ec
                      ? fmt::format("document too large: {} bytes (the limit is {})", size, kMaxFactsBytes)
                      : fmt::format("document too large: more than {} bytes (the limit is {})", kMaxFactsBytes,
                                    kMaxFactsBytes);
      std::fputs((render_facts_error(o.facts, e) + "\n").c_str(), stderr);
      return kExitFindings;
    }
    if (read.status != ReadStatus::ok) {
      std::fputs(fmt::format("refpol: error: `{}` cannot be read\n", o.facts).c_str(), stderr);
      return kExitUsage;
    }
    bool loaded = yaml ? load_facts_yaml(text, ctx, facts, errors) : load_facts_json(text, ctx, facts, errors);
    if (!loaded) {
      for (const auto& e : errors) std::fputs((render_facts_error(o.facts, e) + "\n").c_str(), stderr);
      return kExitFindings;
    }
    if (!evaluate(program, facts, options, scratch, decision, eval_error)) {
      std::fputs((render_eval_error(program, eval_error) + "\n").c_str(), stderr);
      return kExitFindings;
    }
    if (o.format == "text") {
      out = render_decision_text(decision);
    } else {
      write_decision_json(decision, out);
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
  }
  // JSON lines: one decision (or error object) per input line, in order. Output is written in
  // large blocks, and whenever the input has nothing more to read yet (see LineReader).
  auto flush = [&out] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    out.clear();
  };
  int fd = 0;
  if (o.facts != "-") {
    file.close();
    fd = ::open(o.facts.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::fputs(fmt::format("refpol: error: `{}` cannot be read (does it exist?)\n", o.facts).c_str(), stderr);
      return kExitUsage;
    }
  }
  LineReader reader(fd, kMaxFactsBytes, flush);
  LineReader::Line line;
  bool any_error = false;
  std::size_t line_no = 0;
  out.reserve(1 << 20);
  while (reader.next(line)) {
    ++line_no;
    if (line.too_long) {
      // The same words as the loader's for a document over the limit.
      FactsError e;
      e.message = fmt::format("document too large: {} bytes (the limit is {})", line.length, kMaxFactsBytes);
      write_error_line(out, line_no, {e});
      any_error = true;
      continue;
    }
    if (line.text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    errors.clear();
    eval_error = EvalError{};
    if (!load_facts_json(line.text, ctx, facts, errors)) {
      write_error_line(out, line_no, errors);
      any_error = true;
    } else if (!evaluate(program, facts, options, scratch, decision, eval_error)) {
      write_error_line(out, line_no, {}, &program, &eval_error);
      any_error = true;
    } else if (o.format == "text") {
      out += render_decision_text(decision);
      out += '\n';
    } else {
      write_decision_json(decision, out);
      out += '\n';
    }
    if (out.size() > (1 << 20) - 4096) flush();
  }
  if (fd != 0) ::close(fd);
  if (reader.error() != 0) {
    flush();
    std::fputs(fmt::format("refpol: error: reading the facts failed after line {}: {}\n", line_no,
                           std::strerror(reader.error())).c_str(), stderr);
    return kExitUsage;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return any_error ? kExitFindings : kExitOk;
}

}  // namespace refpol::cli
