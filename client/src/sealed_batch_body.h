// The operations inside a sealed batch (blob version 2, docs/sync-client.md "A batch on the wire"): an
// operation batch version 2 in which every register value set earlier in the same batch is written as the
// change from that earlier value. A keystroke in a note also sets its paragraph's register to the whole
// paragraph (text conflicts, docs/case-model.md), so a week of typing carried each paragraph once per
// keystroke; as changes it carries the keystroke.
#pragma once

#include <span>
#include <vector>

#include "casepack/operation.h"
#include "casepack/result.h"

namespace casepack {

// REQUIRES: well-formed operations of one case (as EncodeOperations).
Bytes EncodeSealedBatchBody(std::span<const Operation> ops);
// kCorrupt for anything EncodeSealedBatchBody would not have written.
Result<std::vector<Operation>> DecodeSealedBatchBody(std::span<const std::uint8_t> bytes);

}  // namespace casepack
