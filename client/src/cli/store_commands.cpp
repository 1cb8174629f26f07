// casepack init | status | passwd
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "casepack/migrations.h"
#include "cli.h"

namespace casepack::cli {

namespace {

KdfParams KdfFor(bool insecure_test_kdf) {
  return insecure_test_kdf ? KdfParams::CheapForTests() : KdfParams::Default();
}

void Init(Context& ctx, bool insecure_test_kdf, const std::string& name) {
  const auto dir = ctx.StorePath();
  if (name.size() > 80 || name.find_first_of("\n\r\t") != std::string::npos)
    Fail(ErrorCode::kInvalidArgument, "--name: at most 80 characters on one line");
  SecretBytes pass = ReadPassphrase(ctx.passphrase_file, "new passphrase for " + dir.string() + ": ", true);
  Check(CheckPassphraseStrength(View(pass)));
  SessionOptions options;
  options.purpose = "casepack init";
  auto session = Unwrap(ClientSession::Create(dir, View(pass), Context::CommandClock(), KdfFor(insecure_test_kdf),
                                              std::move(options)));
  Store* store = &StoreOf(*session);
  if (!name.empty()) {
    // The name colleagues see beside this device's edits (conflicts, reports); not case content.
    auto st = Unwrap(store->db().Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('author', ?);"));
    st.Bind(1, name);
    Check(st.Run());
  }
  std::printf("created store %s\n", store->paths().dir.c_str());
  std::printf("store id   %s\n", store->id().c_str());
  std::printf("keep the passphrase safe: without it the store cannot be opened by anyone\n");
}

void Status(Context& ctx) {
  auto session = ctx.OpenSession("casepack status");
  Store* store = &StoreOf(*session);
  const StoreCounts counts = Unwrap(store->Counts());
  const auto& pub = store->identity().public_keys();
  if (ctx.json) {
    nlohmann::json j = {
        {"store", store->paths().dir.string()},
        {"format_version", store->header().format_version},
        {"schema_version", store->schema_version()},
        {"store_id", store->id()},
        {"identity", {{"x25519", HexEncode(pub.x25519)}, {"ed25519", HexEncode(pub.ed25519)}}},
        {"counts", {{"cases", counts.cases}, {"documents", counts.documents}, {"operations", counts.operations}}},
    };
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::printf("store       %s\n", store->paths().dir.c_str());
  std::printf("format      %d (schema %d)\n", store->header().format_version, store->schema_version());
  std::printf("store id    %s\n", store->id().c_str());
  std::printf("x25519      %s\n", HexEncode(pub.x25519).c_str());
  std::printf("ed25519     %s\n", HexEncode(pub.ed25519).c_str());
  std::printf("cases       %lld\n", static_cast<long long>(counts.cases));
  std::printf("documents   %lld\n", static_cast<long long>(counts.documents));
  std::printf("operations  %lld\n", static_cast<long long>(counts.operations));
}

void Passwd(Context& ctx, const std::string& new_passphrase_file, bool insecure_test_kdf) {
  auto session = ctx.OpenSession("casepack passwd");
  Store* store = &StoreOf(*session);
  SecretBytes next = ReadPassphrase(new_passphrase_file, "new passphrase: ", true);
  Check(CheckPassphraseStrength(View(next)));
  Check(store->ChangePassphrase(View(next), KdfFor(insecure_test_kdf)));
  std::printf("passphrase changed; the old passphrase no longer opens %s\n", store->paths().dir.c_str());
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, Context& ctx) {
  static bool insecure_test_kdf = false;
  static std::string new_passphrase_file;
  static std::string name;

  auto* init = app.add_subcommand("init", "create a new encrypted store");
  init->add_flag("--insecure-test-kdf", insecure_test_kdf,
                 "use libsodium's minimum key-derivation cost (tests and demonstrations only)");
  init->add_option("--name", name, "your name as colleagues see it beside your edits (default: the device id)");
  init->callback([&ctx] { Init(ctx, insecure_test_kdf, name); });

  auto* status = app.add_subcommand("status", "show the store's path, versions, id, identity keys and counts");
  status->add_flag("--json", ctx.json, "machine-readable output");
  status->callback([&ctx] { Status(ctx); });

  auto* passwd = app.add_subcommand("passwd", "change the store's passphrase (re-wraps the key; data untouched)");
  passwd->add_option("--new-passphrase-file", new_passphrase_file,
                     "read the new passphrase from the first line of FILE instead of the terminal");
  passwd->add_flag("--insecure-test-kdf", insecure_test_kdf,
                   "use libsodium's minimum key-derivation cost (tests and demonstrations only)");
  passwd->callback([&ctx] { Passwd(ctx, new_passphrase_file, insecure_test_kdf); });
}

}  // namespace casepack::cli
