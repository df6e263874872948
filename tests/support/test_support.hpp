// Helpers shared by the tests: repository paths, reading files, running the refpol binary.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace refpol::testing {

std::filesystem::path source_dir();
std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);
// Files under `dir` (recursively) whose names end with `suffix`, sorted.
std::vector<std::filesystem::path> files_with_suffix(const std::filesystem::path& dir,
                                                     const std::string& suffix);
// `path` relative to the source dir, with forward slashes, as diagnostics show it.
std::string relative(const std::filesystem::path& path);

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the built `refpol` binary with `args` (no shell), from the source dir, with `input` on stdin;
// with its address space limited to `address_space_bytes` (RLIMIT_AS) when that is not 0.
RunResult run_refpol(const std::vector<std::string>& args, const std::string& input = "",
                     std::size_t address_space_bytes = 0);

// The lines of a history from the built refpol-gen-history with `flags` (a shell word list).
std::vector<std::string> generated_history(const std::string& flags);

// True when golden files should be rewritten from actual output (REFPOL_UPDATE_GOLDEN=1).
bool update_golden();

}  // namespace refpol::testing
