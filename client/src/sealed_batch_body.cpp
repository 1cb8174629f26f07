#include "sealed_batch_body.h"

#include <map>
#include <string>

namespace casepack {
namespace {

constexpr std::size_t kMaxValueBytes = 16u << 20;  // as any string of an operation (operation-format.md)

void PutVarint(std::string& out, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<char>((v & 0x7F) | 0x80));
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view in, std::size_t& at, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && at < in.size(); shift += 7) {
    const auto b = static_cast<std::uint8_t>(in[at++]);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return shift == 0 || b != 0;  // minimal form only
  }
  return false;
}

// `to` as a change from `from`: varint(common prefix) varint(common suffix after it) then the bytes between
// (both as long as they can be: one form per pair).
std::string Change(std::string_view from, std::string_view to) {
  std::size_t p = 0;
  while (p < from.size() && p < to.size() && from[p] == to[p]) ++p;
  std::size_t s = 0;
  while (s < from.size() - p && s < to.size() - p && from[from.size() - 1 - s] == to[to.size() - 1 - s]) ++s;
  std::string out;
  PutVarint(out, p);
  PutVarint(out, s);
  out.append(to.substr(p, to.size() - p - s));
  return out;
}

}  // namespace

Bytes EncodeSealedBatchBody(std::span<const Operation> ops) {
  std::vector<Operation> changed(ops.begin(), ops.end());
  std::map<Target, std::string_view> last;  // the value each register was last set to in this batch
  for (std::size_t i = 0; i < changed.size(); ++i) {
    if (changed[i].kind != OpKind::kRegisterSet) continue;
    auto [it, fresh] = last.try_emplace(changed[i].target, ops[i].value);
    if (fresh) continue;
    changed[i].value = Change(it->second, ops[i].value);
    it->second = ops[i].value;
  }
  return EncodeOperations(changed, BatchVersion::kV2);
}

Result<std::vector<Operation>> DecodeSealedBatchBody(std::span<const std::uint8_t> bytes) {
  if (OperationBatchVersion(bytes) != 2) return MakeError(ErrorCode::kCorrupt, "a sealed batch is not an operation batch version 2");
  CP_ASSIGN_OR_RETURN(std::vector<Operation> ops, DecodeOperations(bytes));
  auto corrupt = [] { return MakeError(ErrorCode::kCorrupt, "a sealed batch's register change does not apply"); };
  std::map<Target, std::size_t> last;  // index of the op that last set each register
  for (std::size_t i = 0; i < ops.size(); ++i) {
    Operation& op = ops[i];
    if (op.kind != OpKind::kRegisterSet) continue;
    auto [it, fresh] = last.try_emplace(op.target, i);
    if (fresh) continue;
    const std::string& from = ops[it->second].value;
    const std::string change = std::move(op.value);
    std::size_t at = 0;
    std::uint64_t p = 0, s = 0;
    if (!GetVarint(change, at, p) || !GetVarint(change, at, s) || p > from.size() || s > from.size() - p) return corrupt();
    std::string value = from.substr(0, p);
    value.append(change, at, std::string::npos);
    value.append(from, from.size() - s, s);
    if (value.size() > kMaxValueBytes || Change(from, value) != change) return corrupt();  // one form only
    op.value = std::move(value);
    it->second = i;
  }
  return ops;
}

}  // namespace casepack
