// Known-answer vector files in the style of age's CCTV vectors (C2SP/CCTV age/): "name: value" header
// lines, a blank line, then the bytes of the input, verbatim. One scenario per file; the file name says
// which. Header-only; used by the vector tests and by nothing shipped.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "casepack/encoding.h"

namespace casepack::testing {

struct VectorFile {
  std::string name;
  std::map<std::string, std::string> fields;
  Bytes body;

  const std::string& at(const std::string& key) const {
    static const std::string kEmpty;
    auto it = fields.find(key);
    return it == fields.end() ? kEmpty : it->second;
  }
  Bytes hex(const std::string& key) const {
    auto b = HexDecode(at(key));
    return b.ok() ? std::move(b).value() : Bytes{};
  }
};

// Every file in `dir` (not README.md), sorted by name. A file without the blank line gives an empty body
// and no fields, which every test then fails on.
inline std::vector<VectorFile> ReadVectorDir(const std::filesystem::path& dir) {
  std::vector<VectorFile> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    VectorFile v;
    v.name = entry.path().filename().string();
    const auto end = all.find("\n\n");
    if (end != std::string::npos) {
      std::size_t pos = 0;
      while (pos <= end) {
        const auto nl = all.find('\n', pos);
        const std::string line = all.substr(pos, nl - pos);
        const auto colon = line.find(": ");
        if (colon != std::string::npos) v.fields[line.substr(0, colon)] = line.substr(colon + 2);
        else if (!line.empty() && line.back() == ':') v.fields[line.substr(0, line.size() - 1)] = "";
        pos = nl + 1;
      }
      v.body.assign(all.begin() + static_cast<std::ptrdiff_t>(end + 2), all.end());
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const VectorFile& a, const VectorFile& b) { return a.name < b.name; });
  return out;
}

}  // namespace casepack::testing
