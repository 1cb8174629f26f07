// Writes the pack fuzz target's seed corpus: small real plaintext tars, valid and hostile, from
// tests/support/pack_builder.h. Usage: pack_fuzz_seeds DIR (then commit DIR's files to corpus/).
#include <cstdio>
#include <filesystem>

#include "support/pack_builder.h"
#include "support/process.h"

int main(int argc, char** argv) {
  using namespace casepack;
  using namespace casepack::testing;
  if (argc != 2) {
    std::fprintf(stderr, "usage: pack_fuzz_seeds DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  SamplePack p;
  p.doc1 = "first document, short for the fuzzer\n";  // keep seeds small
  p.m1 = SampleDocument("d1", "minutes.pdf", p.doc1);
  auto write = [&](const char* name, const std::string& bytes) { WriteFile(dir / name, bytes); };
  write("valid.tar", p.Plaintext());
  {
    nlohmann::json m = p.Manifest();
    m["notes"] = {{"story", "a note"}};
    m["retention"] = {{"purge_on", "2026-07-02"}, {"rule_after", "event"}, {"days", 120}};
    m["extras"].push_back({{"path", "notes.md"}, {"size", 6}, {"sha256", Sha256Hex("# note")}});
    auto e = p.Entries(m);
    e.insert(e.begin() + 1, TarEntry{"documents/", "", '5'});
    e.push_back({"notes.md", "# note"});
    write("valid-notes-dir.tar", Tar(e));
  }
  {
    auto e = p.Entries();
    e[2] = {p.p2, "", '2', "/etc/passwd"};
    write("symlink.tar", Tar(e));
  }
  {
    auto e = p.Entries();
    e[2].name = "documents/../../d2-plan.txt";
    write("dotdot.tar", Tar(e));
  }
  {
    auto e = p.Entries();
    std::swap(e[0], e[1]);
    write("manifest-not-first.tar", Tar(e));
  }
  {
    auto e = p.Entries();
    e[2] = {p.p2, "", '1', p.p1};
    write("hardlink.tar", Tar(e));
  }
  {
    auto e = p.Entries();
    e[2].data += "x";
    write("bigger-than-declared.tar", Tar(e));
  }
  {
    auto e = p.Entries();
    e.push_back(e[1]);  // the same document twice in one pack
    nlohmann::json m = p.Manifest();
    m["documents"].push_back({{"path", "documents/d3-copy.pdf"}, {"document", ToJson(SampleDocument("d3", "copy.pdf", p.doc1))}});
    e = p.Entries(m);
    e.push_back({"documents/d3-copy.pdf", p.doc1});
    write("duplicate-bytes.tar", Tar(e));
  }
  {
    SamplePack u = p;
    u.m2 = SampleDocument("d2", "plan–ø 会议.txt", u.doc2);
    u.p2 = "documents/d2-plan–ø 会议.txt";
    write("valid-utf8-name.tar", u.Plaintext());
  }
  std::printf("seeds written to %s\n", dir.c_str());
  return 0;
}
