// What the case-level command groups share (case, doc, note, attend, action, chronology, feedback,
// deadlines): opening a session on one case and turning a service's error into the command's end.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "casepack/cases.h"
#include "cli.h"

namespace casepack::cli {

// The value of `r`, or the end of the command with its error (prefixed with the option that caused it).
template <typename T>
T Must(Result<T> r, std::string_view option = {}) {
  if (!r.ok()) {
    Error e = r.error();
    if (!option.empty()) e = e.Context(option);
    throw CommandFailed{e};
  }
  return std::move(r).value();
}

// An unlocked session and, when a CASE argument was given, that case's full id (the access is audited).
struct CaseSession {
  std::unique_ptr<ClientSession> session;
  CaseService* cases = nullptr;
  std::string case_id;
};
CaseSession OpenCases(Context& ctx, std::string_view purpose, const std::string& case_arg = {});

// The one item whose id starts with `prefix` (4 characters at least, as CaseService requires), or null:
// then the service call that follows reports the unknown, short or ambiguous id.
template <typename T, typename IdOf>
const T* UniqueByPrefix(const std::vector<T>& items, std::string_view prefix, IdOf id_of) {
  if (prefix.size() < 4) return nullptr;
  const T* found = nullptr;
  for (const T& item : items) {
    if (!std::string_view(id_of(item)).starts_with(prefix)) continue;
    if (found != nullptr) return nullptr;
    found = &item;
  }
  return found;
}

void PrintJson(const nlohmann::json& j);
// Each action with its owner and due date, and every conflicting value beside them.
void PrintActions(const std::vector<Action>& actions);

// `GROUP rm CASE ID`: deletes one row of `table` (id or a unique prefix of 4 characters or more), audited
// by CaseService::DeleteRow; prints "deleted <what> <id>". `what` names the row in help and output.
void AddRemove(CLI::App& group, Context& ctx, CaseTable table, std::string_view what);

void RegisterDocumentCommands(CLI::App& app, Context& ctx);
void RegisterNoteCommands(CLI::App& app, Context& ctx);
void RegisterRecordCommands(CLI::App& app, Context& ctx);
void RegisterMapmCommands(CLI::App& app, Context& ctx);
// `case show`'s MAPM part (002): time, chair, minute-taker, the family, every review (late ones flagged).
void PrintMapm(Language lang, const CaseDetail& d);
// referral, doc papers, planning (process_commands.cpp); after RegisterDocumentCommands.
void RegisterProcessCommands(CLI::App& app, Context& ctx);
// The referral, papers and planning group in `case show` (process_commands.cpp).
void PrintProcess(const CaseDetail& d, Language lang);

}  // namespace casepack::cli
