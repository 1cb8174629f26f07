// The real window's panels for the guidance's processes (issue 16): MAS referral, facilitators' meetings
// and Summary Report writer; actions overdue and reported back (003 §4.7); participant feedback edited;
// the papers checklist of 003 §4.6; the MAPF referral route, planning group and agreements (000 §1, §4,
// §6, §7) and the 001 action plan form; the MAPM meeting record, every review of its action plan (002 §10)
// and the distribution of its minutes. Each is typed into the window, then seen again in a fresh window on
// the same store, and in the store itself through the session API. Screenshots of each panel
// (build/release/desktop-screenshots/process-*.png, also in Welsh).
#include <QCheckBox>
#include <QGroupBox>
#include <QLabel>

#include "casepack/dates.h"

#include "case_view.h"
#include "desktop_support.h"
#include "session.h"
#include "support/process.h"

namespace casepack::desktop::testing {
namespace {

using casepack::testing::TempDir;

Date Day(int days_from_today) {
  const QDate q = QDate::currentDate().addDays(days_from_today);
  return Date{q.year(), q.month(), q.day()};
}

class ProcessTabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>(std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path());
  }
  void TearDown() override { window_.reset(); }

  std::filesystem::path Store() const { return dir_->path() / "store"; }
  MainWindow& w() { return *window_; }
  CaseView* v() { return window_->caseView(); }

  // A store with one case of type `t` (Welsh letters in the subject), open in a window.
  void Start(EventType t, std::map<std::string, Date, std::less<>> dates) {
    {
      auto s = DesktopSession::Create(Store(), kPass, "Sioned Hughes", /*cheap_kdf_for_tests=*/true);
      ASSERT_TRUE(s.ok()) << s.error().message;
      NewCase c;
      c.event_type = t;
      c.subject = {"Gwenllïan", "Ceredigion"};
      c.lead_agency = "Cyngor Sir Ceredigion";
      c.key_dates = std::move(dates);
      auto id = (*s)->CreateCase(c);
      ASSERT_TRUE(id.ok()) << id.error().message;
      case_id_ = *id;
    }
    ASSERT_NO_FATAL_FAILURE(OpenWindow());
  }

  // A store with no case, open in a window (cases come from the new-case dialog).
  void StartEmpty() {
    ASSERT_TRUE(DesktopSession::Create(Store(), kPass, "Sioned Hughes", /*cheap_kdf_for_tests=*/true).ok());
    window_ = MakeTestWindow(dir_->path());
    connect_problems();
    ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(w()));
  }

  // Types the chronology's header into its lines and presses Enter in the last.
  void TypeChronologyHeader(const QString& subject, const QString& from, const QString& to, const QString& by,
                            const QString& on, const QString& version) {
    v()->tabs()->setCurrentIndex(4);
    Fill(v(), "Chronology subject", subject);
    Fill(v(), "Period covered from", from);
    Fill(v(), "Period covered to", to);
    Fill(v(), "Chronology completed by", by);
    Fill(v(), "Chronology completed on", on);
    ASSERT_NO_FATAL_FAILURE(Commit("field:Chronology version", version));
  }
  QTableWidget* Table(const char* name) { return v()->findChild<QTableWidget*>(name); }

  void OpenWindow() {
    window_ = MakeTestWindow(dir_->path());
    connect_problems();
    ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(w()));
    ASSERT_TRUE(WaitUntil([&] { return w().caseList()->rowCount() == 1; }));
    w().OpenCase(QString::fromStdString(case_id_));
    ASSERT_TRUE(WaitUntil([&] { return v() != nullptr && v()->case_id() == case_id_; })) << "the case did not open";
    Settle();
    v()->tabs()->setCurrentIndex(CaseView::kProcessTab);
  }

  // A fresh window on the same store (everything it shows comes from the store).
  void Reopen() {
    Settle();
    window_.reset();
    ASSERT_NO_FATAL_FAILURE(OpenWindow());
  }

  // Every save, then the reloads they ask for, then their results.
  void Settle() {
    for (int i = 0; i < 4; ++i) {
      w().worker().WaitIdle();
      QCoreApplication::processEvents();
    }
  }

  void connect_problems() {
    QObject::connect(window_.get(), &MainWindow::problem, window_.get(), [this](const QString& m) { problems_ << m; });
  }

  QLineEdit* Line(const QString& object) {
    auto* e = v()->findChild<QLineEdit*>(object);
    EXPECT_NE(e, nullptr) << object.toStdString();
    return e;
  }
  // Types into a line and presses Enter (the line saves when the person leaves it or presses Enter).
  void Commit(const QString& object, const QString& text) {
    QLineEdit* e = Line(object);
    ASSERT_NE(e, nullptr);
    e->setFocus();
    e->clear();
    TypeText(e, text);
    QTest::keyClick(e, Qt::Key_Return);
    Settle();
  }
  // Adds an action on the Actions tab and waits for its row.
  void AddAction(const QString& what, const QString& agency, const QString& due) {
    v()->tabs()->setCurrentIndex(3);
    const int before = v()->actionsTable()->rowCount();
    Fill(v(), "New action", what);
    Fill(v(), "New action owner agency", agency);
    Fill(v(), "New action due date", due);
    Click(v(), "Add action");
    ASSERT_TRUE(WaitUntil([&] { return v()->actionsTable()->rowCount() == before + 1; })) << what.toStdString();
  }
  QComboBox* Combo(const QString& name) { return v()->findChild<QComboBox*>("field:" + name); }
  QString Key(const QString& name) { return Combo(name)->currentData().toString(); }
  QString Label(const char* object) {
    auto* l = v()->findChild<QLabel*>(object);
    return l ? l->text() : QString();
  }
  int RowOf(QTableWidget* t, const QString& first_column) {
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->item(r, 0) && t->item(r, 0)->text() == first_column) return r;
    return -1;
  }
  CaseDetail StoredCase() {
    window_.reset();
    auto s = DesktopSession::Open(Store(), kPass);
    EXPECT_TRUE(s.ok());
    auto c = (*s)->GetCase(case_id_);
    EXPECT_TRUE(c.ok());
    return *c;
  }
  void Shot(const std::string& name) {
    Settle();
    SavePng(window_.get(), name);
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<MainWindow> window_;
  std::string case_id_;
  QStringList problems_;
};

TEST_F(ProcessTabTest, MasReferralFacilitatorsMeetingsAndReportWriterSurviveReopening) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMas, {{"referral-conference", Day(-10)}, {"event", Day(20)}}));
  ChooseKey(Combo("Referral decision"), "not-referred");
  ChooseKey(Combo("Referral reason"), "stuck");
  ChooseKey(Combo("Stuck case kind"), "drift");
  Fill(v(), "Referral details", "Cynllun heb newid ers 15 mis");
  Fill(v(), "Rationale for not referring", "Core group making progress; Siôn's school place secure");
  Fill(v(), "Referral decided on", Future(-10));
  Click(v(), "Save referral");
  Settle();
  ASSERT_NO_FATAL_FAILURE(Commit("date:facilitators-prepare", Future(15)));
  ASSERT_NO_FATAL_FAILURE(Commit("date:facilitators-debrief", Future(21)));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Summary Report writer", "Llŷr Price"));
  // A date typed on the wrong step goes when its line is emptied.
  ASSERT_NO_FATAL_FAILURE(Commit("date:facilitators-debrief", ""));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(Key("Referral decision"), "not-referred");
  EXPECT_EQ(Key("Referral reason"), "stuck");
  EXPECT_EQ(Key("Stuck case kind"), "drift");
  EXPECT_EQ(Line("field:Referral details")->text(), "Cynllun heb newid ers 15 mis");
  EXPECT_EQ(Line("field:Rationale for not referring")->text(), "Core group making progress; Siôn's school place secure");
  EXPECT_EQ(Line("field:Referral decided on")->text(), Future(-10));
  EXPECT_EQ(Line("date:facilitators-prepare")->text(), Future(15));
  EXPECT_EQ(Line("date:facilitators-debrief")->text(), "");
  EXPECT_EQ(Line("field:Summary Report writer")->text(), "Llŷr Price");

  const CaseDetail d = StoredCase();
  ASSERT_TRUE(d.process.mas_referral.has_value());
  EXPECT_FALSE(d.process.mas_referral->referred);
  EXPECT_EQ(d.process.mas_referral->stuck_kind, "drift");
  EXPECT_EQ(d.process.mas_referral->decided, Day(-10));
  EXPECT_EQ(d.process.report_writer, "Llŷr Price");
  EXPECT_EQ(d.record.KeyDate("facilitators-prepare"), Day(15));
  EXPECT_FALSE(d.record.KeyDate("facilitators-debrief").has_value());
}

TEST_F(ProcessTabTest, MasReferralMissingItsRationaleIsRefusedAndSaysWhy) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMas, {{"referral-conference", Day(-10)}}));
  ChooseKey(Combo("Referral decision"), "not-referred");
  Click(v(), "Save referral");
  Settle();
  ASSERT_EQ(problems_.size(), 1);
  EXPECT_TRUE(problems_[0].contains("rationale")) << problems_[0].toStdString();
  const CaseDetail d = StoredCase();
  EXPECT_FALSE(d.process.mas_referral.has_value());
}

TEST_F(ProcessTabTest, MasActionsOverdueReportedBackFeedbackEditedAndPapersChecklist) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMas, {{"referral-conference", Day(-40)}, {"event", Day(-20)}}));
  ASSERT_NO_FATAL_FAILURE(AddAction("Share school attendance weekly", "Addysg", Future(-3)));
  ASSERT_NO_FATAL_FAILURE(AddAction("Arrange a core group with Nain present", "Children's Services", Future(10)));
  QTableWidget* actions = v()->actionsTable();
  const int late = RowOf(actions, "Share school attendance weekly");
  const int due = RowOf(actions, "Arrange a core group with Nain present");
  ASSERT_GE(late, 0);
  ASSERT_GE(due, 0);
  EXPECT_EQ(actions->item(late, 5)->text(), "overdue by 3 days");
  EXPECT_EQ(actions->item(due, 5)->text(), "due in 10 days");
  // Reported back to the core group (003 §4.7).
  actions->setCurrentCell(late, 0);
  ChooseKey(Combo("Action reported to"), "core-group");
  Fill(v(), "Action reported on", Future(-1));
  Click(v(), "Record action reported");
  const QString when = QString::fromStdString(ScreenDate(Day(-1)));
  ASSERT_TRUE(WaitUntil([&] {
    const int r = RowOf(v()->actionsTable(), "Share school attendance weekly");
    return r >= 0 && v()->actionsTable()->item(r, 6)->text().contains(when);
  })) << "the report back is not shown";

  // A feedback form added, chosen, changed.
  v()->tabs()->setCurrentIndex(6);
  Fill(v(), "Feedback agency", "Addysg");
  Fill(v(), "Feedback role", "Athrawes");
  Fill(v(), "Feedback question 1", "Clywed barn pawb");
  Click(v(), "Add feedback form");
  ASSERT_TRUE(WaitUntil([&] { return v()->feedbackTable()->rowCount() == 1; }));
  v()->feedbackTable()->setCurrentCell(0, 0);
  EXPECT_EQ(Line("field:Feedback role")->text(), "Athrawes") << "the chosen form is shown to edit";
  EXPECT_EQ(Line("field:Feedback question 1")->text(), "Clywed barn pawb");
  Fill(v(), "Feedback role", "Pennaeth");
  Click(v(), "Save feedback form");
  ASSERT_TRUE(WaitUntil([&] { return v()->feedbackTable()->item(0, 1) && v()->feedbackTable()->item(0, 1)->text() == "Pennaeth"; }));
  EXPECT_EQ(v()->feedbackTable()->rowCount(), 1) << "edited, not added";

  // The four papers of 003 §4.6, three then four.
  const std::string id = case_id_;
  auto add = [&](DocumentType t, const char* name) {
    w().worker().Submit([=](std::unique_ptr<DesktopSession>& s) {
      ASSERT_TRUE(s->AddDocument(id, t, name, Day(-25), "Health", name).ok());
    });
  };
  add(DocumentType::kIcpcMinutes, "icpc.txt");
  add(DocumentType::kRcpcMinutes, "rcpc.txt");
  add(DocumentType::kCoreGroupMinutes, "core.txt");
  Settle();
  emit v()->reloadRequested();
  v()->tabs()->setCurrentIndex(5);
  ASSERT_TRUE(WaitUntil([&] { return Label("papersChecklist").contains("Still missing"); })) << Label("papersChecklist").toStdString();
  add(DocumentType::kChildProtectionPlan, "plan.txt");
  Settle();
  emit v()->reloadRequested();
  ASSERT_TRUE(WaitUntil([&] { return Label("papersChecklist").contains("All four papers are in."); }));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  ASSERT_NO_FATAL_FAILURE(Reopen());
  actions = v()->actionsTable();
  ASSERT_EQ(actions->rowCount(), 2);
  EXPECT_EQ(actions->item(RowOf(actions, "Share school attendance weekly"), 5)->text(), "overdue by 3 days");
  EXPECT_TRUE(actions->item(RowOf(actions, "Share school attendance weekly"), 6)->text().contains(when));
  EXPECT_EQ(v()->feedbackTable()->item(0, 1)->text(), "Pennaeth");
  EXPECT_TRUE(Label("papersChecklist").contains("All four papers are in."));

  const CaseDetail d = StoredCase();
  ASSERT_EQ(d.feedback.size(), 1u);
  EXPECT_EQ(d.feedback[0].second.role, "Pennaeth");
  EXPECT_EQ(d.feedback[0].second.answers.at("most-useful"), "Clywed barn pawb") << "the answers not shown stay";
  bool reported = false;
  for (const Action& a : d.actions)
    for (const ActionReport& r : a.reported) reported = reported || (r.to == "core-group" && r.on == Day(-1));
  EXPECT_TRUE(reported);
}

TEST_F(ProcessTabTest, MapfReferralRoutePlanningGroupAgreementsAndActionPlanForm) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapf, {{"event", Day(-10)}}));
  ASSERT_NO_FATAL_FAILURE(Commit("date:referral-agreed", Future(-40)));
  ASSERT_NO_FATAL_FAILURE(Commit("date:chair-approved", Future(-35)));
  ASSERT_NO_FATAL_FAILURE(Commit("date:principles-agreed", Future(-20)));
  const std::pair<const char*, const char*> members[] = {{"Cyngor Sir Ceredigion", "local-authority"},
                                                         {"Bwrdd Iechyd Prifysgol Hywel Dda", "health-board"},
                                                         {"Heddlu Dyfed-Powys", "police"}};
  QTableWidget* group = v()->planningTable();
  for (int i = 0; i < 2; ++i) {
    Fill(v(), "Member agency", members[i].first);
    ChooseKey(Combo("Member kind"), members[i].second);
    Click(v(), "Add planning group member");
    Settle();
  }
  ASSERT_EQ(group->rowCount(), 2);
  EXPECT_TRUE(Label("planningState").contains("Police")) << Label("planningState").toStdString();
  Fill(v(), "Member agency", members[2].first);
  ChooseKey(Combo("Member kind"), members[2].second);
  Click(v(), "Add planning group member");
  Fill(v(), "Member agency", "Ysgol Gyfun Aberaeron");
  ChooseKey(Combo("Member kind"), "education");
  v()->findChild<QCheckBox*>("field:Member co-opted")->setChecked(true);
  Fill(v(), "Member name", "Elin Jones");
  Click(v(), "Add planning group member");
  ASSERT_TRUE(WaitUntil([&] { return v()->planningTable()->rowCount() == 4; }));
  EXPECT_FALSE(Label("planningState").contains("no member")) << Label("planningState").toStdString();
  // The LOG before every agency: refused, and nothing recorded.
  Fill(v(), "LOG agreed on", Future(-1));
  Click(v(), "Record LOG agreement");
  Settle();
  EXPECT_EQ(problems_.size(), 1);
  EXPECT_TRUE(Label("logState").contains("Not yet agreed")) << Label("logState").toStdString();
  problems_.clear();
  for (int r = 0; r < 4; ++r) {
    v()->planningTable()->setCurrentCell(r, 0);
    Fill(v(), "Agency agreed on", Future(-5));
    Click(v(), "Record agency agreement");
    Settle();
  }
  Fill(v(), "LOG agreed on", Future(-1));
  Click(v(), "Record LOG agreement");
  Settle();
  const QString log_day = QString::fromStdString(ScreenDate(Day(-1)));
  EXPECT_TRUE(Label("logState").contains(log_day)) << Label("logState").toStdString();
  // The 001 action plan form of an action.
  ASSERT_NO_FATAL_FAILURE(AddAction("Joint training on neglect", "Bwrdd Diogelu", Future(60)));
  v()->actionsTable()->setCurrentCell(0, 0);
  const std::pair<const char*, QString> plan[] = {{"Action recommendation", "Agencies share neglect concerns early"},
                                                  {"Action rationale", "Signs seen by school and health separately"},
                                                  {"Action intended outcome", "One picture of the child's day"},
                                                  {"Action measure of success", "Referrals cite two agencies"},
                                                  {"Action progress", "Sesiwn gyntaf wedi'i threfnu"}};
  for (const auto& [field, text] : plan) Fill(v(), field, text);
  Click(v(), "Save action plan form");
  Settle();
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(Line("date:referral-agreed")->text(), Future(-40));
  EXPECT_EQ(Line("date:chair-approved")->text(), Future(-35));
  EXPECT_EQ(Line("date:principles-agreed")->text(), Future(-20));
  group = v()->planningTable();
  ASSERT_EQ(group->rowCount(), 4);
  const QString agreed = QString::fromStdString(ScreenDate(Day(-5)));
  for (int r = 0; r < 4; ++r) EXPECT_EQ(group->item(r, 4)->text(), agreed);
  EXPECT_TRUE(group->item(RowOf(group, "Ysgol Gyfun Aberaeron"), 1)->text().contains("co-opted"));
  EXPECT_TRUE(Label("logState").contains(log_day));
  v()->tabs()->setCurrentIndex(3);
  v()->actionsTable()->setCurrentCell(0, 0);
  for (const auto& [field, text] : plan) EXPECT_EQ(Line(QString("field:") + field)->text(), text) << field;

  const CaseDetail d = StoredCase();
  EXPECT_EQ(d.record.KeyDate("log-agreed"), Day(-1));
  EXPECT_EQ(d.record.KeyDate("chair-approved"), Day(-35));
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].plan.measure, "Referrals cite two agencies");
  EXPECT_EQ(d.actions[0].plan.progress, "Sesiwn gyntaf wedi'i threfnu");
}

TEST_F(ProcessTabTest, MapmChairMinuteTakerFamilyEveryReviewAndDistribution) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapm, {{"meeting", Day(-30)}}));
  const std::string id = case_id_;
  w().worker().Submit([=](std::unique_ptr<DesktopSession>& s) {
    Attendance a;
    a.agency = "Heddlu Dyfed-Powys";
    a.role = "PCSO";
    a.status = AttendanceStatus::kAttended;
    ASSERT_TRUE(s->RecordAttendance(id, std::nullopt, a).ok());
  });
  Settle();
  ASSERT_NO_FATAL_FAILURE(Commit("field:Meeting time", "9:30"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Chair", "Rhian Lewis (Iechyd)"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Minute-taker", "Dafydd Ôg (Addysg)"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Informs the family", "Rhian Lewis"));
  ChooseKey(Combo("Family awareness"), "objected");
  v()->findChild<QCheckBox*>("field:Minutes to family")->setChecked(true);
  Settle();
  // Two reviews: both kept; the second agrees a next review more than three months on.
  Fill(v(), "Review held", Future(-15));
  Fill(v(), "Next review", Future(-2));
  Fill(v(), "Review note", "Cynllun yn symud ymlaen");
  Click(v(), "Add review");
  Settle();
  Fill(v(), "Review held", Future(-2));
  Fill(v(), "Next review", Future(120));
  Click(v(), "Add review");
  ASSERT_TRUE(WaitUntil([&] { return v()->reviewsTable()->rowCount() == 2; }));
  // The distribution: the attendee and, as the minutes go to the family, the family.
  QTableWidget* to = v()->recipientsTable();
  ASSERT_TRUE(WaitUntil([&] { return v()->recipientsTable()->rowCount() == 2; })) << v()->recipientsTable()->rowCount();
  to->setCurrentCell(0, 0);
  Fill(v(), "Sent on", Future(-25));
  Click(v(), "Record sent");
  const QString sent = QString::fromStdString(ScreenDate(Day(-25)));
  ASSERT_TRUE(WaitUntil([&] { return v()->recipientsTable()->item(0, 1) && v()->recipientsTable()->item(0, 1)->text() == sent; }));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(Line("field:Meeting time")->text(), "09:30");
  EXPECT_EQ(Line("field:Chair")->text(), "Rhian Lewis (Iechyd)");
  EXPECT_EQ(Line("field:Minute-taker")->text(), "Dafydd Ôg (Addysg)");
  EXPECT_EQ(Line("field:Informs the family")->text(), "Rhian Lewis");
  EXPECT_EQ(Key("Family awareness"), "objected");
  EXPECT_TRUE(v()->findChild<QCheckBox*>("field:Minutes to family")->isChecked());
  QTableWidget* reviews = v()->reviewsTable();
  ASSERT_EQ(reviews->rowCount(), 2);
  EXPECT_EQ(reviews->item(0, 0)->text(), QString::fromStdString(ScreenDate(Day(-15))));
  EXPECT_FALSE(reviews->item(0, 1)->text().contains("⚠"));
  EXPECT_TRUE(reviews->item(1, 1)->text().contains("⚠")) << "a next review past three months is flagged";
  EXPECT_EQ(reviews->item(0, 2)->text(), "Cynllun yn symud ymlaen");
  ASSERT_TRUE(WaitUntil([&] { return v()->recipientsTable()->rowCount() == 2; }));
  EXPECT_EQ(v()->recipientsTable()->item(0, 1)->text(), sent);

  const CaseDetail d = StoredCase();
  EXPECT_EQ(d.mapm.chair, "Rhian Lewis (Iechyd)");
  EXPECT_EQ(d.mapm.minute_taker, "Dafydd Ôg (Addysg)");
  ASSERT_TRUE(d.mapm.meeting_time.has_value());
  EXPECT_EQ(FormatTimeOfDay(*d.mapm.meeting_time), "09:30");
  EXPECT_EQ(d.mapm.family, FamilyAwareness::kObjected);
  EXPECT_TRUE(d.mapm.minutes_to_family);
  EXPECT_EQ(d.mapm.reviews.size(), 2u);

  // A time typed by mistake is cleared by emptying the field.
  ASSERT_NO_FATAL_FAILURE(OpenWindow());
  ASSERT_EQ(Line("field:Meeting time")->text(), "09:30");
  ASSERT_NO_FATAL_FAILURE(Commit("field:Meeting time", ""));
  Settle();
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();
  EXPECT_FALSE(StoredCase().mapm.meeting_time.has_value());
  ASSERT_NO_FATAL_FAILURE(OpenWindow());
  EXPECT_EQ(Line("field:Meeting time")->text(), "");
}

TEST_F(ProcessTabTest, PlanningMembersAndReviewsDeleteAfterConfirmation) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapf, {{"event", Day(-10)}}));
  Fill(v(), "Member agency", "Heddlu Dyfed-Powys");
  ChooseKey(Combo("Member kind"), "police");
  Click(v(), "Add planning group member");
  ASSERT_TRUE(WaitUntil([&] { return v()->planningTable()->rowCount() == 1; }));
  v()->planningTable()->setCurrentCell(0, 0);
  AnswerNextModal(&w(), "confirmDelete:no");
  Click(v(), "Delete planning group member");
  Settle();
  EXPECT_EQ(v()->planningTable()->rowCount(), 1) << "\"Keep it\" keeps it";
  AnswerNextModal(&w(), "confirmDelete:yes");
  Click(v(), "Delete planning group member");
  ASSERT_TRUE(WaitUntil([&] { return v()->planningTable()->rowCount() == 0; }));
  EXPECT_TRUE(StoredCase().process.planning_group.empty());

  std::filesystem::remove_all(Store());
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapm, {{"meeting", Day(-30)}}));
  for (int held : {-20, -5}) {
    Fill(v(), "Review held", Future(held));
    Fill(v(), "Next review", Future(held + 60));
    Click(v(), "Add review");
    Settle();
  }
  ASSERT_EQ(v()->reviewsTable()->rowCount(), 2);
  v()->reviewsTable()->setCurrentCell(0, 0);
  AnswerNextModal(&w(), "confirmDelete:yes");
  Click(v(), "Delete review");
  ASSERT_TRUE(WaitUntil([&] { return v()->reviewsTable()->rowCount() == 1; }));
  EXPECT_EQ(v()->reviewsTable()->item(0, 0)->text(), QString::fromStdString(ScreenDate(Day(-5)))) << "the chosen review went";
  const CaseDetail d = StoredCase();
  ASSERT_EQ(d.mapm.reviews.size(), 1u);
  EXPECT_EQ(d.mapm.reviews[0].second.held, Day(-5));
}

// A name or area typed wrongly is corrected on the Overview (`casepack case set --subject/--area`): the header,
// the case list and the store follow.
TEST_F(ProcessTabTest, BasicsCorrectedOnTheOverviewShowInTheHeaderTheListAndTheStore) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapm, {{"meeting", Day(-3)}}));
  v()->tabs()->setCurrentIndex(0);
  EXPECT_EQ(Line("field:Child's name or initials")->text(), "Gwenllïan");
  ASSERT_NO_FATAL_FAILURE(Commit("field:Child's name or initials", "G.Ll."));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Local authority area", "Sir Benfro"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Lead or convening agency", "Ysgol y Preseli"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Venue", "Crymych"));
  ASSERT_TRUE(WaitUntil([&] { return v()->findChild<QLabel*>("caseHeader")->text().startsWith("G.Ll. · Sir Benfro"); }))
      << v()->findChild<QLabel*>("caseHeader")->text().toStdString();
  ASSERT_TRUE(WaitUntil([&] { return w().caseList()->item(0, 0)->text().contains("G.Ll."); }));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();
  // Typed and not yet left when the window locks (Ctrl+L): saved, not lost.
  QLineEdit* venue = Line("field:Venue");
  venue->setFocus();
  venue->clear();
  TypeText(venue, "Neuadd y Dref, Crymych");
  w().Lock();
  Settle();
  ASSERT_NO_FATAL_FAILURE(Reopen());
  EXPECT_EQ(Line("field:Local authority area")->text(), "Sir Benfro");
  EXPECT_EQ(Line("field:Venue")->text(), "Neuadd y Dref, Crymych");
  const CaseDetail d = StoredCase();
  EXPECT_EQ(d.record.subject.name_or_initials, "G.Ll.");
  EXPECT_EQ(d.record.subject.area, "Sir Benfro");
  EXPECT_EQ(d.record.lead_agency, "Ysgol y Preseli");
  EXPECT_EQ(d.record.venue, "Neuadd y Dref, Crymych");
}

// Appendix 4's "Introductions / purpose and aims" and "Evaluating the supervision" are on the Event tab with
// the guidance's questions: grey in the empty editor, and still a tool tip once typing has hidden them.
TEST_F(ProcessTabTest, MasIntroductionsAndEvaluationShowTheirQuestions) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMas, {{"referral-conference", Day(-10)}}));
  for (const char* key : {"introductions", "evaluation"}) {
    NoteEditor* e = v()->editor(key);
    ASSERT_NE(e, nullptr) << key;
    const auto def = FindNoteSection(EventType::kMas, key);
    ASSERT_TRUE(def.ok());
    const QString prompt = QString::fromStdString(SectionPrompt(UiLanguage(), EventType::kMas, **def));
    EXPECT_FALSE(prompt.isEmpty()) << key;
    EXPECT_EQ(e->placeholderText(), prompt) << key;
    e->setFocus();
    TypeText(e, "Cyflwyniadau");
    EXPECT_EQ(e->toolTip(), prompt) << key;
  }
}

// PNGs of the new panels (README: build/release/desktop-screenshots/process-*.png), in the run's language.
TEST_F(ProcessTabTest, ChronologyHeaderTypedSavedAndSeenInAFreshWindow) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kCpr, {{"referral", Day(-30)}}));
  ASSERT_NO_FATAL_FAILURE(TypeChronologyHeader("G.ll. (Gwenllïan)", Future(-400), Future(-35), "Rhian Lewis, Health Visitor, BIP Hywel Dda",
                                               Future(-5), "2"));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  ASSERT_NO_FATAL_FAILURE(Reopen());
  v()->tabs()->setCurrentIndex(4);
  EXPECT_EQ(Line("field:Chronology subject")->text(), "G.ll. (Gwenllïan)");
  EXPECT_EQ(Line("field:Period covered from")->text(), Future(-400));
  EXPECT_EQ(Line("field:Period covered to")->text(), Future(-35));
  EXPECT_EQ(Line("field:Chronology completed by")->text(), "Rhian Lewis, Health Visitor, BIP Hywel Dda");
  EXPECT_EQ(Line("field:Chronology completed on")->text(), Future(-5));
  EXPECT_EQ(Line("field:Chronology version")->text(), "2");
  // A date emptied goes; the rest stay.
  ASSERT_NO_FATAL_FAILURE(Commit("field:Chronology completed on", ""));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  const CaseDetail d = StoredCase();
  const ChronologyHeader& h = d.chronology_header;
  EXPECT_EQ(h.subject, "G.ll. (Gwenllïan)");
  EXPECT_EQ(h.from, Day(-400));
  EXPECT_EQ(h.to, Day(-35));
  EXPECT_EQ(h.completed_by, "Rhian Lewis, Health Visitor, BIP Hywel Dda");
  EXPECT_FALSE(h.date.has_value());
  EXPECT_EQ(h.version, "2");
}

TEST_F(ProcessTabTest, ChronologyHeaderPeriodEndingBeforeItStartsIsRefusedWithTheReason) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kCpr, {{"referral", Day(-30)}}));
  ASSERT_NO_FATAL_FAILURE(TypeChronologyHeader("G.ll.", Future(-35), Future(-400), "Rhian Lewis", Future(-5), "1"));
  ASSERT_EQ(problems_.size(), 1) << problems_.join("\n").toStdString();
  const QString from = QString::fromStdString(FormatDate(Day(-35))), to = QString::fromStdString(FormatDate(Day(-400)));
  EXPECT_TRUE(problems_[0].contains("ends (" + to + ") before it starts (" + from + ")")) << problems_[0].toStdString();
  EXPECT_TRUE(problems_[0].contains("time period covered")) << problems_[0].toStdString();
  EXPECT_FALSE(problems_[0].contains("--from")) << problems_[0].toStdString();
  // An unreadable date never reaches the store either.
  ASSERT_NO_FATAL_FAILURE(Commit("field:Period covered to", "31/02/2026"));
  ASSERT_EQ(problems_.size(), 2);
  EXPECT_TRUE(problems_[1].contains("DD/MM/YYYY")) << problems_[1].toStdString();
  const CaseDetail d = StoredCase();
  EXPECT_TRUE(d.chronology_header.empty());
}

TEST_F(ProcessTabTest, CprCaseCreatedInTheNewCaseDialogShowsItsKeyDatesSectionsReviewersAndReportDeadline) {
  ASSERT_NO_FATAL_FAILURE(StartEmpty());
  QString reviewers_label;
  ASSERT_NO_FATAL_FAILURE(CreateCaseThroughDialog(w(), "E.J.", "Powys", {{"referral", Future(-30)}, {"event", Future(40)}}, "CPR",
                                                  [&](QDialog* d) {
                                                    for (QLabel* l : d->findChildren<QLabel*>())
                                                      if (l->buddy() && l->buddy()->objectName() == "facilitators")
                                                        reviewers_label = l->text();
                                                  }));
  EXPECT_EQ(reviewers_label, "&Reviewers");
  ASSERT_EQ(v()->event_type(), EventType::kCpr);
  case_id_ = v()->case_id();
  Settle();
  // Key dates: the two typed, every other of 001's process there to fill in.
  QTableWidget* dates = Table("Key dates");
  ASSERT_NE(dates, nullptr);
  EXPECT_EQ(dates->rowCount(), static_cast<int>(KeyDateDefs(EventType::kCpr).size()));
  std::map<QString, QString> shown;
  for (int r = 0; r < dates->rowCount(); ++r) shown[dates->item(r, 0)->data(Qt::UserRole).toString()] = dates->item(r, 1)->text();
  EXPECT_EQ(shown["referral"], Future(-30));
  EXPECT_EQ(shown["event"], Future(40));
  EXPECT_EQ(shown["first-panel"], "");
  // The deadline: the report within 6 months of the referral (001).
  QTableWidget* steps = Table("Timescales");
  ASSERT_NE(steps, nullptr);
  int report = -1;
  for (int r = 0; r < steps->rowCount(); ++r)
    if (steps->item(r, 1)->text().contains("6 months")) report = r;
  ASSERT_GE(report, 0);
  EXPECT_EQ(steps->item(report, 2)->text(), QString::fromStdString(ScreenDate(AddMonths(Day(-30), 6))));
  // The sections with their prompt questions, and the reviewers' comments.
  NoteEditor* terms = v()->editor("terms-of-reference");
  ASSERT_NE(terms, nullptr);
  EXPECT_TRUE(terms->placeholderText().contains("core tasks")) << terms->placeholderText().toStdString();
  ASSERT_NE(v()->editor("learning-points"), nullptr);
  QStringList labels;
  for (QLabel* l : v()->findChildren<QLabel*>()) labels << l->text();
  EXPECT_TRUE(labels.contains("Reviewers' comments (for the report)")) << labels.join(" | ").toStdString();
  EXPECT_FALSE(labels.contains("Facilitator's comments (for the report)"));
  EXPECT_TRUE(problems_.isEmpty()) << problems_.join("\n").toStdString();

  const CaseDetail d = StoredCase();
  EXPECT_EQ(d.record.event_type, EventType::kCpr);
  EXPECT_EQ(d.record.KeyDate("referral"), Day(-30));
  EXPECT_EQ(d.record.KeyDate("event"), Day(40));
}

TEST_F(ProcessTabTest, Screenshots) {
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMas, {{"referral-conference", Day(-40)}, {"event", Day(-20)},
                                                  {"facilitators-prepare", Day(-25)}, {"facilitators-debrief", Day(-20)}}));
  ChooseKey(Combo("Referral reason"), "stuck");
  ChooseKey(Combo("Stuck case kind"), "split-decisions");
  Fill(v(), "Referral details", "Health and Children's Services disagree on the risk from Dad");
  Fill(v(), "Referral decided on", Future(-40));
  Click(v(), "Save referral");
  ASSERT_NO_FATAL_FAILURE(Commit("field:Summary Report writer", "Sioned Hughes"));
  ASSERT_NO_FATAL_FAILURE(AddAction("Share school attendance weekly", "Addysg", Future(-3)));
  v()->actionsTable()->setCurrentCell(0, 0);
  ChooseKey(Combo("Action reported to"), "line-managers");
  Fill(v(), "Action reported on", Future(-1));
  Click(v(), "Record action reported");
  Settle();
  v()->tabs()->setCurrentIndex(6);
  Fill(v(), "Feedback agency", "Addysg");
  Fill(v(), "Feedback role", "Athrawes");
  Click(v(), "Add feedback form");
  ASSERT_TRUE(WaitUntil([&] { return v()->feedbackTable()->rowCount() == 1; }));
  const std::string id = case_id_;
  w().worker().Submit([=](std::unique_ptr<DesktopSession>& s) {
    ASSERT_TRUE(s->AddDocument(id, DocumentType::kIcpcMinutes, "icpc.pdf", Day(-30), "Children's Services", "icpc").ok());
  });
  Settle();
  emit v()->reloadRequested();
  Settle();
  v()->feedbackTable()->setCurrentCell(0, 0);
  Shot("process-mas-feedback-edit");
  v()->tabs()->setCurrentIndex(5);
  Shot("process-mas-papers");
  v()->tabs()->setCurrentIndex(3);
  v()->actionsTable()->setCurrentCell(0, 0);
  Shot("process-mas-actions");
  v()->tabs()->setCurrentIndex(CaseView::kProcessTab);
  Shot("process-mas-referral");

  window_.reset();
  std::filesystem::remove_all(Store());
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapf, {{"event", Day(-10)}, {"referral-agreed", Day(-40)}, {"chair-approved", Day(-35)}}));
  for (const auto& [agency, kind] : std::vector<std::pair<QString, QString>>{
           {"Cyngor Sir Ceredigion", "local-authority"}, {"Bwrdd Iechyd Prifysgol Hywel Dda", "health-board"}}) {
    Fill(v(), "Member agency", agency);
    ChooseKey(Combo("Member kind"), kind);
    Fill(v(), "Member name", "Gwenan Rees");
    Click(v(), "Add planning group member");
    Settle();
  }
  v()->planningTable()->setCurrentCell(0, 0);
  Fill(v(), "Agency agreed on", Future(-5));
  Click(v(), "Record agency agreement");
  Shot("process-mapf-planning");
  ASSERT_NO_FATAL_FAILURE(AddAction("Joint training on neglect", "Bwrdd Diogelu", Future(60)));
  v()->actionsTable()->setCurrentCell(0, 0);
  Fill(v(), "Action recommendation", "Agencies share neglect concerns early");
  Fill(v(), "Action measure of success", "Referrals cite two agencies");
  Click(v(), "Save action plan form");
  Shot("process-mapf-action-plan");

  window_.reset();
  std::filesystem::remove_all(Store());
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kMapm, {{"meeting", Day(-30)}}));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Meeting time", "09:30"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Chair", "Rhian Lewis (Iechyd)"));
  ASSERT_NO_FATAL_FAILURE(Commit("field:Minute-taker", "Dafydd Ôg (Addysg)"));
  ChooseKey(Combo("Family awareness"), "informed");
  v()->findChild<QCheckBox*>("field:Minutes to family")->setChecked(true);
  Fill(v(), "Review held", Future(-2));
  Fill(v(), "Next review", Future(120));
  Click(v(), "Add review");
  ASSERT_TRUE(WaitUntil([&] { return v()->reviewsTable()->rowCount() == 1; }));
  Shot("process-mapm-record");

  // A CPR case: the chronology with its header, and the key dates with the report's deadline.
  window_.reset();
  std::filesystem::remove_all(Store());
  ASSERT_NO_FATAL_FAILURE(Start(EventType::kCpr, {{"referral", Day(-30)}, {"sub-group-recommended", Day(-25)},
                                                  {"chair-decided", Day(-20)}, {"event", Day(40)}}));
  ASSERT_NO_FATAL_FAILURE(TypeChronologyHeader("G.ll.", Future(-400), Future(-35), "Rhian Lewis, Health Visitor, BIP Hywel Dda",
                                               Future(-5), "2"));
  Fill(v(), "Chronology date", Future(-300) + " 10:15");
  Fill(v(), "Chronology source", "Health");
  Fill(v(), "Chronology event", "Health visitor notes bruising; mother explains a fall");
  Fill(v(), "Chronology action taken", "Advice given; GP informed");
  Click(v(), "Add chronology entry");
  ASSERT_TRUE(WaitUntil([&] { return v()->chronologyTable()->rowCount() == 1; }));
  Shot("chronology-header");
  v()->tabs()->setCurrentIndex(0);
  Shot("cpr-key-dates");
}

}  // namespace
}  // namespace casepack::desktop::testing
