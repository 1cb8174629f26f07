// casepack attend | action | chronology | feedback: the event's registers (rows merged field by field, a
// value written on two devices kept as a conflict until a person settles it).
#include <cstdio>

#include "case_cli.h"
#include "casepack/csv.h"
#include "casepack/labels.h"
#include "casepack/text_width.h"
#include "io.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct RecordOptions {
  std::string case_id, item_id, name, agency, role, status, reason, what, owner_agency, owner_role, due, when,
      source, event, action_taken, analysis, barriers;
  std::vector<std::string> answers;
  std::string recommendation, rationale, outcome, measure, progress, to, on;
  // chronology header (001 Appendix 1)
  std::string header_subject, header_from, header_to, completed_by, header_date, version;
  bool json = false;
  std::optional<std::string> opt_id;
};

void AddAttend(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* attend = parent.add_subcommand("attend", "record who was invited, attended, sent apologies or was absent");
  attend->add_option("CASE", a.case_id, "case id (required; 'attend rm CASE ID' deletes an attendee)");
  attend->add_option("--agency", a.agency, "agency (required to add an attendee)");
  attend->add_option("--role", a.role, "role, e.g. Health visitor");
  attend->add_option("--name", a.name, "the person's name (optional)");
  attend->add_option("--status", a.status, "invited, attended, apologies or absent (required to add an attendee)");
  attend->add_option("--reason", a.reason, "reason given for not attending");
  attend->add_option("--id", a.opt_id, "update this attendee instead of adding one (only the options given change)");
  attend->callback([&ctx, &a, attend] {
    if (attend->got_subcommand("rm")) return;
    if (a.case_id.empty()) Fail(ErrorCode::kInvalidArgument, "usage: casepack attend CASE --agency AGENCY --status STATUS …",
                                "'casepack attend --help' lists the options");
    const bool has_status = attend->count("--status") > 0;
    if (!a.opt_id && (a.agency.empty() || !has_status))
      Fail(ErrorCode::kInvalidArgument, "usage: --agency and --status are required to add an attendee",
           "to change an attendee, name it with --id ID");
    const AttendanceStatus status = has_status ? Must(ParseAttendanceStatus(a.status), "--status") : AttendanceStatus::kInvited;
    auto s = OpenCases(ctx, "casepack attend", a.case_id);
    Attendance who;
    if (a.opt_id) {
      // An update changes only what is given: start from the attendee as recorded (if the id does not
      // name exactly one, RecordAttendance says why).
      const auto d = Must(s.cases->GetCase(s.case_id));
      if (const auto* rec = UniqueByPrefix(d.attendance, *a.opt_id, [](const AttendanceRecord& r) { return r.id; }))
        who = rec->attendance;
    }
    if (attend->count("--agency")) who.agency = a.agency;
    if (attend->count("--role")) who.role = a.role;
    if (attend->count("--name")) who.name = a.name;
    if (has_status) who.status = status;
    if (attend->count("--reason")) who.reason = a.reason;
    const std::string id = Must(s.cases->RecordAttendance(s.case_id, a.opt_id, who));
    std::printf("%s  %s: %s\n", id.c_str(), who.agency.c_str(), std::string(ToString(who.status)).c_str());
  });
}

// The 001 action plan form's fields (MAPF; any type may use them).
void AddPlanOptions(CLI::App& cmd, RecordOptions& a) {
  cmd.add_option("--recommendation", a.recommendation, "the recommendation the action answers (001 action plan)");
  cmd.add_option("--rationale", a.rationale, "its rationale (001)");
  cmd.add_option("--outcome", a.outcome, "the intended outcome (001)");
  cmd.add_option("--measure", a.measure, "how success will be measured (001)");
  cmd.add_option("--progress", a.progress, "progress so far (001)");
}

void AddActionAdd(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* action_add = parent.add_subcommand("add", "add an action");
  action_add->add_option("CASE", a.case_id, "case id")->required();
  action_add->add_option("--what", a.what, "what is to be done")->required();
  action_add->add_option("--owner-agency", a.owner_agency, "owning agency");
  action_add->add_option("--owner-role", a.owner_role, "owning role");
  action_add->add_option("--due", a.due, "due (target) date, DD/MM/YYYY or YYYY-MM-DD")->required();
  AddPlanOptions(*action_add, a);
  action_add->callback([&ctx, &a] {
    if (a.owner_agency.empty() && a.owner_role.empty())
      Fail(ErrorCode::kInvalidArgument, "usage: an action needs an owner: --owner-agency AGENCY, --owner-role ROLE or both",
           "the guidance asks for who is responsible for each action (002 §7, 003 §4.7)");
    Action act;
    act.what = a.what;
    act.owner = Conflicted<Owner>::Of(Owner{a.owner_agency, a.owner_role});
    act.due = Conflicted<Date>::Of(ParseDateOption(a.due, "--due"));
    act.plan = {a.recommendation, a.rationale, a.outcome, a.measure, a.progress};
    auto s = OpenCases(ctx, "casepack action add", a.case_id);
    std::printf("%s\n", Must(s.cases->AddAction(s.case_id, act)).c_str());
  });
}

void AddActionUpdate(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* action_update = parent.add_subcommand("update", "change an action's text, owner, due date or status");
  action_update->add_option("CASE", a.case_id, "case id")->required();
  action_update->add_option("ACTION", a.item_id, "action id")->required();
  action_update->add_option("--what", a.what, "what is to be done");
  action_update->add_option("--owner-agency", a.owner_agency, "owning agency");
  action_update->add_option("--owner-role", a.owner_role, "owning role");
  action_update->add_option("--due", a.due, "due date, DD/MM/YYYY or YYYY-MM-DD");
  action_update->add_option("--status", a.status, "open, done or dropped");
  AddPlanOptions(*action_update, a);
  action_update->callback([&ctx, &a, action_update] {
    ActionChange change;
    const bool agency = action_update->count("--owner-agency") > 0, role = action_update->count("--owner-role") > 0;
    if (action_update->count("--what")) change.what = a.what;
    if (action_update->count("--due")) change.due = ParseDateOption(a.due, "--due");
    if (action_update->count("--status")) change.status = Must(ParseActionStatus(a.status), "--status");
    if (action_update->count("--recommendation")) change.recommendation = a.recommendation;
    if (action_update->count("--rationale")) change.rationale = a.rationale;
    if (action_update->count("--outcome")) change.outcome = a.outcome;
    if (action_update->count("--measure")) change.measure = a.measure;
    if (action_update->count("--progress")) change.progress = a.progress;
    auto s = OpenCases(ctx, "casepack action update", a.case_id);
    if (agency || role) {
      Owner owner{a.owner_agency, a.owner_role};
      if (!agency || !role) {
        // Only one half given: the other half stays as recorded (an owner is agency and role together).
        const auto d = Must(s.cases->GetCase(s.case_id));
        const auto* act = UniqueByPrefix(d.actions, a.item_id, [](const Action& x) { return x.id; });
        if (act != nullptr && !act->owner.empty()) {
          if (!agency) owner.agency = act->owner.value().agency;
          if (!role) owner.role = act->owner.value().role;
        }
      }
      change.owner = owner;
    }
    Check(s.cases->UpdateAction(s.case_id, a.item_id, change));
    std::printf("action updated\n");
  });
}

void AddActionReport(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* cmd = parent.add_subcommand("report", "record to whom an action was reported back (003 §4.7): line managers, "
                                              "the core group or the conference");
  cmd->add_option("CASE", a.case_id, "case id")->required();
  cmd->add_option("ACTION", a.item_id, "action id")->required();
  cmd->add_option("--to", a.to, "line-managers, core-group or conference")->required();
  cmd->add_option("--on", a.on, "the date, DD/MM/YYYY or YYYY-MM-DD")->required();
  cmd->callback([&ctx, &a] {
    Check(CheckActionReportTarget(a.to));
    const Date on = ParseDateOption(a.on, "--on");
    auto s = OpenCases(ctx, "casepack action report", a.case_id);
    Check(s.cases->RecordActionReported(s.case_id, a.item_id, a.to, on));
    std::printf("reported to %s on %s\n", ReportTargetLabel(ctx.lang, a.to).c_str(), FormatDate(on).c_str());
  });
}

void AddActionList(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* action_list = parent.add_subcommand("list", "list a case's actions, with conflicting owners or dates shown");
  action_list->add_option("CASE", a.case_id, "case id")->required();
  action_list->add_flag("--json", a.json, "machine-readable output");
  action_list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack action list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& x : d.actions) arr.push_back(ToJson(x));
      PrintJson(arr);
      return;
    }
    PrintActions(d.actions);
  });
}

void AddChronologyAdd(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* chron_add = parent.add_subcommand("add", "add an entry");
  chron_add->add_option("CASE", a.case_id, "case id")->required();
  chron_add->add_option("--when", a.when, "DD/MM/YYYY [HH:MM] or YYYY-MM-DD[THH:MM]")->required();
  chron_add->add_option("--source", a.source, "agency or department")->required();
  chron_add->add_option("--event", a.event, "significant event")->required();
  chron_add->add_option("--action-taken", a.action_taken, "action taken");
  chron_add->add_option("--analysis", a.analysis, "analysis");
  chron_add->callback([&ctx, &a] {
    ChronologyEntry e{ParseDateTimeOption(a.when, "--when"), a.source, a.event, a.action_taken, a.analysis};
    auto s = OpenCases(ctx, "casepack chronology add", a.case_id);
    std::printf("%s\n", Must(s.cases->AddChronologyEntry(s.case_id, e)).c_str());
  });
}

// An agency's chronology file (001 Appendix 1 saved as CSV; docs/chronology-csv.md): every row checked
// before anything is added, then all added in one transaction.
void AddChronologyImport(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* import = parent.add_subcommand("import", "import an agency's chronology from a CSV file with the five columns of 001 "
                                                 "Appendix 1 (Date & Time, Source, Significant Event, Action Taken, Analysis), "
                                                 "after optional heading rows (Subject name, Time period covered, "
                                                 "Completed by, Date, Version: they set the chronology header); "
                                                 "nothing is imported if any row is wrong");
  import->add_option("CASE", a.case_id, "case id")->required();
  import->add_option("FILE", a.item_id, "the CSV file (- for standard input)")->required();
  import->callback([&ctx, &a] {
    const std::string text = ReadTextInput(a.item_id, "chronology");
    const auto file = Must(ParseChronologyFile(text), a.item_id == "-" ? "standard input" : a.item_id);
    auto s = OpenCases(ctx, "casepack chronology import", a.case_id);
    const auto ids = Must(s.cases->AddChronologyEntries(s.case_id, file.entries, file.header));
    std::printf("imported %zu chronology entries into case %s%s\n", ids.size(), s.case_id.substr(0, 8).c_str(),
                file.header.empty() ? "" : ", and the file's heading into the chronology header");
  });
}

// The header's lines as 001 Appendix 1 heads the chronology, labels in the user's language; nothing when unset.
void PrintChronologyHeader(Language lang, const ChronologyHeader& h) {
  if (h.empty()) return;
  auto line = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) std::printf("%s %s\n", PadColumn(Label(lang, key), 20).c_str(), value.c_str());
  };
  auto date = [](const std::optional<Date>& d) { return d ? FormatUkDate(*d) : std::string("?"); };
  line("report.chronology-subject", h.subject);
  if (h.from || h.to) line("report.period-covered", date(h.from) + " \u2013 " + date(h.to));
  line("report.completed-by", h.completed_by);
  if (h.date) line("report.date-label", FormatUkDate(*h.date));
  line("report.version", h.version);
  std::printf("\n");
}

// The chronology's header: set with any of the options (only those given change; "" clears one), shown
// without them.
void AddChronologyHeader(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* header = parent.add_subcommand("header", "the chronology's header (001 Appendix 1): subject, period covered, "
                                                 "completed by, date, version; shown when no option is given");
  header->add_option("CASE", a.case_id, "case id")->required();
  header->add_option("--subject", a.header_subject, "the subject's name or initials, as the chronology gives them");
  header->add_option("--from", a.header_from, "start of the time period covered, DD/MM/YYYY or YYYY-MM-DD");
  header->add_option("--to", a.header_to, "end of the time period covered, DD/MM/YYYY or YYYY-MM-DD");
  header->add_option("--completed-by", a.completed_by, "who completed the chronology (name, role, agency)");
  header->add_option("--date", a.header_date, "when it was completed, DD/MM/YYYY or YYYY-MM-DD");
  header->add_option("--version", a.version, "the chronology's version, e.g. 2");
  header->add_flag("--json", a.json, "print the header as JSON");
  header->callback([&ctx, &a, header] {
    auto s = OpenCases(ctx, "casepack chronology header", a.case_id);
    ChronologyHeader h = Must(s.cases->GetCase(s.case_id)).chronology_header;
    auto date = [&](const std::string& text, std::string_view option) -> std::optional<Date> {
      if (text.empty()) return std::nullopt;  // "" clears
      return ParseDateOption(text, option);
    };
    bool changed = false;
    auto given = [&](std::string_view option) { return header->count(std::string(option)) > 0 && (changed = true); };
    if (given("--subject")) h.subject = a.header_subject;
    if (given("--from")) h.from = date(a.header_from, "--from");
    if (given("--to")) h.to = date(a.header_to, "--to");
    if (given("--completed-by")) h.completed_by = a.completed_by;
    if (given("--date")) h.date = date(a.header_date, "--date");
    if (given("--version")) h.version = a.version;
    if (changed) Check(s.cases->SetChronologyHeader(s.case_id, h));
    if (a.json) {
      PrintJson(ToJson(h));
    } else if (changed) {
      std::printf("chronology header updated\n");
    } else if (h.empty()) {
      std::printf("no header yet ('casepack chronology header CASE --subject … --from … --to …')\n");
    } else {
      PrintChronologyHeader(ctx.lang, h);
    }
  });
}

void AddChronologyList(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* chron_list = parent.add_subcommand("list", "the merged timeline, in date order");
  chron_list->add_option("CASE", a.case_id, "case id")->required();
  chron_list->add_flag("--json", a.json, "machine-readable output");
  chron_list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack chronology list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& [id, e] : d.chronology) {
        json row = ToJson(e);
        row["id"] = id;  // for `chronology rm`
        arr.push_back(std::move(row));
      }
      PrintJson(arr);
      return;
    }
    PrintChronologyHeader(ctx.lang, d.chronology_header);
    for (const auto& [id, e] : d.chronology)
      std::printf("%-17s %-16s %s\n%18s action: %s\n%18s analysis: %s\n", FormatDateTime(e.when).c_str(), e.source.c_str(),
                  e.significant_event.c_str(), "", e.action_taken.c_str(), "", e.analysis.c_str());
  });
}

void AddFeedbackOptions(CLI::App& cmd, RecordOptions& a, bool required) {
  cmd.add_option("CASE", a.case_id, "case id")->required();
  cmd.add_option("--agency", a.agency, "the participant's agency")->required(required);
  cmd.add_option("--role", a.role, "the participant's job role")->required(required);
  cmd.add_option("--name", a.name, "name (optional)");
  cmd.add_option("--barriers", a.barriers, "question 3: yes or no");
  cmd.add_option("--answer", a.answers, "KEY=TEXT for a question (repeatable); keys: 'casepack feedback questions'");
}

// The options given, over `f` (a new form, or the form being edited).
void ApplyFeedbackOptions(const CLI::App& cmd, const RecordOptions& a, ParticipantFeedback& f) {
  if (cmd.count("--name")) f.name = a.name;
  if (cmd.count("--agency")) f.agency = a.agency;
  if (cmd.count("--role")) f.role = a.role;
  if (a.barriers == "yes") f.barriers = true;
  else if (a.barriers == "no") f.barriers = false;
  else if (!a.barriers.empty()) Fail(ErrorCode::kInvalidArgument, "--barriers: expected yes or no");
  for (const auto& item : a.answers) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) Fail(ErrorCode::kInvalidArgument, "--answer: expected KEY=TEXT");
    Must(FindFeedbackQuestion(item.substr(0, eq)), "--answer");
    if (eq + 1 == item.size()) f.answers.erase(item.substr(0, eq));  // KEY= clears the answer
    else f.answers[item.substr(0, eq)] = item.substr(eq + 1);
  }
}

void AddFeedbackAdd(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* fb_add = parent.add_subcommand("add", "add one participant's feedback");
  AddFeedbackOptions(*fb_add, a, true);
  fb_add->callback([&ctx, &a, fb_add] {
    auto s = OpenCases(ctx, "casepack feedback add", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    ParticipantFeedback f;
    f.area = d.record.subject.area;
    f.date = d.record.KeyDate(keydate::kMasEvent);
    for (const auto& n : d.facilitators) f.facilitators += (f.facilitators.empty() ? "" : ", ") + n;
    ApplyFeedbackOptions(*fb_add, a, f);
    std::printf("%s\n", Must(s.cases->AddFeedback(s.case_id, f)).c_str());
  });
}

void AddFeedbackSet(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* fb_set = parent.add_subcommand("set", "edit one participant's form: only the options given change (--answer KEY= "
                                              "clears an answer)");
  AddFeedbackOptions(*fb_set, a, false);
  fb_set->add_option("ID", a.item_id, "the form's id (as 'feedback list' shows it), or its first 4 or more characters")->required();
  fb_set->callback([&ctx, &a, fb_set] {
    auto s = OpenCases(ctx, "casepack feedback set", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    const auto* form = UniqueByPrefix(d.feedback, a.item_id, [](const auto& x) { return x.first; });
    ParticipantFeedback f = form != nullptr ? form->second : ParticipantFeedback{};
    ApplyFeedbackOptions(*fb_set, a, f);
    Check(s.cases->UpdateFeedback(s.case_id, a.item_id, f));
    std::printf("feedback form updated\n");
  });
}

void AddFeedbackList(CLI::App& parent, Context& ctx, RecordOptions& a) {
  auto* fb_list = parent.add_subcommand("list", "the participants' forms, with their answers (for the Business Unit, "
                                               "not the child's file: 'casepack report CASE --feedback')");
  fb_list->add_option("CASE", a.case_id, "case id")->required();
  fb_list->add_flag("--json", a.json, "machine-readable output");
  fb_list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack feedback list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json arr = json::array();
      for (const auto& [id, f] : d.feedback) {
        json row = ToJson(f);
        row["id"] = id;
        arr.push_back(std::move(row));
      }
      PrintJson(arr);
      return;
    }
    if (d.feedback.empty()) std::printf("no feedback forms ('casepack feedback add')\n");
    for (const auto& [id, f] : d.feedback) {
      std::printf("%s  %s, %s%s\n", id.c_str(), f.agency.c_str(), f.role.c_str(), f.name.empty() ? "" : (" (" + f.name + ")").c_str());
      for (const auto& q : FeedbackQuestions()) {
        auto it = f.answers.find(q.key);
        std::string answer = it == f.answers.end() ? "-" : it->second;
        if (q.yes_no && f.barriers) answer = std::string(*f.barriers ? "yes" : "no") + (it == f.answers.end() ? "" : "; " + it->second);
        std::printf("  %d. %s\n     %s\n", q.number, FeedbackQuestionText(ctx.lang, q).c_str(), answer.c_str());
      }
    }
  });
}

void AddFeedbackQuestions(CLI::App& parent, RecordOptions&) {
  auto* fb_questions = parent.add_subcommand("questions", "list the feedback questions and their keys");
  fb_questions->callback([] {
    for (const auto& q : FeedbackQuestions())
      std::printf("%d. %-20s %s\n", q.number, std::string(q.key).c_str(), std::string(q.text).c_str());
  });
}

}  // namespace

void RegisterRecordCommands(CLI::App& app, Context& ctx) {
  static RecordOptions options;
  AddAttend(app, ctx, options);
  // `attend CASE …` records; `attend rm CASE ID` deletes. CLI11 tries subcommands before positionals, so a
  // case id is never taken for "rm".
  AddRemove(*app.get_subcommand("attend"), ctx, CaseTable::kAttendance, "attendee");
  auto* action = app.add_subcommand("action", "actions agreed at the event");
  action->require_subcommand(1);
  AddActionAdd(*action, ctx, options);
  AddActionUpdate(*action, ctx, options);
  AddActionList(*action, ctx, options);
  AddActionReport(*action, ctx, options);
  AddRemove(*action, ctx, CaseTable::kActions, "action");
  auto* chron = app.add_subcommand("chronology", "the multi-agency chronology (001 format)");
  chron->require_subcommand(1);
  AddChronologyAdd(*chron, ctx, options);
  AddChronologyImport(*chron, ctx, options);
  AddChronologyList(*chron, ctx, options);
  AddChronologyHeader(*chron, ctx, options);
  AddRemove(*chron, ctx, CaseTable::kChronology, "chronology entry");
  auto* feedback = app.add_subcommand("feedback", "participant feedback (MAS Appendix 2)");
  feedback->require_subcommand(1);
  AddFeedbackAdd(*feedback, ctx, options);
  AddFeedbackQuestions(*feedback, options);
  AddFeedbackList(*feedback, ctx, options);
  AddFeedbackSet(*feedback, ctx, options);
  AddRemove(*feedback, ctx, CaseTable::kFeedback, "feedback form");
}

}  // namespace casepack::cli
