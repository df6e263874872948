// policies/README.md against the campaigns: a row for each requirement S1..S37, every folder it
// names exists, every test case it cites is in its file, and the table of campaigns is complete.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::source_dir;

const fs::path& policies_dir() {
  static const fs::path dir = source_dir() / "policies";
  return dir;
}

// The cells of a table row `| a | b | c |`, trimmed. The page has no `|` inside a cell.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::size_t start = row.find('|');
  while (start != std::string::npos) {
    std::size_t end = row.find('|', start + 1);
    if (end == std::string::npos) break;
    std::string cell = row.substr(start + 1, end - start - 1);
    std::size_t b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    start = end;
  }
  return out;
}

struct Citation {
  std::string folder;  // old-friends
  std::string file;    // old-friends/tests/ladder.test.yaml
  std::string name;    // the case's `name:`
};

struct Row {
  int line = 0;
  std::string id;  // S1
  std::vector<std::string> cells;
  std::set<std::string> linked_folders;  // `[x](x/)` links in the row
  std::vector<Citation> citations;
  std::size_t test_file_mentions = 0;  // backticked `....test.yaml` paths, cited or not
};

std::set<std::string> linked_folders(const std::string& text) {
  static const std::regex link(R"(\[([^\]]+)\]\(([a-z0-9-]+)/\))");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it) {
    out.insert((*it)[2].str());
  }
  return out;
}

// Every row of the S-line table (`| S12 | ... |`), in the order of the page.
std::vector<Row> requirement_rows() {
  static const std::regex id(R"(^\| (S[0-9]+) \|)");
  static const std::regex citation(
      "`(([a-z0-9-]+)/tests/[A-Za-z0-9_.-]+\\.test\\.yaml)` \xE2\x80\xBA \"([^\"]+)\"");
  static const std::regex mention(R"(`[^`]*\.test\.yaml`)");
  std::istringstream in(read_text(policies_dir() / "README.md"));
  std::vector<Row> out;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::smatch m;
    if (!std::regex_search(line, m, id)) continue;
    Row row;
    row.line = number;
    row.id = m[1].str();
    row.cells = cells(line);
    row.linked_folders = linked_folders(line);
    for (std::sregex_iterator it(line.begin(), line.end(), citation), end; it != end; ++it) {
      row.citations.push_back({(*it)[2].str(), (*it)[1].str(), (*it)[3].str()});
    }
    row.test_file_mentions = static_cast<std::size_t>(std::distance(
        std::sregex_iterator(line.begin(), line.end(), mention), std::sregex_iterator()));
    out.push_back(std::move(row));
  }
  return out;
}

// The `name:` of every case of a test file; a file that does not load gives an empty list.
std::vector<std::string> case_names(const fs::path& file, std::string* error) {
  std::vector<std::string> out;
  try {
    YAML::Node doc = YAML::LoadFile(file.string());
    for (const auto& c : doc["cases"]) {
      if (c["name"]) out.push_back(c["name"].as<std::string>());
    }
  } catch (const YAML::Exception& e) {
    *error = e.what();
  }
  return out;
}

bool is_campaign(const std::string& folder) {
  return !folder.empty() && fs::is_regular_file(policies_dir() / folder / "policy.refpol");
}

TEST(PoliciesReadme, HasARowForEachRequirementInOrder) {
  auto rows = requirement_rows();
  std::map<std::string, int> count;
  for (const auto& r : rows) ++count[r.id];
  for (int i = 1; i <= 37; ++i) {
    std::string id = "S" + std::to_string(i);
    EXPECT_EQ(count[id], 1) << "policies/README.md: expected exactly one row `| " << id
                            << " | ... |` in the table of S-lines";
  }
  // In order: each row's number above the one before (rows for S38 and later may follow).
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (std::stoi(rows[i].id.substr(1)) <= std::stoi(rows[i - 1].id.substr(1))) {
      ADD_FAILURE() << "policies/README.md:" << rows[i].line << ": the row of " << rows[i].id
                    << " comes after the row of " << rows[i - 1].id
                    << "; keep the S-lines in order";
      break;
    }
  }
}

TEST(PoliciesReadme, EveryRowCitesCasesOfTheFoldersItNames) {
  auto rows = requirement_rows();
  ASSERT_GE(rows.size(), 37u);
  for (const auto& r : rows) {
    SCOPED_TRACE("policies/README.md:" + std::to_string(r.line) + " (" + r.id + ")");
    ASSERT_EQ(r.cells.size(), 4u) << "expected `| S | requirement | policies | test cases |`";
    EXPECT_FALSE(r.cells[1].empty()) << "the requirement is empty";
    // Every `....test.yaml` named in the row must be a citation the checks below can read.
    EXPECT_EQ(r.test_file_mentions, r.citations.size())
        << "a test file is named without the form `FOLDER/tests/FILE.test.yaml` \xE2\x80\xBA "
           "\"CASE NAME\"";
    if (r.citations.empty()) {
      EXPECT_NE(r.cells[3].find("o test case"), std::string::npos)
          << "the row cites no test case and does not say `no test case`";
    }
    // The policies column and the cited cases name the same campaigns.
    std::set<std::string> listed = linked_folders(r.cells[2]);
    std::set<std::string> cited;
    for (const auto& c : r.citations) cited.insert(c.folder);
    for (const auto& f : listed) {
      EXPECT_TRUE(cited.count(f)) << "[" << f << "](" << f
                                  << "/) is listed but none of its cases is cited";
    }
    for (const auto& f : cited) {
      EXPECT_TRUE(listed.count(f))
          << "a case of " << f << " is cited but the policies column does not link " << f;
    }
  }
}

TEST(PoliciesReadme, EveryNamedFolderIsACampaign) {
  std::set<std::string> folders = linked_folders(read_text(policies_dir() / "README.md"));
  for (const auto& r : requirement_rows()) {
    for (const auto& c : r.citations) folders.insert(c.folder);
  }
  EXPECT_GE(folders.size(), 9u);
  for (const auto& f : folders) {
    EXPECT_TRUE(is_campaign(f)) << "policies/README.md names `" << f << "`, but policies/" << f
                                << "/policy.refpol does not exist";
  }
}

TEST(PoliciesReadme, EveryCitedCaseExists) {
  std::map<std::string, std::vector<std::string>> names;  // test file -> its case names
  std::size_t citations = 0;
  for (const auto& r : requirement_rows()) {
    for (const auto& c : r.citations) {
      ++citations;
      SCOPED_TRACE(r.id + ": `" + c.file + "` \xE2\x80\xBA \"" + c.name + "\"");
      fs::path file = policies_dir() / c.file;
      if (!fs::is_regular_file(file)) {
        ADD_FAILURE() << "policies/" << c.file << " does not exist";
        continue;
      }
      auto it = names.find(c.file);
      if (it == names.end()) {
        std::string error;
        it = names.emplace(c.file, case_names(file, &error)).first;
        EXPECT_TRUE(error.empty()) << "policies/" << c.file << " does not load: " << error;
      }
      bool found = false;
      for (const auto& n : it->second) found = found || n == c.name;
      EXPECT_TRUE(found) << "policies/" << c.file << " has no case named \"" << c.name << "\"";
    }
  }
  EXPECT_GE(citations, 37u);
}

// The table of campaigns: every folder with a policy.refpol has a row, and its number of cases is
// the number of cases in its tests/*.test.yaml files.
TEST(PoliciesReadme, CampaignTableListsEveryCampaignWithItsCases) {
  static const std::regex row(R"(^\| \[([a-z0-9-]+)\]\(([a-z0-9-]+)/\) \|.*\| ([0-9]+) \|$)");
  std::map<std::string, int> listed;
  std::istringstream in(read_text(policies_dir() / "README.md"));
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) {
      EXPECT_EQ(m[1].str(), m[2].str()) << line;
      listed[m[2].str()] = std::stoi(m[3].str());
    }
  }
  std::set<std::string> campaigns;
  for (const auto& e : fs::directory_iterator(policies_dir())) {
    if (e.is_directory() && is_campaign(e.path().filename().string())) {
      campaigns.insert(e.path().filename().string());
    }
  }
  EXPECT_GE(campaigns.size(), 9u);
  for (const auto& c : campaigns) {
    auto it = listed.find(c);
    if (it == listed.end()) {
      ADD_FAILURE() << "policies/README.md: the table of campaigns has no row `| [" << c << "]("
                    << c << "/) | ... | CASES |`";
      continue;
    }
    int cases = 0;
    for (const auto& file : testing::files_with_suffix(policies_dir() / c, ".test.yaml")) {
      std::string error;
      cases += static_cast<int>(case_names(file, &error).size());
      EXPECT_TRUE(error.empty()) << testing::relative(file) << " does not load: " << error;
    }
    EXPECT_EQ(it->second, cases) << "policies/README.md: " << c << " has " << cases
                                 << " test cases";
  }
  for (const auto& [folder, n] : listed) {
    EXPECT_TRUE(campaigns.count(folder))
        << "policies/README.md lists " << folder << ", which is not a campaign";
  }
}

}  // namespace
}  // namespace refpol
