// Fuzzes the strict JSON forms of the domain (what arrives in transfer-pack manifests and, through sync,
// retention policies) and the bank-holiday parser. Nothing may crash; whatever parses must survive a
// round trip: ToJson(FromJson(x)) parses again to the same JSON.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "casepack/dates.h"
#include "casepack/domain.h"
#include "casepack/report.h"
#include "casepack/retention_policy.h"

namespace {

template <typename T>
void RoundTrip(const nlohmann::json& j) {
  auto parsed = casepack::FromJson<T>(j);
  if (!parsed.ok()) return;
  const nlohmann::json again = casepack::ToJson(*parsed);
  auto reparsed = casepack::FromJson<T>(again);
  if (!reparsed.ok() || casepack::ToJson(*reparsed) != again) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)casepack::WorkingDayCalendar::Parse(text);
  (void)casepack::ParseDateTime(text);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  RoundTrip<casepack::Case>(j);
  RoundTrip<casepack::DocumentMeta>(j);
  RoundTrip<casepack::Attendance>(j);
  RoundTrip<casepack::Action>(j);
  RoundTrip<casepack::ChronologyEntry>(j);
  RoundTrip<casepack::ParticipantFeedback>(j);
  RoundTrip<casepack::ReportInput>(j);
  RoundTrip<casepack::RetentionPolicy>(j);
  (void)casepack::RetentionPoliciesFromJson(j);
  return 0;
}
