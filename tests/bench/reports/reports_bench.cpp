// A MAPF learning report with a long merged chronology, rendered to PDF and to Word: median of RUNS.
// Figures are printed, never asserted (tests/bench/reports/run.sh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <string>
#include <vector>

#include "casepack/render.h"

using namespace casepack;

namespace {

ReportInput MapfInput(int rows) {
  ReportInput in;
  in.case_record.id = "bench-mapf-0001";
  in.case_record.event_type = EventType::kMapf;
  in.case_record.subject = {"Ŵyn Ïfan", "Powys"};
  in.case_record.lead_agency = "Education";
  in.case_record.key_dates["event"] = Date{2026, 3, 4};
  in.facilitators = {"Siân Bowen", "Dafydd ap Gwilym"};
  for (const char* agency : {"Education", "Health", "Police", "Social Services", "Housing"})
    in.attendance.push_back({agency, "Practitioner", "", AttendanceStatus::kAttended, ""});
  in.notes["working-well"] = "Early help from the school nurse; grandmother's support at Bryn Tâf.";
  in.notes["worried-about"] = "Information about the father's history did not reach the health visitor.";
  for (int i = 0; i < rows; ++i) {
    ChronologyEntry e;
    e.when.date = AddDays(Date{2025, 1, 1}, i);
    e.source = i % 3 == 0 ? "Police" : i % 3 == 1 ? "Health" : "Education";
    e.significant_event = "Event " + std::to_string(i) + ": home visit at Tŷ Gwyn; mother reported that the child had not slept";
    e.action_taken = "Referral discussed with the duty team";
    e.analysis = "Missed information between agencies";
    in.chronology.push_back(e);
  }
  return in;
}

double CpuMs() { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Timing {
  double wall_ms, cpu_ms;  // medians; CPU time shows what a busy machine's wall clock hides
};

template <typename F>
Timing Median(int runs, F f) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const double c0 = CpuMs();
    f();
    cpu.push_back(CpuMs() - c0);
    wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::atoi(argv[1]) : 300;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 9;
  const ReportLayout layout = BuildReportLayout(MapfInput(rows), ReportDocument::kReport);
  auto pdf = RenderPdf(layout);
  auto word = RenderDocx(layout);
  if (!pdf.ok() || !word.ok()) {
    std::fprintf(stderr, "render failed: %s\n", (!pdf.ok() ? pdf.error() : word.error()).message.c_str());
    return 1;
  }
  // Page count from the page tree's /Count (the root Pages object has the largest).
  int pages = 0;
  const std::regex count("/Count ([0-9]+)");
  for (auto it = std::sregex_iterator(pdf->begin(), pdf->end(), count); it != std::sregex_iterator(); ++it)
    pages = std::max(pages, std::stoi((*it)[1]));
  const Timing pdf_t = Median(runs, [&] { (void)RenderPdf(layout); });
  const Timing build_t = Median(runs, [&] { (void)BuildReportLayout(MapfInput(rows), ReportDocument::kReport); });
  const Timing docx_t = Median(runs, [&] { (void)RenderDocx(layout); });
  std::printf("MAPF report, %d chronology rows: %d A4 pages, PDF %zu KiB, Word %zu KiB\n", rows, pages,
              pdf->size() / 1024, word->size() / 1024);
  std::printf("median of %d (wall / CPU): layout %.1f / %.1f ms, PDF %.1f / %.1f ms (goal <= 300), "
              "Word %.1f / %.1f ms (goal <= 300)\n", runs, build_t.wall_ms, build_t.cpu_ms, pdf_t.wall_ms, pdf_t.cpu_ms,
              docx_t.wall_ms, docx_t.cpu_ms);
  return 0;
}
