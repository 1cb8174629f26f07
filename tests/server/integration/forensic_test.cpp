// The server never holds readable case content nor keys: plant a known plaintext, push only its
// ciphertext (as the client does), then search every file of the data directory (database, WAL, shm,
// port file, TLS files) and the server's log for the plaintext and the key bytes, in raw, hex and base64;
// on PostgreSQL, pg_dump's output of the whole database and the cluster's log as well (issue 17).
#include <gtest/gtest.h>

#include "casepack/aead.h"
#include "casepack/identity.h"
#include "harness.h"

namespace casepack::testing {
namespace {

struct Needle {
  std::string what;
  std::string bytes;
};

std::vector<Needle> Encodings(const std::string& what, const Bytes& b) {
  return {{what + " (raw)", std::string(b.begin(), b.end())},
          {what + " (hex)", HexEncode(b)},
          {what + " (base64)", Base64Encode(b)}};
}

// Every regular file under the data dir plus the log; on PostgreSQL also the whole database as pg_dump
// writes it (bytea as hex, which the needles' hex encodings cover) and the cluster's own log.
std::vector<std::pair<std::string, std::string>> Haystacks(const std::filesystem::path& data,
                                                           const std::filesystem::path& log, const TestDatabase& db) {
  std::vector<std::pair<std::string, std::string>> out;
  if (db.backend() == Backend::kPostgres) {
    out.emplace_back("pg_dump", db.PgDump());
    std::string why;
    out.emplace_back("PostgreSQL's log", ReadFile(PgTestDir(&why) + "/log"));
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(data)) {
    if (e.is_regular_file()) out.emplace_back(e.path().string(), ReadFile(e.path()));
  }
  out.emplace_back(log.string(), ReadFile(log));
  return out;
}

class ForensicTest : public ServerFixture {};
INSTANTIATE_SERVER_TESTS(ForensicTest);

TEST_P(ForensicTest, NoPlaintextNorKeysInDataDirOrLogs) {
  TestUser alice = NewUser("facilitator");
  TestUser bob = NewUser("facilitator");
  const std::string plaintext = "CANARY child-record " + RandomId() + " lives at 12 Example Street";
  const std::string doc_text = "CANARY-DOC " + RandomId();
  auto case_key = SecretBytes::Random(kAeadKeyBytes).value();
  const std::string case_id = RandomId();
  const Bytes aad(case_id.begin(), case_id.end());

  // The client encrypts before pushing; the server gets ciphertext and sealed envelopes only.
  const Bytes op_ct = AeadSeal(case_key, AsBytes(plaintext), aad);
  const Bytes doc_ct = AeadSeal(case_key, AsBytes(doc_text), aad);
  std::array<std::uint8_t, kX25519PublicBytes> alice_pub{}, bob_pub{};
  std::copy_n(alice.x25519().begin(), kX25519PublicBytes, alice_pub.begin());
  std::copy_n(bob.x25519().begin(), kX25519PublicBytes, bob_pub.begin());
  ASSERT_TRUE(alice->CreateCase(case_id, SealToPublicKey(alice_pub, case_key)).ok());
  ASSERT_TRUE(alice->AddMember(case_id, bob.principal.user_id,
                               {{bob.principal.user_id, 1, SealToPublicKey(bob_pub, case_key)}}).ok());
  ASSERT_TRUE(alice->PushOps(case_id, {{"op-1", 1, op_ct}}).ok());
  ASSERT_TRUE(alice->PutBlob(case_id, "doc-1", doc_ct).ok());

  // Bob gets everything back and can read it: the test is about the server, not a broken pipeline.
  std::int64_t epoch = 0;
  auto envs = bob->GetKeys(case_id, &epoch).value();
  ASSERT_EQ(envs.size(), 1u);
  auto bob_key = OpenSealed(*bob.identity, envs[0].sealed).value();
  auto page = bob->PullOps(case_id, 0).value();
  ASSERT_EQ(page.ops.size(), 1u);
  EXPECT_EQ(AsText(AeadOpen(bob_key, page.ops[0].blob, aad).value()), plaintext);
  EXPECT_EQ(AsText(AeadOpen(bob_key, bob->GetBlob(case_id, "doc-1").value(), aad).value()), doc_text);

  std::vector<Needle> needles{{"op plaintext", plaintext}, {"document plaintext", doc_text},
                              {"plaintext fragment", "Example Street"}, {"canary", "CANARY"}};
  const Bytes key_bytes(case_key.expose().begin(), case_key.expose().end());
  for (auto& n : Encodings("case key", key_bytes)) needles.push_back(n);
  for (const TestUser* u : {&alice, &bob, &bu_}) {
    const auto ed = u->identity->ed25519_secret().expose();
    const auto x = u->identity->x25519_secret().expose();
    for (auto& n : Encodings("ed25519 secret seed", Bytes(ed.begin(), ed.begin() + 32))) needles.push_back(n);
    for (auto& n : Encodings("x25519 secret", Bytes(x.begin(), x.end()))) needles.push_back(n);
  }
  needles.push_back({"first invitation code", bu_code_});

  auto search = [&](const char* when) {
    const auto hay = Haystacks(data_, log_, db_);
    std::size_t total = 0;
    for (const auto& [file, content] : hay) {
      total += content.size();
      for (const auto& n : needles) {
        EXPECT_EQ(content.find(n.bytes), std::string::npos) << n.what << " found in " << file << " (" << when << ")";
      }
    }
    return hay;
  };
  // While running (the WAL holds the fresh pages) ...
  auto hay = search("running");
  // ... and the search does look at the right bytes: the ciphertext itself is there.
  bool ct_found = false;
  for (const auto& [file, content] : hay) {
    ct_found = ct_found || content.find(AsText(op_ct)) != std::string::npos || content.find(HexEncode(op_ct)) != std::string::npos;
  }
  EXPECT_TRUE(ct_found) << "the ciphertext should be in the store; is the search looking at the right files?";
  // ... and after a clean stop (checkpointed database).
  EXPECT_EQ(server_->Stop(), 0);
  search("stopped");
}

}  // namespace
}  // namespace casepack::testing
