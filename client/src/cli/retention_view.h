// What the case commands show and record for retention and audit, kept beside the retention commands so
// that case_commands.cpp needs only one call per place: purge dates and holds in `case show`,
// `case list` and `deadlines`, and audit entries for opens, exports and reports.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "casepack/audit.h"
#include "casepack/retention.h"
#include "cli.h"

namespace casepack::cli {

// Appends an audit entry; throws CommandFailed if it cannot be written (an unaudited read must not happen).
void AuditEvent(ClientSession& session, AuditKind kind, std::string_view case_id, std::string_view detail);

// `case show`: prints "purge date …" and any legal hold; with `json`, adds "retention" to it instead.
void ShowCaseRetention(ClientSession& session, std::string_view case_id, nlohmann::json* json);
// `case list`: the tombstones, "purged on …" with the basics only; with `json`, appended to it. Returns
// how many there are.
std::size_t ShowTombstones(ClientSession& session, nlohmann::json* json);
// `deadlines`: each case's retention, by case id.
std::map<std::string, CaseRetention> RetentionByCase(ClientSession& session, const Date& today);

}  // namespace casepack::cli
