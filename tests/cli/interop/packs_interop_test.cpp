// Transfer packs against the real tools an agency has: the `age` 1.1.1 CLI, GNU tar and python3's tarfile.
// Both directions, keys and passwords. age reads passphrases only from a terminal: util-linux `script`
// gives it one, and the password is typed into it on standard input. Spawns processes and runs age's
// default scrypt (about 0.7 s), so its own binary and label `interop`.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "cli/cli_support.h"
#include "support/pack_builder.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PackInterop : public CliTest {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/age", "/usr/bin/age-keygen", "/usr/bin/script", "/usr/bin/python3"})
      if (!fs::exists(tool)) GTEST_SKIP() << tool << " is not installed (packaging/install-deps.sh installs it)";
    CliTest::SetUp();
    InitStore();
  }

  // /bin/sh -c `cmd` in the temp dir; fails the test on a non-zero exit unless `may_fail`.
  ProcessResult Sh(const std::string& cmd, bool may_fail = false) {
    auto r = RunProcess({"/bin/sh", "-c", "cd '" + tmp_.path().string() + "' && " + cmd});
    if (!may_fail) {
      EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    }
    return r;
  }
  // age with a terminal, `typed` typed into it (a passphrase, once or twice).
  ProcessResult WithTerminal(const std::string& cmd, const std::string& typed) {
    WriteFile(tmp_ / "typed", typed);
    return Sh("script -qec \"" + cmd + "\" /dev/null < typed > script.log 2>&1", true);
  }

  std::string MakeCase() {
    auto c = Cli({"case", "new", "--type", "MAPF", "--subject", "K.L.", "--area", "Bristol", "--lead-agency", "Police"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    const std::string id = c.out.substr(0, c.out.find('\n'));
    docs_["review.pdf"] = std::string(150000, 'r') + "\x01\x02\xff";
    docs_["summary.txt"] = "case summary\n";
    for (const auto& [name, bytes] : docs_) {
      WriteFile(tmp_ / name, bytes);
      auto a = Cli({"doc", "add", id, (tmp_ / name).string(), "--type", "case-summary", "--from", "Police"});
      EXPECT_EQ(a.exit_code, 0) << a.err;
    }
    return id;
  }

  std::string Identity() {
    auto r = Cli({"identity"});
    return r.out.substr(0, r.out.find('\n'));
  }

  // What `tar x` produced under `dir`: path -> bytes, regular files only.
  static std::map<std::string, std::string> Tree(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = ReadFile(e.path());
    return out;
  }

  std::string State() {
    auto s = Cli({"status", "--json"});
    std::string state = json::parse(s.out)["counts"].dump();
    std::vector<std::string> names;
    if (fs::exists(fs::path(store_) / "blobs"))
      for (const auto& e : fs::directory_iterator(fs::path(store_) / "blobs")) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) state += " " + n;
    return state;
  }

  // Every document of `case_id` in our store, exported: original name -> bytes.
  std::map<std::string, std::string> Exported(const std::string& case_id) {
    auto list = Cli({"doc", "list", case_id, "--json"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::map<std::string, std::string> out;
    for (const auto& d : json::parse(list.out)) {
      const fs::path f = tmp_ / ("exported-" + d["id"].get<std::string>());
      EXPECT_EQ(Cli({"doc", "export", case_id, d["id"], "-o", f.string(), "--force"}).exit_code, 0);
      out[d["original_name"]] = ReadFile(f);
    }
    return out;
  }

  // Checks an extracted pack: manifest.json lists each document with the right hash, the bytes match.
  void CheckExtracted(const fs::path& dir) {
    const json m = json::parse(ReadFile(dir / "manifest.json"));
    EXPECT_EQ(m["format"], "casepack-pack");
    EXPECT_EQ(m["version"], 1);
    ASSERT_EQ(m["documents"].size(), docs_.size());
    for (const auto& d : m["documents"]) {
      const std::string name = d["document"]["original_name"];
      const std::string bytes = ReadFile(dir / d["path"].get<std::string>());
      EXPECT_EQ(bytes, docs_[name]) << name;
      EXPECT_EQ(Sha256Hex(bytes), d["document"]["sha256"]) << name;
    }
  }

  std::map<std::string, std::string> docs_;
};

TEST_F(PackInterop, CasepackPackOpensWithAgeAndTar) {
  const std::string id = MakeCase();
  Sh("age-keygen -o agency.key 2>/dev/null");
  const std::string recipient = Sh("age-keygen -y agency.key").out.substr(0, 62);
  ASSERT_EQ(Cli({"pack", "seal", id, "-o", (tmp_ / "pack.age").string(), "--from", "Bristol BU", "--to", recipient,
                 "--notes", "--report", "html"}).exit_code, 0);
  // manifest.json is the first entry, so `tar t | head -1` (and a streaming importer) sees it first.
  EXPECT_EQ(Sh("age -d -i agency.key pack.age | tar tf - | head -1").out, "manifest.json\n");
  Sh("mkdir out && age -d -i agency.key pack.age | tar xf - -C out");
  CheckExtracted(tmp_ / "out");
  EXPECT_TRUE(fs::exists(tmp_ / "out" / "notes.md"));
  EXPECT_TRUE(fs::exists(tmp_ / "out" / "report.html"));

  // Armored, as pasted into an email: age detects the armor itself.
  ASSERT_EQ(Cli({"pack", "seal", id, "-o", (tmp_ / "armored.age").string(), "--from", "Bristol BU", "--to", recipient,
                 "--armor"}).exit_code, 0);
  Sh("mkdir out2 && age -d -i agency.key armored.age | tar xf - -C out2");
  CheckExtracted(tmp_ / "out2");
}

TEST_F(PackInterop, PackMadeWithTarAndAgeImports) {
  const std::string id = MakeCase();
  // The agency sends back a pack for the case: the documents it holds plus one of its own, a manifest
  // written by hand, GNU tar (its directory entry included) and `age -r`, plain and armored.
  const std::string extra = "the agency's own report\n";
  json m = {{"format", "casepack-pack"}, {"version", 1}, {"created_at", "2026-04-01T09:00:00Z"},
            {"sending_agency", "Bristol Police"}, {"case", ToJson(SampleCase(id))}, {"retention", nullptr},
            {"documents", json::array()}};
  m["case"]["event_type"] = "MAPF";
  m["case"]["lead_agency"] = "Police";
  m["case"]["key_dates"] = json::object();
  m["case"]["subject"] = {{"name_or_initials", "K.L."}, {"area", "Bristol"}};
  fs::create_directories(tmp_ / "back" / "documents");
  docs_["police-report.pdf"] = extra;
  int n = 0;
  for (const auto& [name, bytes] : docs_) {
    DocumentMeta meta = SampleDocument("a" + std::to_string(++n), name, bytes);
    const std::string path = "documents/" + meta.id + "-" + name;
    WriteFile(tmp_ / "back" / path, bytes);
    m["documents"].push_back({{"path", path}, {"document", ToJson(meta)}});
  }
  WriteFile(tmp_ / "back" / "manifest.json", m.dump(2));
  Sh("cd back && tar cf - manifest.json documents | age -r " + Identity() + " > ../back.age");
  Sh("cd back && tar cf - manifest.json documents | age -a -r " + Identity() + " > ../back-armored.age");

  auto open = Cli({"pack", "open", (tmp_ / "back.age").string()});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_NE(open.out.find("existing case"), std::string::npos) << open.out;
  EXPECT_NE(open.out.find("1 document(s) imported"), std::string::npos) << open.out;
  EXPECT_EQ(Exported(id), docs_);

  // Into a fresh store: a new case with all three.
  store_ = (tmp_ / "fresh").string();
  InitStore();
  Sh("cd back && tar cf - manifest.json documents | age -r " + Identity() + " > ../fresh.age");
  auto fresh = Cli({"pack", "open", (tmp_ / "fresh.age").string()});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_NE(fresh.out.find("new case"), std::string::npos) << fresh.out;
  EXPECT_EQ(Exported(id), docs_);
  auto armored = Cli({"pack", "open", (tmp_ / "back-armored.age").string()});  // not for this store's key
  EXPECT_EQ(armored.exit_code, 1);
  EXPECT_NE(armored.err.find("no identity matched"), std::string::npos) << armored.err;
}

TEST_F(PackInterop, ArmoredPackMadeWithAgeImports) {
  const std::string doc = "armored document\n";
  auto meta = SampleDocument("x1", "note.txt", doc);
  json m = SampleManifest(SampleCase(), {{"documents/x1-note.txt", meta}});
  fs::create_directories(tmp_ / "a" / "documents");
  WriteFile(tmp_ / "a" / "manifest.json", m.dump());
  WriteFile(tmp_ / "a" / "documents" / "x1-note.txt", doc);
  Sh("cd a && tar cf - manifest.json documents | age -a -r " + Identity() + " > ../a.age");
  EXPECT_EQ(ReadFile(tmp_ / "a.age").rfind("-----BEGIN AGE ENCRYPTED FILE-----", 0), 0u);
  auto open = Cli({"pack", "open", (tmp_ / "a.age").string()});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(Exported(SampleCase().id)["note.txt"], doc);
}

TEST_F(PackInterop, PasswordPackDecryptsWithAge) {
  const std::string id = MakeCase();
  const std::string pw = "zq7k2-mxw4p-hh3ta-9rnbc-e5dfv";
  WriteFile(tmp_ / "pw", pw + "\n");
  ASSERT_EQ(Cli({"pack", "seal", id, "-o", (tmp_ / "pw.age").string(), "--from", "Bristol BU", "--password-file",
                 (tmp_ / "pw").string(), "--work-factor", "12"}).exit_code, 0);
  auto r = WithTerminal("age -d -o out.tar pw.age", pw + "\n");
  ASSERT_EQ(r.exit_code, 0) << ReadFile(tmp_ / "script.log");
  Sh("mkdir out && tar xf out.tar -C out");
  CheckExtracted(tmp_ / "out");
  auto wrong = WithTerminal("age -d -o wrong.tar pw.age", "not the password\n");
  EXPECT_NE(wrong.exit_code, 0);
}

// age -p uses its default work factor, 2^18 (about 0.7 s, 256 MiB).
TEST_F(PackInterop, PasswordPackMadeWithAgeImports) {
  SamplePack p;
  WriteFile(tmp_ / "plain.tar", p.Plaintext());
  const std::string pw = "hq3nd-7wkcm-pt9xr-ab4ef-ghj2k";
  auto r = WithTerminal("age -p -o pw.age plain.tar", pw + "\n" + pw + "\n");
  ASSERT_EQ(r.exit_code, 0) << ReadFile(tmp_ / "script.log");
  auto inspect = Cli({"pack", "inspect", (tmp_ / "pw.age").string()});
  EXPECT_NE(inspect.out.find("work factor 2^18"), std::string::npos) << inspect.out;
  WriteFile(tmp_ / "pw", pw + "\n");
  auto open = Cli({"pack", "open", (tmp_ / "pw.age").string(), "--password-file", (tmp_ / "pw").string()});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  auto got = Exported(p.c.id);
  EXPECT_EQ(got["minutes.pdf"], p.doc1);
  EXPECT_EQ(got["plan.txt"], p.doc2);
}

// Hostile archives made with python3's tarfile (not our own tar writer) and encrypted with `age -r`.
TEST_F(PackInterop, HostileTarfileArchivesAreRefused) {
  SamplePack p;
  fs::create_directories(tmp_ / "h" / "documents");
  WriteFile(tmp_ / "h" / "manifest.json", p.Manifest().dump());
  WriteFile(tmp_ / "h" / "d1", p.doc1);
  WriteFile(tmp_ / "h" / "d2", p.doc2);
  WriteFile(tmp_ / "make.py", R"PY(
import sys, tarfile, io
kind, out = sys.argv[1], sys.argv[2]
def add(t, name, path=None, **kw):
    info = tarfile.TarInfo(name)
    for k, v in kw.items(): setattr(info, k, v)
    if path:
        data = open(path, "rb").read(); info.size = len(data); t.addfile(info, io.BytesIO(data))
    else:
        t.addfile(info)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "manifest.json", "h/manifest.json")
    add(t, "documents/d1-minutes.pdf", "h/d1")
    if kind == "symlink":  add(t, "documents/d2-plan.txt", type=tarfile.SYMTYPE, linkname="/etc/passwd")
    elif kind == "hardlink": add(t, "documents/d2-plan.txt", type=tarfile.LNKTYPE, linkname="documents/d1-minutes.pdf")
    elif kind == "absolute": add(t, "/tmp/casepack-evil", "h/d2")
    elif kind == "dotdot":   add(t, "documents/../../d2-plan.txt", "h/d2")
    elif kind == "device":   add(t, "documents/d2-plan.txt", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
    elif kind == "valid":    add(t, "documents/d2-plan.txt", "h/d2")
)PY");
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"symlink", "is a symbolic link"}, {"hardlink", "is a hard link"}, {"absolute", "has an absolute path"},
      {"dotdot", "climbs out of the archive"}, {"device", "is a device"}};
  for (const auto& [kind, message] : kinds) {
    SCOPED_TRACE(kind);
    Sh("python3 make.py " + kind + " " + kind + ".tar");
    Sh("age -r " + Identity() + " -o " + kind + ".age " + kind + ".tar");
    const std::string before = State();
    auto r = Cli({"pack", "open", (tmp_ / (kind + ".age")).string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(State(), before);
  }
  EXPECT_FALSE(fs::exists("/tmp/casepack-evil"));
  Sh("python3 make.py valid valid.tar && age -r " + Identity() + " -o valid.age valid.tar");
  auto ok = Cli({"pack", "open", (tmp_ / "valid.age").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// UTF-8 document names both ways: our pack unpacked by GNU tar (in the C locale) gives the name's bytes;
// a pack written by GNU tar and by python's tarfile (pax) with such names imports.
TEST_F(PackInterop, NonAsciiNamesBothWays) {
  auto c = Cli({"case", "new", "--type", "MAS", "--subject", "Zoë", "--area", "Ynys Môn"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string id = c.out.substr(0, c.out.find('\n'));
  const std::string name = "Cofnodion–cyfarfod ø 会议.pdf";
  WriteFile(tmp_ / "doc", "cynnwys\n");
  ASSERT_EQ(Cli({"doc", "add", id, (tmp_ / "doc").string(), "--type", "other", "--from", "Heddlu", "--name", name}).exit_code, 0);
  Sh("age-keygen -o agency.key 2>/dev/null");
  const std::string recipient = Sh("age-keygen -y agency.key").out.substr(0, 62);
  ASSERT_EQ(Cli({"pack", "seal", id, "-o", (tmp_ / "u.age").string(), "--from", "BU", "--to", recipient}).exit_code, 0);
  Sh("mkdir out && age -d -i agency.key u.age | LC_ALL=C tar xf - -C out");
  bool found = false;
  for (const auto& e : fs::directory_iterator(tmp_ / "out" / "documents"))
    found = found || e.path().filename().string().find(name) != std::string::npos;
  EXPECT_TRUE(found);

  SamplePack p;
  p.m2 = SampleDocument("d2", "plan–ø 会议.txt", p.doc2);
  p.p2 = "documents/d2-plan–ø 会议.txt";
  fs::create_directories(tmp_ / "a" / "documents");
  WriteFile(tmp_ / "a" / "manifest.json", p.Manifest().dump());
  WriteFile(tmp_ / "a" / p.p1, p.doc1);
  WriteFile(tmp_ / "a" / p.p2, p.doc2);
  Sh("cd a && LC_ALL=C tar cf - manifest.json documents | age -r " + Identity() + " > ../gnu.age");
  Sh("cd a && python3 -c 'import tarfile,sys; t=tarfile.open(\"../pax.tar\",\"w\",format=tarfile.PAX_FORMAT); "
     "[t.add(n) for n in [\"manifest.json\",\"documents\"]]; t.close()' && age -r " + Identity() + " -o ../pax.age ../pax.tar");
  for (const char* pack : {"gnu.age", "pax.age"}) {
    SCOPED_TRACE(pack);
    auto r = Cli({"pack", "open", (tmp_ / pack).string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Exported(p.c.id)["plan–ø 会议.txt"], p.doc2);
  }
}

}  // namespace
}  // namespace casepack::testing
