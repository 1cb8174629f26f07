// casepack case new | list | show | set | keys, and deadlines. The other groups on one case: doc
// (document_commands.cpp), note and comments (note_commands.cpp), attend, action, chronology and feedback
// (record_commands.cpp), report (report_commands.cpp).
#include <cstdio>

#include "case_cli.h"
#include "casepack/case_order.h"
#include "casepack/retention.h"
#include "casepack/text_width.h"
#include "io.h"
#include "retention_view.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct CaseOptions {
  std::string case_id, type, subject, area, lead_agency, venue, status, today, sort = "subject", report_writer;
  std::string chair, minute_taker, meeting_time, informs_family, family, minutes_to_family;
  std::vector<std::string> dates, facilitators, cleared_dates;
  bool json = false, past_purge_date = false;
};

std::map<std::string, Date, std::less<>> ParseKeyDates(EventType type, const std::vector<std::string>& items) {
  std::map<std::string, Date, std::less<>> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      Fail(ErrorCode::kInvalidArgument, "--date " + item + ": expected KEY=YYYY-MM-DD (or KEY=DD/MM/YYYY)", "e.g. --date event=2026-03-04 or --date event=04/03/2026");
    const std::string key = item.substr(0, eq);
    Must(FindKeyDate(type, key), "--date");
    out[key] = ParseDateOption(item.substr(eq + 1), "--date " + key);
  }
  return out;
}

json SummaryJson(const CaseSummary& s) {
  json dates = json::object();
  for (const auto& [k, d] : s.key_dates) dates[k] = FormatDate(d);
  return {{"id", s.id}, {"event_type", ToString(s.event_type)}, {"subject", s.subject.name_or_initials},
          {"area", s.subject.area}, {"lead_agency", s.lead_agency}, {"status", ToString(s.status)},
          {"key_dates", dates}, {"updated_at", s.updated_at}};
}

json DetailJson(const CaseDetail& d) {
  json j = ToJson(d.record);
  j["facilitators"] = d.facilitators;
  j["documents"] = json::array();
  for (const auto& doc : d.documents) j["documents"].push_back(ToJson(doc.meta));
  j["attendance"] = json::array();
  for (const auto& a : d.attendance) {
    json row = ToJson(a.attendance);
    row["id"] = a.id;
    row["status_values"] = ToJson(a.status_values);
    j["attendance"].push_back(row);
  }
  j["notes"] = ToJson(d.notes);
  j["facilitator_comments"] = d.facilitator_comments;
  j["actions"] = json::array();
  for (const auto& a : d.actions) j["actions"].push_back(ToJson(a));
  j["chronology"] = json::array();
  for (const auto& [id, e] : d.chronology) {
    json row = ToJson(e);
    row["id"] = id;
    j["chronology"].push_back(row);
  }
  j["feedback"] = json::array();
  for (const auto& [id, f] : d.feedback) j["feedback"].push_back(ToJson(f));
  j["chronology_header"] = ToJson(d.chronology_header);
  j["conflicts"] = json::array();
  for (const auto& c : d.conflicts) j["conflicts"].push_back(ToJson(c));
  if (d.record.event_type == EventType::kMapm) j["mapm"] = ToJson(d.mapm);
  j["process"] = ToJson(d.process);
  return j;
}

void PrintDetail(Language lang, const CaseDetail& d) {
  const Case& c = d.record;
  std::printf("case        %s\n", c.id.c_str());
  std::printf("type        %s (%s)\n", std::string(ToString(c.event_type)).c_str(), std::string(LongName(c.event_type)).c_str());
  std::printf("subject     %s, %s\n", c.subject.name_or_initials.c_str(), c.subject.area.c_str());
  if (!c.lead_agency.empty()) std::printf("lead agency %s\n", c.lead_agency.c_str());
  if (!c.venue.empty()) std::printf("venue       %s\n", c.venue.c_str());
  std::printf("status      %s\n", std::string(ToString(c.status)).c_str());
  if (!d.facilitators.empty()) {
    std::string f;
    for (const auto& n : d.facilitators) f += (f.empty() ? "" : ", ") + n;
    std::printf("facilitators %s\n", f.c_str());
  }
  std::printf("\nkey dates\n");
  for (const KeyDateDef& def : KeyDateDefs(c.event_type)) {
    auto v = c.KeyDate(def.key);
    std::printf("  %-24s %s\n", std::string(def.key).c_str(), v ? FormatDate(*v).c_str() : "-");
  }
  std::printf("\ndocuments (%zu)\n", d.documents.size());
  for (const auto& doc : d.documents)
    std::printf("  %s  %-22s %s  %llu bytes  received %s from %s\n", doc.meta.id.c_str(),
                std::string(ToString(doc.meta.type)).c_str(), doc.meta.original_name.c_str(),
                static_cast<unsigned long long>(doc.meta.size), FormatDate(doc.meta.received).c_str(),
                doc.meta.sending_agency.c_str());
  std::printf("\nattendance (%zu)\n", d.attendance.size());
  for (const auto& a : d.attendance) {
    std::string status = std::string(ToString(a.attendance.status));
    for (const auto* alt : a.status_values.alternatives()) status += " [CONFLICT: also " + alt->value + " by " + alt->author + "]";
    std::printf("  %s  %s%s%s: %s%s\n", a.id.c_str(), a.attendance.agency.c_str(),
                a.attendance.role.empty() ? "" : (", " + a.attendance.role).c_str(),
                a.attendance.name.empty() ? "" : (" (" + a.attendance.name + ")").c_str(), status.c_str(),
                a.attendance.reason.empty() ? "" : (" — " + a.attendance.reason).c_str());
  }
  std::printf("\nnotes\n");
  for (const NoteSectionDef& s : NoteSections(c.event_type)) {
    auto it = d.notes.find(s.key);
    std::printf("  %-28s %zu characters\n", std::string(s.key).c_str(), it == d.notes.end() ? 0 : it->second.size());
  }
  std::printf("\nactions (%zu)\n", d.actions.size());
  PrintActions(d.actions);
  std::printf("\nchronology entries %zu, feedback forms %zu\n", d.chronology.size(), d.feedback.size());
  PrintMapm(lang, d);
  PrintProcess(d, lang);
  if (!d.conflicts.empty()) {
    std::printf("\nconflicts needing a person (%zu)\n", d.conflicts.size());
    for (const auto& f : d.conflicts) {
      std::string values;
      for (const auto& cand : f.values.candidates) values += (values.empty() ? "" : " | ") + cand.value + " (" + cand.author + ")";
      std::printf("  %s, %s: %s\n", f.subject.c_str(), f.field.c_str(), values.c_str());
    }
  }
}

void AddCaseNew(CLI::App& parent, Context& ctx, CaseOptions& a) {
  auto* case_new = parent.add_subcommand("new", "create a case (prints its id)");
  case_new->add_option("--type", a.type, "event type: MAS, MAPF, MAPM, CPR (Child Practice Review) or APR (Adult Practice Review)")->required();
  case_new->add_option("--subject", a.subject, "the child's name or initials")->required();
  case_new->add_option("--area", a.area, "local authority area")->required();
  case_new->add_option("--lead-agency", a.lead_agency, "lead (MAPF), convening (MAPM) or panel-chairing (CPR, APR) agency");
  case_new->add_option("--venue", a.venue, "where the event takes place");
  case_new->add_option("--date", a.dates, "a key date, KEY=DD/MM/YYYY or KEY=YYYY-MM-DD (repeatable); see 'casepack case keys'");
  case_new->add_option("--facilitator", a.facilitators, "a facilitator's name (repeatable)");
  case_new->add_flag("--past-purge-date", a.past_purge_date,
                     "create it even if its dates put it past its purge date (the next command purges it)");
  case_new->add_flag("--json", a.json, "print the new case as JSON (as 'case show --json') instead of its id");
  case_new->callback([&ctx, &a] {
    NewCase c;
    c.event_type = Must(ParseEventType(a.type), "--type");
    c.subject = {a.subject, a.area};
    c.lead_agency = a.lead_agency;
    c.venue = a.venue;
    c.key_dates = ParseKeyDates(c.event_type, a.dates);
    c.facilitators = a.facilitators;
    auto s = OpenCases(ctx, "casepack case new");
    Case dated;
    dated.event_type = c.event_type;
    dated.key_dates = c.key_dates;
    Check(CheckNotPastPurgeDate(StoreOf(*s.session), dated, a.past_purge_date));
    const std::string id = Must(s.cases->CreateCase(c));
    if (a.json) PrintJson(DetailJson(Must(s.cases->GetCase(id))));
    else std::printf("%s\n", id.c_str());
  });
}

// One row of `case list`: columns counted in characters, long values cut with "…" (casepack/text_width.h).
void PrintCaseRow(const CaseSummary& c, const std::optional<Date>& next) {
  std::string row = c.id.substr(0, 8) + "  " + FitColumn(ToString(c.event_type), 4) + "  " + FitColumn(ToString(c.status), 8) +
                    " " + FitColumn(c.subject.name_or_initials, 24) + " " + FitColumn(c.subject.area, 16) + " " +
                    FitColumn(next ? FormatDate(*next) : "-", 10) + " " + FitColumn(c.lead_agency, 24);
  row.erase(row.find_last_not_of(' ') + 1);
  std::printf("%s\n", row.c_str());
}

void AddCaseList(CLI::App& parent, Context& ctx, CaseOptions& a) {
  auto* case_list = parent.add_subcommand("list", "list the cases in the store: id, type, status, subject, area, next deadline, "
                                                  "lead agency; then purged cases (basics only)");
  case_list->add_flag("--json", a.json, "machine-readable output");
  case_list->add_option("--sort", a.sort, "subject (the child's name in the --lang alphabet, then next deadline; the default) "
                                          "or deadline (next deadline first)")
      ->check(CLI::IsMember({"subject", "deadline"}));
  case_list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack case list");
    auto cases = Must(s.cases->ListCases());
    const Date today = Today();
    SortCases(cases, Must(ParseCaseOrder(a.sort), "--sort"), ctx.lang, today);
    if (a.json) {
      json arr = json::array();
      for (const auto& c : cases) arr.push_back(SummaryJson(c));
      ShowTombstones(*s.session, &arr);
      PrintJson(arr);
      return;
    }
    for (const auto& c : cases) PrintCaseRow(c, NextDeadline(c, today));
    const std::size_t purged = ShowTombstones(*s.session, nullptr);
    if (cases.empty() && purged == 0) std::printf("no cases yet: add one with 'casepack case new'\n");
    else if (cases.empty()) std::printf("no cases held (only the basics of purged ones): add one with 'casepack case new'\n");
  });
}

void AddCaseShow(CLI::App& parent, Context& ctx, CaseOptions& a) {
  auto* case_show = parent.add_subcommand("show", "show everything about a case");
  case_show->add_option("CASE", a.case_id, "case id (or its first characters)")->required();
  case_show->add_flag("--json", a.json, "machine-readable output");
  case_show->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack case show", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json j = DetailJson(d);
      ShowCaseRetention(*s.session, s.case_id, &j);
      PrintJson(j);
    } else {
      PrintDetail(ctx.lang, d);
      ShowCaseRetention(*s.session, s.case_id, nullptr);
    }
  });
}

void AddCaseSet(CLI::App& parent, Context& ctx, CaseOptions& a) {
  auto* case_set = parent.add_subcommand("set", "change a case's subject, area, key dates, status, agency, venue or facilitators");
  case_set->add_option("CASE", a.case_id, "case id")->required();
  case_set->add_option("--subject", a.subject, "correct the child's name or initials");
  case_set->add_option("--area", a.area, "correct the local authority area");
  case_set->add_option("--date", a.dates, "a key date, KEY=DD/MM/YYYY or KEY=YYYY-MM-DD (repeatable)");
  case_set->add_option("--clear-date", a.cleared_dates, "clear a key date, KEY (repeatable): e.g. one typed on the wrong step");
  case_set->add_option("--status", a.status, "open, closed or cancelled");
  case_set->add_option("--lead-agency", a.lead_agency, "lead or convening agency");
  case_set->add_option("--venue", a.venue, "venue");
  case_set->add_option("--facilitator", a.facilitators, "the facilitators' names (repeatable; replaces the list)");
  // MAPM (002): roles of their own, the time, the family.
  case_set->add_option("--chair", a.chair, "MAPM: who chaired the meeting, e.g. \"Rhian Lewis (Health)\" (002 §6)");
  case_set->add_option("--minute-taker", a.minute_taker, "MAPM: who took the minutes (002 §5)");
  case_set->add_option("--meeting-time", a.meeting_time, "MAPM: the time the meeting started, HH:MM (002 §7 item 1); \"\" clears it");
  case_set->add_option("--informs-family", a.informs_family, "MAPM: the member appointed to inform the child and family of the outcome (002 §8)");
  case_set->add_option("--family", a.family, "MAPM: the family was not-informed (the invited agencies agreed), informed, agreed or "
                                             "objected (002 §9)");
  case_set->add_option("--minutes-to-family", a.minutes_to_family, "MAPM: yes or no: the minutes go to the family too, who are then "
                                                                   "on the distribution list (002 §7)")
      ->check(CLI::IsMember({"yes", "no"}));
  case_set->add_option("--report-writer", a.report_writer, "MAS: who completes the Summary Report (agreed at the debrief, 003 Appendix 1)");
  case_set->callback([&ctx, &a, case_set] {
    auto s = OpenCases(ctx, "casepack case set", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    CaseChange change;
    change.key_dates = ParseKeyDates(d.record.event_type, a.dates);
    for (const auto& k : a.cleared_dates) {
      Must(FindKeyDate(d.record.event_type, k), "--clear-date");
      if (change.key_dates.count(k)) Fail(ErrorCode::kInvalidArgument, "--clear-date " + k + ": the same key is also given a --date");
    }
    change.cleared_dates = a.cleared_dates;
    if (case_set->count("--subject")) change.subject = a.subject;
    if (case_set->count("--area")) change.area = a.area;
    if (case_set->count("--status")) change.status = Must(ParseCaseStatus(a.status), "--status");
    if (case_set->count("--lead-agency")) change.lead_agency = a.lead_agency;
    if (case_set->count("--venue")) change.venue = a.venue;
    if (case_set->count("--facilitator")) change.facilitators = a.facilitators;
    if (case_set->count("--chair")) change.chair = a.chair;
    if (case_set->count("--minute-taker")) change.minute_taker = a.minute_taker;
    if (case_set->count("--meeting-time")) {
      if (a.meeting_time.empty()) {
        change.clear_meeting_time = true;
      } else {
        change.meeting_time = Must(ParseTimeOfDay(a.meeting_time), "--meeting-time");
      }
    }
    if (case_set->count("--informs-family")) change.informs_family = a.informs_family;
    if (case_set->count("--family")) change.family = Must(ParseFamilyAwareness(a.family), "--family");
    if (case_set->count("--minutes-to-family")) change.minutes_to_family = a.minutes_to_family == "yes";
    if (case_set->count("--report-writer")) change.report_writer = a.report_writer;
    Check(s.cases->UpdateCase(s.case_id, change));
    std::printf("case %s updated\n", s.case_id.substr(0, 8).c_str());
  });
}

void AddCaseKeys(CLI::App& parent, const Context& ctx, CaseOptions& a) {
  auto* case_keys = parent.add_subcommand("keys", "list the key dates and note sections of an event type");
  case_keys->add_option("--type", a.type, "MAS, MAPF, MAPM, CPR or APR")->required();
  case_keys->callback([&ctx, &a] {
    const EventType t = Must(ParseEventType(a.type), "--type");
    const Language l = ctx.lang;
    const std::string type(ToString(t));
    std::printf("%s\n", Fill(Label(l, "cli.key-dates-of"), "type", type).c_str());
    for (const auto& k : KeyDateDefs(t)) std::printf("  %-26s %s\n", std::string(k.key).c_str(), KeyDateTitle(l, t, k).c_str());
    std::printf("%s\n", Fill(Label(l, "cli.note-sections-of"), "type", type).c_str());
    for (const auto& s : NoteSections(t)) {
      std::printf("  %-26s %s\n", std::string(s.key).c_str(), SectionTitle(l, t, s).c_str());
      // The guidance's questions for the section (Appendix 4, the MAPM agenda), as the facilitator asks them.
      if (const std::string prompt = SectionPrompt(l, t, s); !prompt.empty()) std::printf("  %-26s   %s\n", "", prompt.c_str());
    }
    std::printf("%s\n", Label(l, "cli.document-types").c_str());
    for (DocumentType d : AllDocumentTypes()) std::printf("  %-26s %s\n", std::string(ToString(d)).c_str(), Label(l, d).c_str());
  });
}

void AddDeadlines(CLI::App& parent, Context& ctx, CaseOptions& a) {
  auto* deadlines = parent.add_subcommand("deadlines", "every open case's timescale steps: done, due or overdue");
  deadlines->add_flag("--json", a.json, "machine-readable output");
  deadlines->add_option("--today", a.today, "count from this date instead of today (DD/MM/YYYY or YYYY-MM-DD)");
  deadlines->callback([&ctx, &a] {
    const Date today = a.today.empty() ? Today() : ParseDateOption(a.today, "--today");
    auto s = OpenCases(ctx, "casepack deadlines");
    auto all = Must(s.cases->Deadlines(today));
    const auto retention = RetentionByCase(*s.session, today);
    // In the order of `case list`: by subject in the reader's alphabet, then next deadline.
    auto cases = Must(s.cases->ListCases());
    SortCases(cases, CaseOrder::kSubject, ctx.lang, today);
    std::map<std::string, std::size_t, std::less<>> rank;
    for (const auto& c : cases) rank.emplace(c.id, rank.size());
    std::stable_sort(all.begin(), all.end(), [&](const CaseTimescales& x, const CaseTimescales& y) { return rank[x.case_id] < rank[y.case_id]; });
    if (a.json) {
      json arr = json::array();
      for (const auto& t : all) {
        arr.push_back(ToJson(t));
        if (auto it = retention.find(t.case_id); it != retention.end()) arr.back()["retention"] = ToJson(it->second);
      }
      PrintJson(arr);
      return;
    }
    const Language l = ctx.lang;
    if (all.empty()) std::printf("%s\n", Label(l, "cli.no-open-cases").c_str());
    for (const auto& t : all) {
      const CaseSummary& c = cases[rank[t.case_id]];
      std::printf("%s  %s  %s, %s\n", t.case_id.substr(0, 8).c_str(), std::string(ToString(t.event_type)).c_str(),
                  c.subject.name_or_initials.c_str(), c.subject.area.c_str());
      for (const auto& step : t.steps) {
        std::printf("  %s %s %s (%s)%s\n", PadColumn(Label(l, step.state), 8).c_str(),
                    FitColumn(step.due ? FormatDate(*step.due) : "-", 10).c_str(), StepTitle(l, step).c_str(),
                    StepRule(l, step).c_str(), step.late ? (" — " + Label(l, "cli.late")).c_str() : "");
        // What --json calls "note": a scheduled date past the limit, what the due date waits for.
        if (!step.note.empty()) std::printf("  %s %s %s\n", PadColumn("", 8).c_str(), PadColumn("", 10).c_str(), StepNote(l, step).c_str());
      }
      if (auto it = retention.find(t.case_id); it != retention.end())
        std::printf("  %s %s\n", PadColumn(Label(l, "cli.purge"), 8).c_str(), DescribePurgeDate(it->second, l).c_str());
    }
  });
}

}  // namespace

void RegisterCaseCommands(CLI::App& app, Context& ctx) {
  static CaseOptions options;
  auto* case_cmd = app.add_subcommand("case", "create, list, show and change cases");
  case_cmd->require_subcommand(1);
  AddCaseNew(*case_cmd, ctx, options);
  AddCaseList(*case_cmd, ctx, options);
  AddCaseShow(*case_cmd, ctx, options);
  AddCaseSet(*case_cmd, ctx, options);
  AddCaseKeys(*case_cmd, ctx, options);
  RegisterDocumentCommands(app, ctx);
  RegisterNoteCommands(app, ctx);
  RegisterRecordCommands(app, ctx);
  RegisterMapmCommands(app, ctx);
  RegisterProcessCommands(app, ctx);
  AddDeadlines(app, ctx, options);
}

}  // namespace casepack::cli
