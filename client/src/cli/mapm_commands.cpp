// casepack review add | list | rm (the MAPM action plan's reviews, 002 §10), and what `case show` prints
// of a MAPM's own record (chair, minute-taker, time, the family: 002 §5-§9).
#include <algorithm>
#include <cstdio>

#include "case_cli.h"
#include "casepack/report_layout.h"
#include "casepack/text_width.h"
#include "io.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct ReviewOptions {
  std::string case_id, held, next, note;
  bool json = false;
};

std::vector<MapmReview> Reviews(const MapmRecord& m) {
  std::vector<MapmReview> out;
  for (const auto& [id, r] : m.reviews) out.push_back(r);
  return out;
}

// "⚠ more than three months after 2026-12-01: …" for a next review agreed too late, in the --lang language.
std::string LateFlag(Language l, const LateReview& late) {
  return "⚠ " + Fill(std::string(ReportString(RS::kLateReview, l)), "name", FormatDate(late.after));
}

void PrintReviews(Language l, const CaseDetail& d) {
  const auto late = LateReviews(d.record.KeyDate(keydate::kMapmMeeting), Reviews(d.mapm),
                                d.record.KeyDate(keydate::kMapmNextReview));
  if (d.mapm.reviews.empty()) std::printf("  %s\n", std::string(ReportString(RS::kNoReviews, l)).c_str());
  for (const auto& [id, r] : d.mapm.reviews) {
    std::printf("  %s  %s  %s %s%s%s\n", id.c_str(), FormatDate(r.held).c_str(),
                std::string(ReportString(RS::kNextReviewAgreed, l)).c_str(), r.next ? FormatDate(*r.next).c_str() : "-",
                r.note.empty() ? "" : "  ", r.note.c_str());
    for (const auto& x : late)
      if (r.next && x.next == *r.next && x.after == r.held) std::printf("      %s\n", LateFlag(l, x).c_str());
  }
  // The case's agreed next review, after the meeting (no review yet) or the latest review, too late.
  if (const auto next = d.record.KeyDate(keydate::kMapmNextReview))
    for (const auto& x : late)
      if (x.next == *next && std::none_of(d.mapm.reviews.begin(), d.mapm.reviews.end(),
                                          [&](const auto& r) { return r.second.held == x.after; }))
        std::printf("  %s %s  %s\n", std::string(ReportString(RS::kNextReview, l)).c_str(), FormatDate(*next).c_str(),
                    LateFlag(l, x).c_str());
}

void AddReviewAdd(CLI::App& parent, Context& ctx, ReviewOptions& a) {
  auto* add = parent.add_subcommand("add", "record a review of a MAPM's action plan (002 §10: at least every three months)");
  add->add_option("CASE", a.case_id, "case id")->required();
  add->add_option("--held", a.held, "the date of the review (DD/MM/YYYY or YYYY-MM-DD)")->required();
  add->add_option("--next", a.next, "the next review it agreed");
  add->add_option("--note", a.note, "what the review found (optional)");
  add->callback([&ctx, &a] {
    MapmReview r;
    r.held = ParseDateOption(a.held, "--held");
    if (!a.next.empty()) r.next = ParseDateOption(a.next, "--next");
    r.note = a.note;
    auto s = OpenCases(ctx, "casepack review add", a.case_id);
    const std::string id = Must(s.cases->AddMapmReview(s.case_id, r));
    std::printf("%s  review of %s recorded\n", id.c_str(), FormatDate(r.held).c_str());
    // Said at once, not only by `deadlines --json`: a next review more than three months on.
    const auto d = Must(s.cases->GetCase(s.case_id));
    for (const auto& x : LateReviews(d.record.KeyDate(keydate::kMapmMeeting), Reviews(d.mapm), std::nullopt))
      if (r.next && x.next == *r.next && x.after == r.held) std::printf("%s\n", LateFlag(ctx.lang, x).c_str());
  });
}

void AddReviewList(CLI::App& parent, Context& ctx, ReviewOptions& a) {
  auto* list = parent.add_subcommand("list", "every review of a MAPM's action plan, oldest first; a next review more than three "
                                             "months on is flagged");
  list->add_option("CASE", a.case_id, "case id")->required();
  list->add_flag("--json", a.json, "machine-readable output");
  list->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack review list", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (a.json) {
      json j = ToJson(d.mapm)["reviews"];
      json late = json::array();
      for (const auto& x : LateReviews(d.record.KeyDate(keydate::kMapmMeeting), Reviews(d.mapm),
                                       d.record.KeyDate(keydate::kMapmNextReview)))
        late.push_back({{"next", FormatDate(x.next)}, {"after", FormatDate(x.after)}, {"limit", FormatDate(x.limit)}});
      PrintJson({{"reviews", j}, {"late", late}});
      return;
    }
    PrintReviews(ctx.lang, d);
  });
}

}  // namespace

void PrintMapm(Language l, const CaseDetail& d) {
  if (d.record.event_type != EventType::kMapm) return;
  const MapmRecord& m = d.mapm;
  const auto line = [&](RS label, const std::string& value) {
    std::printf("  %s %s\n", PadColumn(std::string(ReportString(label, l)) + ":", 46).c_str(), value.empty() ? "-" : value.c_str());
  };
  std::printf("\n%s\n", std::string(ReportString(RS::kTitleMapm, l)).c_str());
  line(RS::kTime, m.meeting_time ? FormatTimeOfDay(*m.meeting_time) : std::string());
  line(RS::kChair, m.chair);
  line(RS::kMinuteTaker, m.minute_taker);
  line(RS::kFamilyAwareness, m.family ? Label(l, "mapm-family." + std::string(ToString(*m.family))) : std::string());
  line(RS::kInformsFamily, m.informs_family);
  line(RS::kMinutesToFamily, std::string(ReportString(m.minutes_to_family ? RS::kYes : RS::kNo, l)));
  std::printf("%s\n", std::string(ReportString(RS::kReviews, l)).c_str());
  PrintReviews(l, d);
}

void RegisterMapmCommands(CLI::App& app, Context& ctx) {
  static ReviewOptions options;
  auto* review = app.add_subcommand("review", "the reviews of a MAPM's action plan (002 §10)");
  review->require_subcommand(1);
  AddReviewAdd(*review, ctx, options);
  AddReviewList(*review, ctx, options);
  AddRemove(*review, ctx, CaseTable::kReviews, "review");
}

}  // namespace casepack::cli
