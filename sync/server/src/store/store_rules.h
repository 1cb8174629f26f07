// Rules both server store backends apply the same way (SQLite and PostgreSQL): the replica an operation id
// names (docs/api.md) and what makes a rekey's envelope set whole.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "casepack/result.h"
#include "casepack/wire.h"

namespace casepack::server {

// The replica an op id names, for ids in casepack's form "RRRRRRRRRRRRRRRR-COUNTER" (16 lower-case hex
// digits, a dash, decimal digits; docs/api.md); empty for any other id (those name no replica a member
// would decode, so nobody can push under someone else's).
inline std::string ReplicaOf(const std::string& op_id) {
  if (op_id.size() < 18 || op_id[16] != '-') return {};
  for (std::size_t i = 0; i < op_id.size(); ++i) {
    const char c = op_id[i];
    const bool ok = i < 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) : i == 16 || (c >= '0' && c <= '9');
    if (!ok) return {};
  }
  return op_id.substr(0, 16);
}

// A rekey brings exactly one envelope for the epoch `epoch` for each user in `need` (the case's current
// members who are not revoked and have a live device), and none for anyone else.
inline Status CheckRekeySet(const std::set<std::string>& need, const std::vector<wire::Envelope>& envelopes,
                            std::int64_t epoch) {
  std::set<std::string> given;
  for (const auto& e : envelopes) {
    if (e.epoch != epoch) return MakeError(ErrorCode::kInvalidArgument, "a rekey is for the case's current epoch only");
    if (!need.count(e.user_id) || !given.insert(e.user_id).second)
      return MakeError(ErrorCode::kInvalidArgument, "one envelope for each current member, and none for anyone else");
  }
  if (given != need) return MakeError(ErrorCode::kInvalidArgument, "a rekey needs an envelope for every current member");
  return Ok();
}

}  // namespace casepack::server
