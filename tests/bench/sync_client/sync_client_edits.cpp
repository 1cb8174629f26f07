// sync_client_edits STORE PASSPHRASE_FILE CASE N: edits CASE as a facilitator typing during a week would
// (notes typed paragraph by paragraph, actions added and updated) until exactly N new operations are
// recorded, in this process (a casepack process per edit would time process start-up, not sync). An
// action added is several operations (its fields), a note paragraph one. Prints "EDITS OPERATIONS".
#include <cstdio>
#include <fstream>
#include <string>

#include "casepack/cases.h"
#include "casepack/secret.h"
#include "casepack/store.h"

using namespace casepack;

namespace {
int Fail(const std::string& what, const Error& e) {
  std::fprintf(stderr, "sync_client_edits: %s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: sync_client_edits STORE PASSPHRASE_FILE CASE N\n");
    return 2;
  }
  InitCrypto();
  std::string pass;
  std::getline(std::ifstream(argv[2]), pass);
  auto store = Store::Open(argv[1], pass, "sync_client_edits");
  if (!store.ok()) return Fail("open", store.error());
  CaseService cases(**store);
  auto id = cases.ResolveCaseId(argv[3]);
  if (!id.ok()) return Fail("case", id.error());
  const std::size_t n = std::stoul(argv[4]);
  auto start = cases.CountOperations(*id);
  if (!start.ok()) return Fail("count", start.error());
  static const char* kSections[] = {"story", "protective-factors", "risk-factors", "going-well", "where-next"};
  std::string last_action;
  std::size_t made = 0;
  int i = 0;
  for (;; ++i) {
    // Recount now and then, and at every edit near the end so that exactly n operations are made.
    if (i % 25 == 0 || n - made < 200) {
      auto now = cases.CountOperations(*id);
      if (!now.ok()) return Fail("count", now.error());
      made = *now - *start;
      if (made >= n) break;
    }
    const bool near_end = n - made < 10;  // one-operation edits only (an action is fewer than 10)
    Status s = Ok();
    if (!near_end && i % 10 == 7) {
      Action a;
      a.what = "Action " + std::to_string(i) + ": arrange a review with the core group";
      a.owner = Conflicted<Owner>::Of(Owner{"Children's Services", "Social worker"});
      a.due = Conflicted<Date>::Of(Date{2026, 12, 1 + i % 28});
      auto r = cases.AddAction(*id, a);
      if (r.ok()) last_action = *r;
      else s = r.error();
    } else if (!near_end && i % 10 == 9 && !last_action.empty()) {
      ActionChange ch;
      ch.owner = Owner{i % 20 == 9 ? "Health" : "Police", ""};
      ch.due = Date{2027, 1, 1 + i % 28};
      s = cases.UpdateAction(*id, last_action, ch);
    } else {
      s = cases.AppendNote(*id, kSections[i % 5],
                           "Paragraph " + std::to_string(i) + " typed during the week: the family met the health visitor.\n");
    }
    if (!s.ok()) return Fail("edit " + std::to_string(i), s.error());
  }
  if (made != n) {
    std::fprintf(stderr, "sync_client_edits: made %zu operations, not %zu\n", made, n);
    return 1;
  }
  std::printf("%d %zu\n", i, made);
  return 0;
}
