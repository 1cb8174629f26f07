// Issue 16, "Rough edges found": each edge a facilitator met, driven through the real casepack binary.
// Dates come from today (support/calendar.h), so the suite passes on any date and under faketime.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "casepack/text_width.h"
#include "support/calendar.h"
#include "workflow_support.h"

namespace casepack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class RoughEdges : public WorkflowTest {
 protected:
  void SetUp() override {
    WorkflowTest::SetUp();
    now_.clear();  // the shipped binary and the real clock: dates below are taken from today
    InitStore();
  }
  std::string Mas(const std::string& subject, const std::string& area, std::int64_t conference_days_ago) {
    return NewCase({"--type", "MAS", "--subject", subject, "--area", area, "--date",
                    "referral-conference=" + DaysFromToday(-conference_days_ago)});
  }
  // A command that must fail with `exit_code`; returns its standard error.
  std::string Refused(const std::vector<std::string>& args, int exit_code, RunOptions opt = {}) {
    auto r = Cli(args, opt);
    EXPECT_EQ(r.exit_code, exit_code) << "casepack " << Join(args) << "\n" << r.out << r.err;
    EXPECT_EQ(r.out, "") << "casepack " << Join(args);
    return r.err;
  }
  // The lines of `text` that contain `needle`.
  static std::vector<std::string> LinesWith(const std::string& text, const std::string& needle) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (Contains(line, needle)) out.push_back(line);
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }
};

TEST_F(RoughEdges, UnexpectedArgumentHintsAtPassphrasesOnlyWhenOneWasGiven) {
  const std::string id = Mas("A.B.", "Newport", 3);
  std::string err = Refused({"case", "show", id, "--subjekt", "X"}, 2);
  EXPECT_TRUE(Contains(err, "unexpected argument(s): --subjekt")) << err;
  EXPECT_FALSE(Contains(err, "passphrase")) << "no passphrase was given, so none is mentioned:\n" << err;
  EXPECT_TRUE(Contains(err, "--help")) << err;

  err = Refused({"case", "show", id, "Tr0ub4dor&3xyz"}, 2);
  EXPECT_TRUE(Contains(err, "passphrases are never taken as arguments")) << err;
  EXPECT_FALSE(Contains(err, "Tr0ub4dor")) << "the word itself is never echoed";
  err = Refused({"case", "show", id, "--passphrase", "correct horse battery staple"}, 2);
  EXPECT_TRUE(Contains(err, "passphrases are never taken as arguments")) << err;
}

TEST_F(RoughEdges, MistypedCommandSuggestsTheNearest) {
  std::string err = Refused({"case", "shwo"}, 2);
  EXPECT_TRUE(Contains(err, "casepack: error: 'casepack case' has no command 'shwo'")) << err;
  EXPECT_TRUE(Contains(err, "did you mean 'casepack case show'?")) << err;
  err = Refused({"--lang", "en", "deadlnies"}, 2);
  EXPECT_TRUE(Contains(err, "did you mean 'casepack deadlines'?")) << err;
  // A word far from every command is not echoed (it may be a passphrase typed in the wrong place).
  err = Refused({"case", "correct horse battery staple"}, 2);
  EXPECT_FALSE(Contains(err, "did you mean")) << err;
  EXPECT_FALSE(Contains(err, "horse")) << err;
  EXPECT_TRUE(Contains(err, "passphrases are never taken as arguments")) << err;
  // Found by an outside test: a word far from every command got "A subcommand is required", which says
  // nothing about the word given. It is named as no command, still without echoing it.
  err = Refused({"frobnicate"}, 2);
  EXPECT_TRUE(Contains(err, "casepack: error: 'casepack' has no command by that name")) << err;
  EXPECT_TRUE(Contains(err, "casepack: hint: 'casepack --help' lists them")) << err;
  EXPECT_FALSE(Contains(err, "frobnicate")) << err;
  EXPECT_FALSE(Contains(err, "subcommand is required")) << err;
}

// Found by an outside test: a subject, an area, an action or a document's sender given in bytes that are not
// UTF-8 was stored; afterwards `case list --json`, `case show --json` and `pack seal` stopped with an internal
// error, and `doc add` left its encrypted file in blobs/. Every word of a command must be UTF-8: refused
// before the store is opened, the word not echoed.
TEST_F(RoughEdges, WordsThatAreNotUtf8AreRefusedBeforeAnythingIsStored) {
  const std::string id = Mas("A.B.", "Newport", 3);
  const json list_before = Json({"case", "list", "--json"});
  const auto blob_files = [&]() -> std::ptrdiff_t {
    const fs::path dir = fs::path(store_) / "blobs";
    if (!fs::exists(dir)) return 0;
    return std::distance(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator{});
  };
  const auto blobs_before = blob_files();
  const std::string bad = "A\xff\xfe" "B";
  WriteFile(tmp_ / "doc.txt", "hello\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"case", "new", "--type", "MAS", "--subject", bad, "--area", "X"},
        {"case", "set", id, "--area", bad},
        {"action", "add", id, "--what", bad, "--owner-agency", "BU", "--due", DaysFromToday(7)},
        {"doc", "add", id, (tmp_ / "doc.txt").string(), "--type", "other", "--from", bad}}) {
    const std::string err = Refused(args, 2);
    EXPECT_TRUE(Contains(err, "casepack: error: word ")) << err;
    EXPECT_TRUE(Contains(err, "is not valid UTF-8 text; nothing was changed")) << err;
    EXPECT_FALSE(Contains(err, "\xff")) << "the word is not echoed";
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2) << err;
  }
  EXPECT_EQ(Json({"case", "list", "--json"}), list_before);
  EXPECT_EQ(blob_files(), blobs_before);
  // UTF-8 but not one line: a terminal code in a subject would reach every list of cases raw.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"case", "new", "--type", "MAS", "--subject", "A.\x1b[31mB.", "--area", "X"},
        {"case", "set", id, "--area", "New\nport"}}) {
    const std::string err = Refused(args, 1);
    EXPECT_TRUE(Contains(err, "contains a control character")) << err;
  }
  EXPECT_EQ(Json({"case", "list", "--json"}), list_before);
}

TEST_F(RoughEdges, CaseNewJsonSetSubjectAndAreaAndClearAKeyDate) {
  const std::string conference = DaysFromToday(-5), booked = DaysFromToday(-1);
  const json made = Json({"case", "new", "--type", "MAS", "--subject", "J.S.", "--area", "Newprot", "--date",
                          "referral-conference=" + conference, "--date", "event-booked=" + booked, "--json"});
  ASSERT_TRUE(made.is_object()) << made;
  const std::string id = made["id"];
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(made["subject"]["name_or_initials"], "J.S.") << made;
  EXPECT_EQ(made["key_dates"]["event-booked"], booked) << made;

  Ok({"case", "set", id, "--subject", "J.T.", "--area", "Newport", "--clear-date", "event-booked"});
  const json after = Show(id);
  EXPECT_EQ(after["subject"]["name_or_initials"], "J.T.");
  EXPECT_EQ(after["subject"]["area"], "Newport");
  EXPECT_FALSE(after["key_dates"].contains("event-booked")) << after["key_dates"];
  EXPECT_EQ(after["key_dates"]["referral-conference"], conference);
  EXPECT_EQ(Deadlines(id, DaysFromToday(0))["event-booked"]["state"], "due") << "the cleared step is open again";

  // A key the type lacks, or a date both set and cleared, changes nothing.
  EXPECT_TRUE(Contains(Refused({"case", "set", id, "--clear-date", "minutes-sent"}, 1), "--clear-date"));
  EXPECT_TRUE(Contains(Refused({"case", "set", id, "--date", "event=" + DaysFromToday(3), "--clear-date", "event"}, 1),
                       "also given a --date"));
  EXPECT_EQ(Show(id)["key_dates"], after["key_dates"]);
}

TEST_F(RoughEdges, RowsCanBeDeletedAndTheAuditSaysSoWithoutContent) {
  const std::string id = Mas("Distinctive Subject", "Newport", 3);
  WriteFile(tmp_ / "wrong-child.txt", "Minutes about another child entirely.\n");
  const std::string doc = FirstWord(Ok({"doc", "add", id, (tmp_ / "wrong-child.txt").string(), "--type", "icpc-minutes",
                                        "--from", "Newport CS"}));
  const std::string who = FirstWord(Ok({"attend", id, "--agency", "Health", "--status", "invited"}));
  const std::string act = FirstWord(Ok({"action", "add", id, "--what", "Book the room", "--owner-agency", "BU", "--due",
                                        DaysFromToday(7)}));
  const std::string row = FirstWord(Ok({"chronology", "add", id, "--when", DaysFromToday(-30), "--source", "Police",
                                        "--event", "Secret event text"}));
  const std::string form = FirstWord(Ok({"feedback", "add", id, "--agency", "Health", "--role", "HV"}));
  const json before = Show(id);
  ASSERT_EQ(before["documents"].size(), 1u);
  const auto blob_files = [&] { return std::distance(fs::recursive_directory_iterator(fs::path(store_) / "blobs"), fs::recursive_directory_iterator{}); };
  const auto blobs_before = blob_files();

  EXPECT_TRUE(Contains(Ok({"doc", "rm", id, doc.substr(0, 6)}), "deleted document"));
  Ok({"attend", "rm", id, who});
  Ok({"action", "rm", id, act});
  EXPECT_EQ(Json({"chronology", "list", id, "--json"})[0]["id"], row) << "a script finds the id to remove";
  Ok({"chronology", "rm", id, row});
  Ok({"feedback", "rm", id, form});
  const json after = Show(id);
  for (const char* table : {"documents", "attendance", "actions", "chronology", "feedback"})
    EXPECT_TRUE(after[table].empty()) << table << ": " << after[table];
  EXPECT_LT(blob_files(), blobs_before)
      << "the document's encrypted file goes with it, not at the purge";
  // The same bytes can be added again (their hash no longer blocks them), under a new id.
  EXPECT_NE(FirstWord(Ok({"doc", "add", id, (tmp_ / "wrong-child.txt").string(), "--type", "icpc-minutes", "--from", "Newport CS"})), doc);

  // Gone rows are "not found"; the audit names kind and id, never content.
  EXPECT_TRUE(Contains(Refused({"doc", "rm", id, doc}, 1), "no document"));
  const std::string log = Ok({"audit", "list", "--json"});
  for (const std::string& expect : {"document " + doc + " deleted", "attendee " + who + " deleted", "action " + act + " deleted",
                                    "chronology entry " + row + " deleted", "feedback form " + form + " deleted"})
    EXPECT_TRUE(Contains(log, expect)) << expect;
  EXPECT_TRUE(Contains(log, "\"kind\":\"delete\"")) << log;
  for (const char* content : {"Distinctive", "Secret event", "another child", "Book the room"})
    EXPECT_FALSE(Contains(log, content)) << content;
}

TEST_F(RoughEdges, DeadlinesTextNamesTheCaseAndShowsTheNotes) {
  const std::string id = Mas("Gwenllïan", "Ynys Môn", 5);
  const std::string late = DaysFromToday(-5 + 42 + 10);  // ten days after the 6-week limit
  Ok({"case", "set", id, "--date", "event=" + late});
  const std::string out = Ok({"deadlines"});
  EXPECT_TRUE(Contains(out, id.substr(0, 8) + "  MAS  Gwenllïan, Ynys Môn")) << out;
  EXPECT_TRUE(Contains(out, "scheduled for " + late + ", after the limit")) << out;
  const auto j = Deadlines(id, DaysFromToday(0));
  EXPECT_EQ(j.at("event")["note"], "scheduled for " + late + ", after the limit") << "the text says what --json says";
}

TEST_F(RoughEdges, NoteSectionIsCheckedBeforeTheTextAndEmptyInputNeverWipesASection) {
  const std::string id = Mas("A.B.", "Newport", 3);
  // Refused before a byte of input is read: the text typed is not lost after a slip in the key.
  std::string err = Refused({"note", "add", id, "storey"}, 1, {.stdin_data = "A long paragraph typed with care.\n"});
  EXPECT_TRUE(Contains(err, "SECTION")) << err;
  EXPECT_TRUE(Contains(Refused({"note", "add", id, "plan"}, 1, {.stdin_data = "x\n"}), "plan")) << "a MAPM section on a MAS case";

  WithStdin({"note", "set", id, "story"}, "The story so far.\n");
  err = Refused({"note", "set", id, "story"}, 1, {.stdin_data = ""});
  EXPECT_TRUE(Contains(err, "the note is empty: nothing was changed")) << err;
  EXPECT_TRUE(Contains(err, "--clear")) << err;
  EXPECT_TRUE(Contains(Refused({"note", "add", id, "story"}, 1, {.stdin_data = " \n\n"}), "the note is empty"));
  EXPECT_EQ(Json({"note", "show", id, "story", "--json"})["story"], "The story so far.\n");
  EXPECT_TRUE(Contains(Ok({"note", "set", id, "story", "--clear"}), "cleared story"));
  EXPECT_FALSE(Json({"note", "show", id, "story", "--json"}).contains("story"));
}

TEST_F(RoughEdges, CtrlCWhileTypingKeepsNothingAndSaysSo) {
  const std::string id = Mas("A.B.", "Newport", 3);
  // Standard input is a FIFO held open for reading and writing, so the read waits as for a person typing;
  // timeout(1) then delivers SIGINT, as Ctrl-C does. The wait only gives casepack time to open the store
  // and reach the read (well under a second); the outcome does not depend on it otherwise.
  const fs::path fifo = tmp_ / "typing";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  RunOptions opt;
  opt.prefix = {"sh", "-c", "exec timeout -s INT --preserve-status 6 \"$@\" 0<>\"" + fifo.string() + "\"", "sh"};
  auto r = Cli({"note", "add", id, "story"}, opt);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_TRUE(Contains(r.err, "casepack: error: interrupted: nothing was saved")) << r.err;
  EXPECT_FALSE(Json({"note", "show", id, "--json"}).contains("story"));
}

TEST_F(RoughEdges, CaseListPadsByCharactersAndCutsLongValues) {
  Mas("Gwenllïan", "Ynys Môn", 3);
  Mas("Gwenllian", "Ynys Mon", 3);
  Mas("A name far longer than any column should ever hold", "Rhondda Cynon Taf County Borough", 3);
  const std::string out = Ok({"case", "list"});
  const auto accented = LinesWith(out, "Gwenllïan"), plain = LinesWith(out, "Gwenllian ");
  ASSERT_EQ(accented.size(), 1u) << out;
  ASSERT_EQ(plain.size(), 1u) << out;
  EXPECT_EQ(DisplayWidth(accented[0]), DisplayWidth(plain[0])) << out;
  // The area column starts at the same character position on every row.
  const auto area_at = [](const std::string& line, const std::string& area) { return DisplayWidth(line.substr(0, line.find(area))); };
  EXPECT_EQ(area_at(accented[0], "Ynys Môn"), area_at(plain[0], "Ynys Mon"));
  const auto long_row = LinesWith(out, "A name far");
  ASSERT_EQ(long_row.size(), 1u);
  EXPECT_TRUE(Contains(long_row[0], "…")) << long_row[0];
  EXPECT_FALSE(Contains(long_row[0], "ever hold")) << "a long value is cut, not run into the next column";
  EXPECT_EQ(area_at(long_row[0], "Rhondda"), area_at(plain[0], "Ynys Mon")) << out;
}

TEST_F(RoughEdges, CaseListSortsBySubjectInTheLanguagesAlphabetOrByDeadline) {
  Mas("Lowri", "Cardiff", 20);     // next deadline soonest
  Mas("Llinos", "Cardiff", 2);
  Mas("Catrin", "Cardiff", 10);
  Mas("Chris", "Cardiff", 5);
  // The subjects in the order the command prints them (`case list` follows a name with spaces, `deadlines`
  // with ", area").
  auto order = [&](const std::vector<std::string>& args) {
    const std::string out = Ok(args);
    const std::string after = args.back() == "deadlines" ? "," : " ";
    std::vector<std::pair<std::size_t, std::string>> at;
    for (const char* n : {"Lowri", "Llinos", "Catrin", "Chris"}) {
      at.emplace_back(out.find(std::string(" ") + n + after), n);
      EXPECT_NE(at.back().first, std::string::npos) << n << " not in:\n" << out;
    }
    std::sort(at.begin(), at.end());
    std::string s;
    for (const auto& [pos, n] : at) s += (s.empty() ? "" : " ") + n;
    return s;
  };
  EXPECT_EQ(order({"--lang", "en", "case", "list"}), "Catrin Chris Llinos Lowri");
  EXPECT_EQ(order({"--lang", "cy", "case", "list"}), "Catrin Chris Lowri Llinos") << "ll is a letter after l in Welsh";
  EXPECT_EQ(order({"case", "list", "--sort", "deadline"}), "Lowri Catrin Chris Llinos");
  EXPECT_EQ(order({"--lang", "cy", "deadlines"}), "Catrin Chris Lowri Llinos") << "deadlines lists cases in the same order";
}

TEST_F(RoughEdges, AListOfOnlyPurgedCasesDoesNotSayNoCasesYet) {
  EXPECT_TRUE(Contains(Ok({"case", "list"}), "no cases yet"));
  // A case past its purge date: the next command purges it and keeps its basics.
  NewCase({"--type", "MAS", "--subject", "P.Q.", "--area", "Torfaen", "--date", "event=" + DaysFromToday(-200), "--date",
           "summary-report-sent=" + DaysFromToday(-190), "--past-purge-date"});
  const std::string out = Ok({"case", "list"});
  EXPECT_TRUE(Contains(out, "purged on")) << out;
  EXPECT_FALSE(Contains(out, "no cases yet")) << out;
}

TEST_F(RoughEdges, MissingAttendeeAndOwnerlessActionSayWhatIsMissing) {
  const std::string id = Mas("A.B.", "Newport", 3);
  std::string err = Refused({"attend", id, "--id", "abcdef12", "--status", "attended"}, 1);
  EXPECT_TRUE(Contains(err, "no attendee 'abcdef12'")) << err;
  EXPECT_FALSE(Contains(err, "has no agency")) << err;
  err = Refused({"action", "add", id, "--what", "Book the room", "--due", DaysFromToday(7)}, 2);
  EXPECT_TRUE(Contains(err, "an action needs an owner: --owner-agency")) << err;
  // Found by an outside test: an empty --what was refused naming an action id that was never made.
  err = Refused({"action", "add", id, "--what", "", "--owner-agency", "BU", "--due", DaysFromToday(7)}, 1);
  EXPECT_TRUE(Contains(err, "casepack: error: the action does not say what is to be done\n")) << err;
  EXPECT_TRUE(Show(id)["actions"].empty());
}

TEST_F(RoughEdges, ImplausibleDatesAreRefusedWithTheReasonAndChangeNothing) {
  const std::string meeting = DaysFromToday(-3);
  const std::string id = NewCase({"--type", "MAPM", "--subject", "A.B.", "--area", "Newport", "--date", "meeting=" + meeting});
  const json before = Show(id);
  std::string err = Refused({"case", "set", id, "--date", "minutes-sent=" + DaysFromToday(-5)}, 1);
  EXPECT_TRUE(Contains(err, "casepack: error: minutes-sent " + DaysFromToday(-5) + " is before meeting " + meeting +
                                ": minutes are sent after the meeting")) << err;
  // A review decades ahead would silently move the purge date with it.
  const std::string far = DaysFromToday(46 * 365);
  err = Refused({"case", "set", id, "--date", "next-review=" + far}, 1);
  EXPECT_TRUE(Contains(err, "next-review " + far + " is more than 2 years after today")) << err;
  EXPECT_TRUE(Contains(err, "purge date")) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2) << "one error line and one hint:\n" << err;
  EXPECT_TRUE(Contains(Refused({"case", "new", "--type", "MAS", "--subject", "C.D.", "--area", "Newport", "--date",
                                "referral-conference=" + DaysFromToday(-1), "--date", "event=" + DaysFromToday(-9)}, 1),
                       "event " + DaysFromToday(-9) + " is before referral-conference"));
  // Found by an outside test: an event whose purge date falls past 9999-12-31 aborted with no message.
  for (const char* last : {"9999-09-03", "9999-12-31"}) {
    err = Refused({"case", "new", "--type", "MAS", "--subject", "C.D.", "--area", "Newport", "--date",
                   std::string("event=") + last}, 1);
    EXPECT_TRUE(Contains(err, std::string("event ") + last + " is more than 2 years after today")) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 2) << err;
  }
  const json after = Show(id);
  EXPECT_EQ(after["key_dates"], before["key_dates"]);
  EXPECT_EQ(after["retention"], before["retention"]);
  // Plausible dates still go in: the same day, and a review within the limit.
  Ok({"case", "set", id, "--date", "minutes-sent=" + meeting, "--date", "next-review=" + DaysFromToday(80)});
}

// Issue 16 (MAS): Appendix 4's prompt questions, in schema/, are shown where notes are taken and read.
TEST_F(RoughEdges, SectionPromptsAreShown) {
  const std::string id = Mas("A.B.", "Newport", 3);
  EXPECT_TRUE(Contains(Ok({"case", "keys", "--type", "MAS"}), "What has brought us to this point?"));
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "case", "keys", "--type", "MAS"}), "Beth sydd wedi dod â ni i'r pwynt hwn?"));
  EXPECT_TRUE(Contains(Ok({"case", "keys", "--type", "MAPM"}), "What is the issue to be addressed?"));
  const std::string notes = Ok({"note", "show", id});
  EXPECT_TRUE(Contains(notes, "## Story of the case so far  [story]\n(What has brought us to this point?")) << notes;
  EXPECT_TRUE(Contains(Ok({"--lang", "cy", "note", "show", id, "story"}), "## Hanes yr achos hyd yma  [story]"));
}

// Issue 16 (CPR/APR): the guidance and agencies write dates DD/MM/YYYY; they are taken as typed.
TEST_F(RoughEdges, DatesTypedAsTheGuidanceWritesThem) {
  const std::string id = Mas("A.B.", "Newport", 3);
  const std::string iso = DaysFromToday(4), iso_past = DaysFromToday(-40);
  auto uk = [](const std::string& d) { return d.substr(8, 2) + "/" + d.substr(5, 2) + "/" + d.substr(0, 4); };
  Ok({"case", "set", id, "--date", "event=" + uk(iso)});
  EXPECT_EQ(Show(id)["key_dates"]["event"], iso);
  Ok({"chronology", "add", id, "--when", uk(iso_past) + " 09:15", "--source", "Police", "--event", "Call-out"});
  Ok({"chronology", "add", id, "--when", uk(iso_past), "--source", "Health", "--event", "Visit"});
  const json rows = Json({"chronology", "list", id, "--json"});
  ASSERT_EQ(rows.size(), 2u) << rows;
  EXPECT_EQ(rows.dump().find(iso_past + "T09:15") != std::string::npos, true) << rows;
  EXPECT_TRUE(Contains(Refused({"chronology", "add", id, "--when", "31/02/2026", "--source", "x", "--event", "y"}, 1), "--when"));
}

}  // namespace
}  // namespace casepack::testing
