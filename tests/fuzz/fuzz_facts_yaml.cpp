// Fuzzes the YAML facts loader (yaml-cpp events + schema checks) against the old-friends schema,
// and the evaluator on every document that loads.
#include "tests/fuzz/fuzz_facts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return refpol::fuzz::fuzz_facts(data, size, /*yaml=*/true);
}
