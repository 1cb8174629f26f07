// Shared sample data for the schema tests. Invented names and places only.
#pragma once

#include "casepack/domain.h"
#include "casepack/report.h"

namespace casepack::testing {

inline Date D(std::string_view s) { return ParseDate(s).value(); }

inline Case MasCase() {
  Case c;
  c.id = "MAS-2026-014";
  c.event_type = EventType::kMas;
  c.subject = {"A.B.", "Newport"};
  c.lead_agency = "Newport Children's Services";
  c.venue = "Civic Centre, Room 4";
  c.key_dates = {{"referral-conference", D("2026-03-02")}};
  return c;
}

inline Action MakeAction(std::string id, std::string what, Owner owner, std::string_view due) {
  Action a;
  a.id = std::move(id);
  a.what = std::move(what);
  a.owner = Conflicted<Owner>::Of(std::move(owner), "J. Evans", "2026-04-08T11:00");
  a.due = Conflicted<Date>::Of(D(due), "J. Evans", "2026-04-08T11:00");
  return a;
}

inline ReportInput MasReportInput() {
  ReportInput in;
  in.case_record = MasCase();
  in.case_record.key_dates["event"] = D("2026-04-08");
  in.case_record.key_dates["event-booked"] = D("2026-03-10");
  in.facilitators = {"J. Evans", "R. Price"};
  in.attendance = {
      {"Newport Children's Services", "Social worker", "S. Jones", AttendanceStatus::kAttended, ""},
      {"Aneurin Bevan UHB", "Health visitor", "", AttendanceStatus::kAttended, ""},
      {"Education", "Teacher", "", AttendanceStatus::kApologies, "illness"},
      {"Gwent Police", "PPU officer", "", AttendanceStatus::kInvited, ""},
  };
  in.notes = {{"story", "Registered since 2024.\n\nSecond paragraph of the story."},
              {"risk-factors", "Neglect of the home."},
              {"where-next", "Refer to family support."}};
  in.facilitator_comments = "Good engagement from all who attended.";
  Action a1 = MakeAction("a1", "Arrange a home visit with health", {"Aneurin Bevan UHB", "Health visitor"}, "2026-04-22");
  a1.owner.candidates.push_back({Owner{"Newport Children's Services", "Social worker"}, "R. Price", "2026-04-08T11:02"});
  Action a2 = MakeAction("a2", "Share the chronology with school", {"Newport Children's Services", "Social worker"},
                         "2026-04-30");
  in.actions = {a1, a2};
  in.report_date = D("2026-04-15");
  return in;
}

}  // namespace casepack::testing
