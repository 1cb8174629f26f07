// Test support for transfer packs (docs/packs.md): a minimal ustar writer that will write anything, including
// the entries an import must refuse (absolute paths, "..", links, devices, lying sizes), and a manifest
// builder. Header-only; used by tests/client/packs_test.cpp, tests/cli/packs_cli_test.cpp and the pack
// fuzz target's seed generator.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "casepack/blob_store.h"
#include "support/calendar.h"
#include "casepack/domain.h"
#include "casepack/encoding.h"

namespace casepack::testing {

struct TarEntry {
  std::string name;
  std::string data;
  char type = '0';                        // '0' file, '1' hard link, '2' symlink, '3' char device, '5' dir, '6' fifo
  std::string link;                       // for links
  std::optional<std::uint64_t> size_field;  // what the header claims, if not data.size()
};

inline void TarOctal(char* field, std::size_t width, std::uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

// One ustar header block plus the data padded to 512 bytes. REQUIRES: name and link shorter than 100.
inline std::string TarBlock(const TarEntry& e) {
  char h[512];
  std::memset(h, 0, sizeof h);
  std::memcpy(h, e.name.data(), std::min<std::size_t>(e.name.size(), 100));
  TarOctal(h + 100, 8, 0600);
  TarOctal(h + 108, 8, 0);
  TarOctal(h + 116, 8, 0);
  TarOctal(h + 124, 12, e.size_field.value_or(e.data.size()));
  TarOctal(h + 136, 12, 1700000000);
  h[156] = e.type;
  std::memcpy(h + 157, e.link.data(), std::min<std::size_t>(e.link.size(), 100));
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  std::string out(h, sizeof h);
  out += e.data;
  out.append((512 - e.data.size() % 512) % 512, '\0');
  return out;
}

// A whole archive: the entries, then (unless `end` is false) the two zero blocks that end a tar.
inline std::string Tar(const std::vector<TarEntry>& entries, bool end = true) {
  std::string out;
  for (const auto& e : entries) out += TarBlock(e);
  if (end) out.append(1024, '\0');
  return out;
}

// Reads back a ustar/pax archive's entries (name, type, data), for checking what a pack holds without
// libarchive. pax extended headers ('x') are applied for "path" only; global headers are skipped. Stops
// at the first zero block; returns what it has on anything malformed (tests then compare and fail).
inline std::vector<TarEntry> ReadTar(const std::string& tar) {
  std::vector<TarEntry> out;
  std::string pax_path;
  for (std::size_t pos = 0; pos + 512 <= tar.size();) {
    const char* h = tar.data() + pos;
    if (std::all_of(h, h + 512, [](char c) { return c == 0; })) break;
    auto field = [&](std::size_t off, std::size_t len) { return std::string(h + off, strnlen(h + off, len)); };
    const std::uint64_t size = std::strtoull(field(124, 12).c_str(), nullptr, 8);
    if (pos + 512 + size > tar.size()) break;
    std::string data = tar.substr(pos + 512, size);
    const char type = h[156];
    pos += 512 + (size + 511) / 512 * 512;
    if (type == 'x') {  // records "LEN key=value\n"
      for (std::size_t at = 0; at < data.size();) {
        const std::size_t len = std::strtoull(data.c_str() + at, nullptr, 10);
        if (len == 0) break;
        const std::string rec = data.substr(at, len);
        const auto sp = rec.find(' '), eq = rec.find('=');
        if (sp != std::string::npos && eq != std::string::npos && rec.substr(sp + 1, eq - sp - 1) == "path")
          pax_path = rec.substr(eq + 1, rec.size() - eq - 2);
        at += len;
      }
      continue;
    }
    if (type == 'g') continue;
    std::string name = field(0, 100);
    const std::string prefix = field(345, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
    if (!pax_path.empty()) name = pax_path;
    pax_path.clear();
    out.push_back({name, std::move(data), type == '\0' ? '0' : type, field(157, 100)});
  }
  return out;
}

inline std::string Sha256Hex(const std::string& data) { return HexEncode(Sha256(AsBytes(data))); }

inline Case SampleCase(std::string id = "0123456789abcdef0123456789abcdef") {
  Case c;
  c.id = std::move(id);
  c.event_type = EventType::kMas;
  c.subject = {"J.S.", "Newport"};
  c.key_dates["event"] = AddDays(TodayUtc(), 30);  // months before its purge date, on any date
  return c;
}

inline DocumentMeta SampleDocument(const std::string& id, const std::string& name, const std::string& bytes) {
  DocumentMeta m;
  m.id = id;
  m.type = DocumentType::kIcpcMinutes;
  m.original_name = name;
  m.size = bytes.size();
  m.sha256 = Sha256Hex(bytes);
  m.received = Date{2026, 2, 1};
  m.sending_agency = "Police";
  return m;
}

// A manifest as casepack writes it (docs/packs.md); tests then break one thing in it.
inline nlohmann::json SampleManifest(const Case& c, const std::vector<std::pair<std::string, DocumentMeta>>& docs) {
  nlohmann::json m = {{"format", "casepack-pack"},
                      {"version", 1},
                      {"created_at", "2026-03-05T10:00:00Z"},
                      {"sending_agency", "Newport BU"},
                      {"case", ToJson(c)},
                      {"retention", nullptr},
                      {"documents", nlohmann::json::array()},
                      {"extras", nlohmann::json::array()}};
  for (const auto& [path, meta] : docs) m["documents"].push_back({{"path", path}, {"document", ToJson(meta)}});
  return m;
}

// The plaintext of a valid two-document pack, and its parts, for tests that break one thing.
struct SamplePack {
  Case c = SampleCase();
  std::string doc1 = std::string(70000, 'a') + "first document";  // more than one 64 KiB chunk
  std::string doc2 = "second document\n";
  DocumentMeta m1 = SampleDocument("d1", "minutes.pdf", doc1);
  DocumentMeta m2 = SampleDocument("d2", "plan.txt", doc2);
  std::string p1 = "documents/d1-minutes.pdf", p2 = "documents/d2-plan.txt";

  nlohmann::json Manifest() const { return SampleManifest(c, {{p1, m1}, {p2, m2}}); }
  std::vector<TarEntry> Entries(const nlohmann::json& manifest) const {
    return {{"manifest.json", manifest.dump(2)}, {p1, doc1}, {p2, doc2}};
  }
  std::vector<TarEntry> Entries() const { return Entries(Manifest()); }
  std::string Plaintext() const { return Tar(Entries()); }
};

}  // namespace casepack::testing
