// Rules both server store backends apply the same way (SQLite and PostgreSQL): the replica an operation id
// names (docs/api.md) and what makes a rekey's envelope set whole.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "casepack/result.h"
#include "casepack/wire.h"

namespace casepack::server {

// The replica an op id names, for ids in casepack's forms (docs/api.md): "RRRRRRRRRRRRRRRR-COUNTER" (one
// sealed operation) and "RRRRRRRRRRRRRRRR-FIRST-LAST" (a sealed batch, docs/sync-client.md): 16 lower-case
// hex digits, a dash, then decimal digits and dashes. Empty for any other id (those name no replica a
// member would decode, so nobody can push under someone else's). Binding is decided on this loose form, so
// that no malformed variant of a replica's id escapes it; ParseBatchOpId is the strict form.
inline std::string ReplicaOf(const std::string& op_id) {
  if (op_id.size() < 18 || op_id[16] != '-') return {};
  for (std::size_t i = 0; i < op_id.size(); ++i) {
    const char c = op_id[i];
    const bool ok = i < 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) : c == '-' || (c >= '0' && c <= '9');
    if (!ok) return {};
  }
  if (op_id[17] == '-') return {};
  return op_id.substr(0, 16);
}

using wire::BatchSpan;
using wire::ParseBatchOpId;
inline bool IsBatchOpId(const std::string& op_id) {
  return !ReplicaOf(op_id).empty() && op_id.find('-', 17) != std::string::npos;
}

// A push holding sealed batches (docs/api.md "Sealed batches"): every batch id well formed, and no two ids
// of a replica naming the same counter (a batch re-pushed within one request, or overlapping another).
// kInvalidArgument for a malformed id, kConflict for an overlap; nothing is stored then.
inline Status CheckBatchIds(const std::vector<wire::OpIn>& ops) {
  bool any = false;
  for (const auto& op : ops) any = any || IsBatchOpId(op.op_id);
  if (!any) return Ok();  // single operations only: as before batches (a repeated id is one op)
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> spans;
  for (const auto& op : ops) {
    const std::string replica = ReplicaOf(op.op_id);
    if (replica.empty()) continue;
    if (IsBatchOpId(op.op_id)) {
      auto b = ParseBatchOpId(op.op_id);
      if (!b) return MakeError(ErrorCode::kInvalidArgument, "operation batch id " + op.op_id.substr(0, 60) + " is malformed");
      spans[replica].emplace_back(b->first, b->last);
    } else {
      const std::string digits = op.op_id.substr(17);
      if (digits.size() > 10) return MakeError(ErrorCode::kInvalidArgument, "operation id " + op.op_id.substr(0, 60) + " is malformed");
      const std::uint64_t n = std::stoull(digits);
      spans[replica].emplace_back(n, n);
    }
  }
  for (auto& [replica, list] : spans) {
    std::sort(list.begin(), list.end());
    for (std::size_t i = 1; i < list.size(); ++i)
      if (list[i].first <= list[i - 1].second)
        return MakeError(ErrorCode::kConflict, "op_id already used: two operation ids of replica " + replica +
                                                   " in this push name the same counter");
  }
  return Ok();
}

// The refusal of a batch whose first counter is not after every counter stored under its replica.
inline Error BatchOverlapsStored(const std::string& op_id) {
  return MakeError(ErrorCode::kConflict, "op_id already used: operation batch " + op_id.substr(0, 60) +
                                             " overlaps operations already stored under its replica");
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
