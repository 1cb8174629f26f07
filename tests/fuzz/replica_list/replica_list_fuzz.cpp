// Fuzzes wire::ParseReplicaList, the client's parse of GET /v1/cases/{id}/replicas (docs/api.md), which a
// store uses to learn it is behind its own replica (issue 11, item 6). Properties: never crashes; what
// parses has only 16-lower-case-hex replica ids; and it round-trips: written back and parsed again it is
// the same list, written the same way.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "casepack/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = casepack::wire::ParseReplicaList(text);
  if (!list.ok()) return 0;
  for (const auto& r : *list) {
    if (r.replica.size() != 16 || r.replica.find_first_not_of("0123456789abcdef") != std::string::npos) std::abort();
  }
  const std::string written = casepack::wire::ToJson(*list);
  auto again = casepack::wire::ParseReplicaList(written);
  if (!again.ok() || again->size() != list->size()) std::abort();
  for (std::size_t i = 0; i < list->size(); ++i)
    if ((*again)[i].replica != (*list)[i].replica || (*again)[i].last != (*list)[i].last ||
        (*again)[i].unsigned_ops != (*list)[i].unsigned_ops || (*list)[i].unsigned_ops < 0)
      std::abort();
  if (casepack::wire::ToJson(*again) != written) std::abort();
  return 0;
}
