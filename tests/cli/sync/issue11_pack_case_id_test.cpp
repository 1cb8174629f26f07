// Issue 11, item 9, end to end (real casepack, real casepackd over TLS): packs whose case id the server
// refuses ("..", "a1", 32 x "Z", the 8-character prefix of an existing id) were imported, and afterwards
// every `casepack sync` exited 1 with "malformed id in field case_id". Now each is refused in one line,
// nothing is imported, and sync goes on working.
#include "casepack/age.h"
#include "cli/sync/sync_support.h"
#include "support/pack_builder.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class Issue11PackIds : public SyncTest {};

TEST_F(Issue11PackIds, PackCaseIdsTheServerRefusesAreNotImportedAndSyncKeepsWorking) {
  Laptop bu = EnrolBusinessUnit("bea");
  const std::string existing = NewCase(bu, "Existing");
  ASSERT_EQ(existing.size(), 32u);
  Sync(bu);
  auto recipient = X25519Recipient::Parse(Trim(bu.Ok({"identity"})));
  ASSERT_TRUE(recipient.ok());
  const std::string before = bu.Ok({"case", "list", "--json"});
  for (const std::string& id : {std::string(".."), std::string("a1"), std::string(32, 'Z'), existing.substr(0, 8)}) {
    SamplePack p;
    json m = p.Manifest();
    m["case"]["id"] = id;
    const std::string plaintext = Tar(p.Entries(m));
    const AgeRecipient* rs[] = {&*recipient};
    AgeMemorySource src(AsBytes(plaintext));
    AgeMemorySink sink;
    ASSERT_TRUE(AgeEncrypt(src, sink, rs).ok());
    const auto file = root() / "bad.age";
    WriteFile(file, std::string(AsText(sink.bytes())));
    auto r = bu.Run({"pack", "open", file.string()});
    EXPECT_EQ(r.exit_code, 1) << id << ": " << r.out << r.err;
    EXPECT_EQ(r.err.rfind("casepack: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("the pack's case id is not a casepack case id"), std::string::npos) << r.err;
    EXPECT_EQ(bu.Ok({"case", "list", "--json"}), before) << id;
  }
  // The short id still names one case, and sync still works.
  EXPECT_NE(bu.Ok({"case", "show", existing.substr(0, 8)}).find("Existing"), std::string::npos);
  auto s = bu.Run({"sync"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
}

}  // namespace
}  // namespace casepack::testing
