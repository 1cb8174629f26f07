// Who a transfer pack is sealed to, and writing it: shared by `pack seal` and `report send`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "casepack/age.h"
#include "casepack/packs.h"
#include "casepack/secret.h"

namespace casepack::cli {

struct PackTargets {
  std::vector<X25519Recipient> keys;
  std::optional<ScryptRecipient> scrypt;
  SecretBytes generated;  // empty unless --generate-password
};

// From --to / --to-file, or one of --password-file / --generate-password; throws CommandFailed.
PackTargets ResolvePackTargets(const std::vector<std::string>& to, const std::vector<std::string>& to_files,
                               const std::string& password_file, bool generate_password, int work_factor);
// Seals into `output` (all or nothing: a failure leaves no file); throws CommandFailed.
PackContents WritePack(PackService& packs, const std::string& case_id, const PackSealOptions& options,
                       const PackTargets& targets, const std::string& output, bool force);
// Prints a generated password once, with the warning to send it by another route.
void PrintGeneratedPassword(const PackTargets& targets);

}  // namespace casepack::cli
