// Operations: every change to a case is one Operation, and batches of them travel between replicas in the
// compact binary form documented in docs/operation-format.md (vectors in tests/vectors/ops/).
//
// The library knows nothing of the domain. A change names a Target (an object id and a field name chosen
// by the caller, e.g. {"action/7", "owner"}) and one of five payload kinds: a register write, a collection
// add or remove, a text insert run or a text delete run. Encryption and signing happen outside this library.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/hlc.h"
#include "casepack/result.h"

namespace casepack {

// A replica is one copy of one case on one device (one install). It picks a random 64-bit id when it is
// created and must never reuse it after a restore from backup: two replicas with the same id and
// overlapping counters would make operation ids collide.
using ReplicaId = std::uint64_t;

// Globally unique operation id. Counters are per (replica, case), start at 1 and are dense: an operation
// spanning n units (a text insert of n code points, a delete of n code points; 1 for everything else)
// owns counters [counter, counter + n). Density is what lets a version vector describe a set of operations.
struct OpId {
  ReplicaId replica = 0;
  std::uint64_t counter = 0;  // 0 = "none" (used for absent text origins)
  bool none() const { return counter == 0; }
  auto operator<=>(const OpId&) const = default;
};

// For each replica, the highest counter such that every operation up to it has been applied.
class VersionVector {
 public:
  std::uint64_t Get(ReplicaId r) const {
    auto it = v_.find(r);
    return it == v_.end() ? 0 : it->second;
  }
  void Set(ReplicaId r, std::uint64_t counter) { v_[r] = counter; }
  bool Contains(OpId id) const { return !id.none() && id.counter <= Get(id.replica); }
  // True when every operation in `other` is also in this one.
  bool Includes(const VersionVector& other) const;
  // Element-wise minimum: the operations both have (for a common base or a cut every member passed).
  static VersionVector Min(const VersionVector& a, const VersionVector& b);
  const std::map<ReplicaId, std::uint64_t>& entries() const { return v_; }
  bool operator==(const VersionVector&) const = default;

 private:
  friend class Replica;  // keeps a pointer to its own entry (map nodes are stable) for fast local edits
  std::map<ReplicaId, std::uint64_t> v_;
};

// What a change applies to. Register, collection and text state live in separate namespaces, so a
// register and a text may share a target without clashing.
struct Target {
  std::string object;  // caller's object id, e.g. "action/3f2a"
  std::string field;   // caller's field name, e.g. "owner"; may be empty
  auto operator<=>(const Target&) const = default;
};

enum class OpKind : std::uint8_t {
  kRegisterSet = 1,       // value; refs = the values it supersedes; keep_conflicts
  kCollectionAdd = 2,     // key (+ value); the operation id is the add tag
  kCollectionRemove = 3,  // key; refs = the add tags it observed (only those are removed)
  kTextInsert = 4,        // text (UTF-8) or, for a run already deleted, tombstone_len; origins
  kTextDelete = 5,        // ranges of inserted code points, by id
};

// A contiguous range of text code points by id: counters [start.counter, start.counter + length).
struct IdRange {
  OpId start;
  std::uint64_t length = 0;
  bool operator==(const IdRange&) const = default;
};

struct Operation {
  OpId id;
  HlcTimestamp clock;
  std::string author;  // user or device id, opaque to this library
  std::string case_id;
  Target target;
  OpKind kind = OpKind::kRegisterSet;

  // kRegisterSet / kCollectionAdd
  std::string value;
  bool keep_conflicts = false;  // kRegisterSet: concurrent values stay visible as a conflict
  // kCollectionAdd / kCollectionRemove
  std::string key;
  // kRegisterSet / kCollectionRemove
  std::vector<OpId> refs;
  // kTextInsert: the code point left of the first inserted one when it was typed, and the one right of
  // the run (both may be none = start / end of the text). Later code points of the run have the previous
  // one as left origin, so a run integrates exactly like the same code points typed one by one.
  OpId origin_left;
  OpId origin_right;
  std::string text;                 // UTF-8; empty when tombstone_len > 0
  std::uint64_t tombstone_len = 0;  // a run whose content was deleted and dropped (no text kept)
  // kTextDelete: the code points it deletes. The operation spans their total length in counters.
  std::vector<IdRange> ranges;

  // Counters this operation owns: [id.counter, id.counter + Span()).
  std::uint64_t Span() const;
  bool operator==(const Operation&) const = default;
};

// Number of Unicode code points in valid UTF-8, or an error (kInvalidArgument) for invalid UTF-8
// (overlong forms, surrogates and values above U+10FFFF are invalid).
Result<std::uint64_t> Utf8Length(std::string_view utf8);

// The part of `op` that owns counters [from, to), REQUIRES: id.counter <= from < to <= id.counter + Span()
// and op valid. It integrates exactly as those counters of op do: a text run's part starts with the
// previous code point of the run as its left origin, a delete's part deletes the matching share of its
// ranges. (For comparing two stores' copies of one replica's operations however each cut its runs.)
Operation OperationPart(const Operation& op, std::uint64_t from, std::uint64_t to);

// Batch format versions (docs/operation-format.md). Version 1 writes every field of every operation;
// version 2 leaves out what the previous operation predicts (the next id, the same author and target, a
// run's left origin, a shared right origin) and writes other counters as differences from the op's own:
// the automerge-paper history takes 216 KB instead of 418 KB. kAuto: version 1 for a batch of at most one
// operation (what the client stores and sends per operation, readable by every release), version 2 for more.
enum class BatchVersion : std::uint8_t { kAuto = 0, kV1 = 1, kV2 = 2 };

// Encodes a batch of operations of one case. The encoding is canonical within a version: the same
// operations in the same order give the same bytes. REQUIRES: all ops have the same case_id, every op is
// well formed (Validate).
Bytes EncodeOperations(std::span<const Operation> ops, BatchVersion version = BatchVersion::kAuto);
// Decodes a batch of either version. kCorrupt for truncated, trailing or malformed bytes, kUnsupported for
// an unknown version, and kCorrupt for any non-canonical form (decoders reject them, so that one batch has
// one encoding in its version: EncodeOperations(ops, version read) gives the input back).
Result<std::vector<Operation>> DecodeOperations(std::span<const std::uint8_t> bytes);
// The version byte of an encoded batch (to re-encode it in its own version), 0 if it is not a batch.
std::uint8_t OperationBatchVersion(std::span<const std::uint8_t> bytes);

// Structural checks that do not need replica state: counters in range, payload fields matching the kind,
// valid UTF-8, sizes within limits. kInvalidArgument with a message naming the problem.
Status Validate(const Operation& op);

}  // namespace casepack
