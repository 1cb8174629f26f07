// Fuzz target: raw bytes → ParseRawHttpRequest → Api::Handle, twice: as sent (unauthenticated path) and
// re-signed by an enrolled member of a known case (so bodies reach the JSON handlers). Also checks the
// JSON messages round-trip: if a body parses, serialising and parsing again gives the same JSON.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "casepack/server.h"
#include "casepack/server_api.h"
#include "casepack/server_store.h"
#include "casepack/wire.h"

namespace {

using namespace casepack;
using namespace casepack::server;

constexpr const char* kCaseId = "00112233445566778899aabbccddeeff";

struct World {
  std::string dir;
  std::unique_ptr<ServerStore> store;
  Metrics metrics;
  std::unique_ptr<Api> api;
  std::unique_ptr<Identity> identity;
  std::string device_id;

  World() {
    InitCrypto();
    char tmpl[] = "/tmp/casepack-fuzz-server-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    dir = tmpl;
    store = OpenSqliteStore(dir + "/fuzz.db").value();
    api = std::make_unique<Api>(*store, metrics);
    identity = std::make_unique<Identity>(Identity::Generate().value());
    const Bytes h = InvitationCodeHash("fuzz");
    if (!store->CreateInvitation(h, "business-unit", INT64_MAX, "admin").ok()) std::abort();
    const auto& pub = identity->public_keys();
    auto p = store->Enroll(h, 0, Bytes(pub.x25519.begin(), pub.x25519.end()),
                           Bytes(pub.ed25519.begin(), pub.ed25519.end()));
    if (!p.ok()) std::abort();
    device_id = p->device_id;
    if (!store->CreateCase(kCaseId, p->user_id, Bytes{1}, 0).ok()) std::abort();
  }
  ~World() {
    api.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

template <typename T, typename Parse>
void RoundTrip(const std::string& body, Parse parse) {
  auto a = parse(body);
  if (!a.ok()) return;
  const std::string once = wire::ToJson(*a);
  auto b = parse(once);
  if (!b.ok() || wire::ToJson(*b) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto req = ParseRawHttpRequest(raw);
  if (!req.ok()) return 0;

  RequestLog log;
  HttpResponse r = world.api->Handle(*req, &log);
  if (r.status < 100 || r.status > 599) std::abort();

  HttpRequest signed_req = *req;
  signed_req.headers.clear();
  auto h = wire::SignRequest(*world.identity, signed_req.method, signed_req.target, world.api->NowMs(),
                             AsBytes(signed_req.body));
  signed_req.headers = {{"x-casepack-device", world.device_id},
                        {"x-casepack-time", h.time},
                        {"x-casepack-nonce", h.nonce},
                        {"x-casepack-signature", h.signature}};
  RequestLog log2;
  r = world.api->Handle(signed_req, &log2);
  if (r.status < 100 || r.status > 599) std::abort();
  // A signed request is never refused as unauthenticated (enrolment is signed by the key in its body).
  if (r.status == 401 && PathOf(signed_req.target) != "/v1/enroll") std::abort();

  const std::string& body = req->body;
  RoundTrip<wire::EnrollRequest>(body, wire::ParseEnrollRequest);
  RoundTrip<wire::CreateCaseRequest>(body, wire::ParseCreateCaseRequest);
  RoundTrip<wire::AddMemberRequest>(body, wire::ParseAddMemberRequest);
  RoundTrip<wire::InvitationRequest>(body, wire::ParseInvitationRequest);
  RoundTrip<wire::OpsPage>(body, wire::ParseOpsPage);
  // Differential: the fast page parser agrees with the nlohmann reference on every input.
  auto fast = wire::ParseOpsPage(body);
  auto reference = wire::detail::ParseOpsPageReference(body);
  if (fast.ok() != reference.ok()) std::abort();
  if (fast.ok() && wire::ToJson(*fast) != wire::ToJson(*reference)) std::abort();
  Bytes sig, sig2;
  auto ops = wire::ParseOpsPush(body, &sig);
  if (ops.ok()) {
    auto again = wire::ParseOpsPush(wire::OpsPushToJson(*ops, sig), &sig2);
    if (!again.ok() || sig2 != sig || wire::OpsPushToJson(*again, sig2) != wire::OpsPushToJson(*ops, sig)) std::abort();
  }
  RoundTrip<wire::OpSignaturesRequest>(body, wire::ParseOpSignatures);
  // A batch manifest (the bytes as they come): parsing never crashes, and what parses is for this case.
  (void)wire::ParseOpBatchManifest(AsBytes(body), "0123456789abcdef0123456789abcdef");
  return 0;
}
