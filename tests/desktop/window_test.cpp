// The real window under QTest: a whole MAS event, locking (idle, D-Bus screen lock, Ctrl+L) with nothing
// left in any widget, accessibility, the secret clipboard, and screenshots.
#include <QAccessible>
#include <QClipboard>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QMimeData>
#include <QRegularExpression>

#include "case_view.h"
#include "conflict_panel.h"
#include "desktop_support.h"
#include "platform/platform.h"
#include "support/process.h"

namespace casepack::desktop::testing {
namespace {

using casepack::testing::TempDir;

// What the event's facilitator types, Welsh letters included; each is looked for afterwards.
const QString kProtective = "Mam a Taid yn gefnogol iawn; ŵyr yn mynd i'r ysgol bob dydd";
const QString kRisk = "Dad's drinking at weekends; Ffion's bruise in Hydref not explained";
const QString kGrey = "Who looks after Siôn after school? Unclear — Llŷr says Nain";
const QString kComplicating = "Family moved from Ynys Môn to Caerdydd; two health boards";

class WindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>(std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path());
    window_ = MakeWindow();
    ASSERT_NO_FATAL_FAILURE(CreateStoreThroughLockScreen(*window_, "Sioned Hughes"));
  }
  void TearDown() override { window_.reset(); }

  std::unique_ptr<MainWindow> MakeWindow() { return MakeTestWindow(dir_->path()); }

  MainWindow& w() { return *window_; }
  // A PNG once every save has landed (so the bottom line shows "Saved HH:MM:SS", not "Saving…").
  void Shot(const std::string& name, QWidget* what = nullptr) {
    for (int i = 0; i < 3; ++i) {  // saves, then the reloads they ask for, then their results
      w().worker().WaitIdle();
      QCoreApplication::processEvents();
    }
    SavePng(what ? what : &w(), name);
  }

  // A MAS case with the four quadrants, attendance (one agency missing, with its reason) and two actions.
  void FillMasEvent() {
    ASSERT_NO_FATAL_FAILURE(CreateCaseThroughDialog(w(), "G.A.D.", "Ynys Môn",
                                                    {{"referral-conference", Future(-10)}, {"event", Future(20)}}));
    CaseView* v = w().caseView();
    v->tabs()->setCurrentIndex(1);
    const std::pair<const char*, QString> quadrants[] = {{"protective-factors", kProtective},
                                                         {"risk-factors", kRisk},
                                                         {"grey-areas", kGrey},
                                                         {"complicating-factors", kComplicating}};
    for (const auto& [key, text] : quadrants) {
      NoteEditor* e = v->editor(key);
      ASSERT_NE(e, nullptr) << key;
      e->setFocus();
      TypeText(e, text);
    }
    v->tabs()->setCurrentIndex(2);
    Fill(v, "New attendee agency", "Health");
    Fill(v, "New attendee role", "Health visitor");
    ChooseKey(v->findChild<QComboBox*>("field:New attendee status"), "attended");
    Click(v, "Add attendee");
    Fill(v, "New attendee agency", "Education");
    Fill(v, "New attendee role", "Designated safeguarding lead");
    ChooseKey(v->findChild<QComboBox*>("field:New attendee status"), "apologies");
    Fill(v, "New attendee reason", "Headteacher at Eisteddfod rehearsal");
    Click(v, "Add attendee");
    v->tabs()->setCurrentIndex(3);
    Fill(v, "New action", "Arrange a core group meeting with Nain present");
    Fill(v, "New action owner agency", "Children's Services");
    Fill(v, "New action owner role", "Social worker");
    Fill(v, "New action due date", Future(14));
    Click(v, "Add action");
    Fill(v, "New action", "Share school attendance weekly");
    Fill(v, "New action owner agency", "Education");
    Fill(v, "New action due date", Future(7));
    QTest::keyClick(FieldOf(v, "New action due date"), Qt::Key_Return);  // Enter adds, like a spreadsheet
    ASSERT_TRUE(WaitUntil([&] { return w().caseView() && w().caseView()->actionsTable()->rowCount() == 2; }));
    ASSERT_TRUE(WaitUntil([&] { return w().caseView()->attendanceTable()->rowCount() == 2; }));
    w().caseView()->FlushEdits();
    w().worker().WaitIdle();
  }

  QStringList Markers() const {
    return {"Mam a Taid", "ŵyr", "Ffion", "Siôn", "Llŷr", "Caerdydd", "Eisteddfod", "Nain present", "G.A.D.", "Ynys Môn",
            "Health visitor"};
  }

  // No widget, table or dialog in the application holds any of the case's text.
  void ExpectNothingHeld() {
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const QStringList held = TextsHeld(QApplication::allWidgets());
    for (const QString& m : Markers())
      for (const QString& h : held) EXPECT_FALSE(h.contains(m)) << "still held after lock: " << m.toStdString();
    EXPECT_EQ(w().caseView(), nullptr);
    EXPECT_EQ(w().caseList()->rowCount(), 0);
  }

  void ExpectEverythingBack() {
    ASSERT_TRUE(WaitUntil([&] { return w().caseView() != nullptr; })) << "the case did not reopen after unlock";
    CaseView* v = w().caseView();
    EXPECT_EQ(v->editor("protective-factors")->toPlainText(), kProtective);
    EXPECT_EQ(v->editor("risk-factors")->toPlainText(), kRisk);
    EXPECT_EQ(v->editor("grey-areas")->toPlainText(), kGrey);
    EXPECT_EQ(v->editor("complicating-factors")->toPlainText(), kComplicating);
    EXPECT_EQ(v->attendanceTable()->rowCount(), 2);
    EXPECT_EQ(v->actionsTable()->rowCount(), 2);
    ASSERT_TRUE(WaitUntil([&] { return w().caseList()->rowCount() == 1; }));
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<MainWindow> window_;
};

TEST_F(WindowTest, WholeMasEventThroughTheWindowEndsInTheReport) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  QTest::keyClick(&w(), Qt::Key_P, Qt::ControlModifier);
  ASSERT_TRUE(WaitUntil([&] { return w().reportDialog() != nullptr && w().reportDialog()->isVisible(); }));
  const QString report = w().reportDialog()->plainText();
  for (const QString& text : {kProtective, kRisk, kGrey, kComplicating}) EXPECT_TRUE(report.contains(text)) << text.toStdString();
  EXPECT_TRUE(report.contains("Education")) << "the missing agency";
  EXPECT_TRUE(report.contains("Headteacher at Eisteddfod rehearsal")) << "its reason";
  EXPECT_TRUE(report.contains("Arrange a core group meeting with Nain present"));
  EXPECT_TRUE(report.contains("Share school attendance weekly"));
  EXPECT_TRUE(report.contains("G.A.D."));
  // The store has it too (a fresh window on the same store after this one closes shows it).
  window_.reset();
  window_ = MakeWindow();
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(w()));
  ASSERT_TRUE(WaitUntil([&] { return w().caseList()->rowCount() == 1; }));
  w().OpenCase(w().caseList()->item(0, 0)->data(Qt::UserRole).toString());
  ASSERT_NO_FATAL_FAILURE(ExpectEverythingBack());
}

TEST_F(WindowTest, LocksWhenIdleAndNoWidgetKeepsCaseText) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  w().setIdleTimeout(std::chrono::milliseconds(300));
  ASSERT_TRUE(WaitUntil([&] { return w().locked(); }, std::chrono::seconds(10))) << "no lock after idling";
  ExpectNothingHeld();
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(w()));
  w().setIdleTimeout(std::chrono::minutes(5));
  ExpectEverythingBack();
}

TEST_F(WindowTest, LocksOnTheDesktopScreenLockSignal) {
  ASSERT_TRUE(QDBusConnection::sessionBus().isConnected()) << "run under dbus-run-session (ctest does)";
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  // What a screen saver emits when the screen locks, from another connection on the session bus.
  QDBusConnection other = QDBusConnection::connectToBus(QDBusConnection::SessionBus, "screensaver-simulator");
  ASSERT_TRUE(other.isConnected());
  QDBusMessage signal = QDBusMessage::createSignal("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged");
  signal << true;
  ASSERT_TRUE(other.send(signal));
  ASSERT_TRUE(WaitUntil([&] { return w().locked(); }, std::chrono::seconds(10))) << "the screen-lock signal did not lock";
  ExpectNothingHeld();
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(w()));
  ExpectEverythingBack();
  QDBusConnection::disconnectFromBus("screensaver-simulator");
}

TEST_F(WindowTest, WordsTypedJustBeforeCtrlLAreKept) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  NoteEditor* story = w().caseView()->editor("story");
  story->setFocus();
  TypeText(story, "Last words before the lock: ŵy");
  QTest::keyClick(story, Qt::Key_L, Qt::ControlModifier);  // at once: the save timer has not fired
  ASSERT_TRUE(w().locked());
  ExpectNothingHeld();
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(w()));
  ASSERT_TRUE(WaitUntil([&] { return w().caseView() != nullptr; }));
  EXPECT_EQ(w().caseView()->editor("story")->toPlainText(), "Last words before the lock: ŵy");
}

TEST_F(WindowTest, WrongPassphraseSaysSoAndKeepsLocked) {
  w().Lock();
  QLineEdit* p = w().lockScreen()->passphrase();
  TypeText(p, "not the passphrase at all");
  QTest::keyClick(p, Qt::Key_Return);
  auto* error = w().lockScreen()->findChild<QLabel*>("lockError");
  ASSERT_TRUE(WaitUntil([&] { return error->isVisible(); }));
  EXPECT_TRUE(error->text().contains("not right"));
  EXPECT_TRUE(w().locked());
  EXPECT_TRUE(p->text().isEmpty());
}

TEST_F(WindowTest, EveryControlHasANameShortcutsWorkAndNoJargonShows) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  for (int tab = 0; tab < 7; ++tab) {
    QTest::keyClick(&w(), static_cast<Qt::Key>(Qt::Key_1 + tab), Qt::AltModifier);
    EXPECT_EQ(w().caseView()->tabs()->currentIndex(), tab) << "Alt+" << tab + 1;
  }
  QTest::keyClick(&w(), Qt::Key_F, Qt::ControlModifier);
  EXPECT_EQ(QApplication::focusWidget(), w().findChild<QLineEdit*>("search"));
  // Qt's own parts of composite widgets (a table's corner button, a line edit's clear icon, a dock's
  // float/close buttons, a tab bar's scroll arrows) are named by their owner's accessible interface.
  auto qt_internal = [](QWidget* widget) {
    const QString cls = widget->metaObject()->className();
    return widget->objectName().startsWith("qt_") || cls == "QTableCornerButton" || cls == "QLineEditIconButton" || cls == "QDockWidgetTitleButton" ||
           qobject_cast<QTabBar*>(widget->parentWidget()) != nullptr ||
           (qobject_cast<QLineEdit*>(widget) && qobject_cast<QComboBox*>(widget->parentWidget()));
  };
  QStringList unnamed, unreachable;
  for (QWidget* widget : w().findChildren<QWidget*>()) {
    const bool control = qobject_cast<QAbstractButton*>(widget) || qobject_cast<QLineEdit*>(widget) ||
                         qobject_cast<QPlainTextEdit*>(widget) || qobject_cast<QComboBox*>(widget) ||
                         qobject_cast<QTableWidget*>(widget);
    if (!control || qt_internal(widget)) continue;
    const QString what = QString(widget->metaObject()->className()) + " " + widget->objectName();
    QAccessibleInterface* a = QAccessible::queryAccessibleInterface(widget);
    if (a == nullptr || a->text(QAccessible::Name).trimmed().isEmpty()) unnamed << what;
    if (widget->focusPolicy() == Qt::NoFocus) unreachable << what;
  }
  EXPECT_TRUE(unnamed.isEmpty()) << "no accessible name: " << unnamed.join(", ").toStdString();
  EXPECT_TRUE(unreachable.isEmpty()) << "not reachable by keyboard: " << unreachable.join(", ").toStdString();
  // Plain words: no hex ids, and none of the code's jargon.
  const QRegularExpression hex("[0-9a-f]{12,}");
  for (QWidget* widget : w().findChildren<QWidget*>()) {
    if (!widget->isVisibleTo(&w())) continue;
    QStringList shown = TextsHeld({widget});
    for (const QString& t : shown) {
      if (t.isEmpty() || t.startsWith("<!DOCTYPE")) continue;
        EXPECT_FALSE(t.contains(QRegularExpression("\\b(operation|replica|epoch)s?\\b", QRegularExpression::CaseInsensitiveOption)))
          << t.toStdString();
    }
  }
  for (QLabel* l : w().findChildren<QLabel*>()) {
    if (l->isVisibleTo(&w())) {
      EXPECT_FALSE(hex.match(l->text()).hasMatch()) << l->text().toStdString();
    }
  }
  for (int r = 0; r < w().caseList()->rowCount(); ++r)
    for (int c = 0; c < w().caseList()->columnCount(); ++c)
      EXPECT_FALSE(hex.match(w().caseList()->item(r, c)->text()).hasMatch());
}

TEST_F(WindowTest, SecretOnClipboardIsMarkedAndCleared) {
  const QString secret = "TIDY-RAVEN-PLUM-4821";
  w().platform().CopySecret(secret, std::chrono::milliseconds(300));
  const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
  ASSERT_NE(mime, nullptr);
  EXPECT_EQ(mime->text(), secret);
  EXPECT_EQ(mime->data("x-kde-passwordManagerHint"), QByteArray("secret"));
  EXPECT_TRUE(WaitUntil([&] { return QGuiApplication::clipboard()->text() != secret; }, std::chrono::seconds(5)))
      << "the clipboard still holds the secret";
  // Something the person copied afterwards is left alone.
  w().platform().CopySecret(secret, std::chrono::milliseconds(200));
  QGuiApplication::clipboard()->setText("meeting room 2");
  QTest::qWait(400);
  EXPECT_EQ(QGuiApplication::clipboard()->text(), "meeting room 2");
}

// ---- saving the report as PDF and Word from the preview; deleting rows ----

// The text of a file by a real tool: pdftotext for PDF, the document part of a Word file through unzip.
std::string TextOf(const std::filesystem::path& file) {
  using casepack::testing::RunProcess;
  if (file.extension() == ".pdf") {
    auto r = RunProcess({"pdftotext", "-enc", "UTF-8", file.string(), "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  auto r = RunProcess({"unzip", "-p", file.string(), "word/document.xml", "word/header*.xml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return QString::fromStdString(r.out).remove(QRegularExpression("<[^>]*>")).toStdString();
}

TEST_F(WindowTest, ReportSavesAsPdfAndWordWithoutBlockingOrLeavingFiles) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  QTest::keyClick(&w(), Qt::Key_P, Qt::ControlModifier);
  ASSERT_TRUE(WaitUntil([&] { return w().reportDialog() != nullptr && w().reportDialog()->isVisible(); }));
  ReportDialog* d = w().reportDialog();
  for (const char* name : {"save:pdf", "save:docx", "save:html"})
    EXPECT_NE(d->findChild<QAbstractButton*>(name), nullptr) << "the preview offers " << name;
  const auto out = dir_->path() / "out";
  std::filesystem::create_directories(out);
  auto save = [&](ReportDocument which, ReportFormat format, const std::filesystem::path& path) {
    d->SaveTo(which, format, QString::fromStdString(path.string()));
    // Rendering runs on the session's thread: the window is back at once and says it is busy.
    EXPECT_TRUE(d->saving());
    EXPECT_FALSE(d->findChild<QAbstractButton*>("save:pdf")->isEnabled());
    EXPECT_TRUE(d->statusText().startsWith("Saving")) << d->statusText().toStdString();
    EXPECT_TRUE(WaitUntil([&] { return !d->saving(); }, std::chrono::seconds(60)));
  };
  save(ReportDocument::kReport, ReportFormat::kPdf, out / "summary.pdf");
  EXPECT_TRUE(d->statusText().startsWith("Saved as")) << d->statusText().toStdString();
  save(ReportDocument::kReport, ReportFormat::kDocx, out / "summary.docx");
  save(ReportDocument::kFeedback, ReportFormat::kDocx, out / "feedback.docx");
  save(ReportDocument::kFeedback, ReportFormat::kPdf, out / "feedback.pdf");
  for (const char* f : {"summary.pdf", "summary.docx"}) {
    SCOPED_TRACE(f);
    const std::string text = TextOf(out / f);
    // Single words where a table cell or a line may wrap.
    for (const char* want : {"Multi-Agency Supervision (MAS)", "OFFICIAL-SENSITIVE", "gefnogol", "ŵyr", "Llŷr", "Siôn", "Môn",
                             "Nain", "Eisteddfod"})
      EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text.substr(0, 2000);
  }
  for (const char* f : {"feedback.pdf", "feedback.docx"})
    EXPECT_NE(TextOf(out / f).find("Participant Feedback"), std::string::npos) << f;
  EXPECT_EQ(std::filesystem::file_size(out / "summary.pdf") > 0, true);
  // Failures: one line, nothing written, the preview kept.
  const auto before = std::distance(std::filesystem::directory_iterator(out), {});
  save(ReportDocument::kReport, ReportFormat::kPdf, out / "no-such-folder" / "summary.pdf");
  EXPECT_TRUE(d->statusText().startsWith("Not saved:")) << d->statusText().toStdString();
  EXPECT_FALSE(d->statusText().contains('\n'));
  setenv("CASEPACK_REPORT_FONT", "No Such Font Sans", 1);
  save(ReportDocument::kReport, ReportFormat::kPdf, out / "nofont.pdf");
  unsetenv("CASEPACK_REPORT_FONT");
  EXPECT_TRUE(d->statusText().startsWith("Not saved:")) << d->statusText().toStdString();
  EXPECT_TRUE(d->statusText().contains("No Such Font Sans")) << d->statusText().toStdString();
  EXPECT_FALSE(std::filesystem::exists(out / "nofont.pdf"));
  // No temporary or partial file anywhere in the folder, only the four saved.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(out)) names.push_back(e.path().filename().string());
  EXPECT_EQ(static_cast<long>(names.size()), before);
  EXPECT_EQ(names.size(), 4u);
  EXPECT_TRUE(d->plainText().contains(kProtective)) << "the preview is still there";
  // Saving again over a file replaces it (the file dialog asked).
  save(ReportDocument::kReport, ReportFormat::kHtml, out / "summary.pdf");
  EXPECT_TRUE(d->statusText().startsWith("Saved as"));
  EXPECT_NE(casepack::testing::ReadFile(out / "summary.pdf").find("<!DOCTYPE html>"), std::string::npos);
}

TEST_F(WindowTest, RowsDeleteWithTheButtonOrTheDeleteKeyAfterConfirmation) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  CaseView* v = w().caseView();
  // A chronology entry and a feedback form as well, and a paper (added through the session, as the file
  // dialog would).
  v->tabs()->setCurrentIndex(4);
  Fill(v, "Chronology date", "04/03/2026 09:30");
  Fill(v, "Chronology source", "Health");
  Fill(v, "Chronology event", "Bruise seen at clinic");
  Click(v, "Add chronology entry");
  ASSERT_TRUE(WaitUntil([&] { return w().caseView()->chronologyTable()->rowCount() == 1; }));
  v->tabs()->setCurrentIndex(6);
  Fill(v, "Feedback agency", "Education");
  Fill(v, "Feedback role", "Teacher");
  Click(v, "Add feedback form");
  ASSERT_TRUE(WaitUntil([&] { return w().caseView()->feedbackTable()->rowCount() == 1; }));
  const std::string id = v->case_id();
  w().worker().Submit([id](std::unique_ptr<DesktopSession>& s) {
    ASSERT_TRUE(s->AddDocument(id, DocumentType::kCoreGroupMinutes, "minutes.txt", Date{2026, 3, 1}, "Health", "minutes").ok());
  });
  w().worker().WaitIdle();
  emit v->reloadRequested();
  ASSERT_TRUE(WaitUntil([&] { return w().caseView()->documentsTable()->rowCount() == 1; }));

  // "Keep it" keeps it.
  QTableWidget* actions = v->actionsTable();
  v->tabs()->setCurrentIndex(3);
  actions->setCurrentCell(0, 0);
  const QString first = actions->item(0, 0)->text();
  AnswerNextModal(&w(), "confirmDelete:no");
  Click(v, "Delete action");
  w().worker().WaitIdle();
  QCoreApplication::processEvents();
  EXPECT_EQ(actions->rowCount(), 2);
  // The button, confirmed.
  AnswerNextModal(&w(), "confirmDelete:yes");
  Click(v, "Delete action");
  ASSERT_TRUE(WaitUntil([&] { return actions->rowCount() == 1; }));
  EXPECT_NE(actions->item(0, 0)->text(), first);
  // The Delete key on the attendance table.
  v->tabs()->setCurrentIndex(2);
  QTableWidget* attendance = v->attendanceTable();
  attendance->setFocus();
  attendance->setCurrentCell(1, 0);
  const QString kept = attendance->item(0, 0)->text();
  AnswerNextModal(&w(), "confirmDelete:yes");
  QTest::keyClick(attendance, Qt::Key_Delete);
  ASSERT_TRUE(WaitUntil([&] { return attendance->rowCount() == 1; }));
  EXPECT_EQ(attendance->item(0, 0)->text(), kept) << "the chosen row went, not another";
  const std::pair<QTableWidget*, QString> others[] = {{v->chronologyTable(), "Delete chronology entry"},
                                                      {v->feedbackTable(), "Delete feedback form"},
                                                      {v->documentsTable(), "Delete document"}};
  for (const auto& [table, button] : others) {
    table->setCurrentCell(0, 0);
    AnswerNextModal(&w(), "confirmDelete:yes");
    Click(v, button);
    ASSERT_TRUE(WaitUntil([&, t = table] { return t->rowCount() == 0; })) << button.toStdString();
  }
  // Locking while the question is open takes it away with the case's text.
  v->tabs()->setCurrentIndex(3);
  actions->setCurrentCell(0, 0);
  Click(v, "Delete action");
  ASSERT_TRUE(WaitUntil([&] { return QApplication::activeModalWidget() != nullptr; }));
  const QString asked = TextsHeld(QApplication::activeModalWidget()->findChildren<QWidget*>()).join(" ");
  EXPECT_TRUE(asked.contains(actions->item(0, 0)->text())) << "the question names the row";
  w().Lock();
  QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
  for (QWidget* top : QApplication::allWidgets()) EXPECT_NE(top->objectName(), "confirmDelete") << "still open after the lock";
  EXPECT_FALSE(TextsHeld(QApplication::allWidgets()).join(" ").contains("Nain present"));
  // The store agrees after the window is gone, and the deletes wait to be sent.
  window_.reset();
  auto s = DesktopSession::Open(dir_->path() / "store", kPass);
  ASSERT_TRUE(s.ok());
  auto c = (*s)->GetCase(id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->actions.size(), 1u);
  EXPECT_EQ(c->attendance.size(), 1u);
  EXPECT_TRUE(c->chronology.empty());
  EXPECT_TRUE(c->feedback.empty());
  EXPECT_TRUE(c->documents.empty());
  EXPECT_GT(*(*s)->Unsent(), 0u);
}

// PNGs of the main views for people to look at (README: build/release/desktop-screenshots/).
TEST_F(WindowTest, Screenshots) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  ASSERT_NO_FATAL_FAILURE(CreateCaseThroughDialog(w(), "L.M.", "Casnewydd / Newport",
                                                  {{"referral-conference", Future(-60)}}));
  w().caseView()->editor("story")->setFocus();
  TypeText(w().caseView()->editor("story"), "Referred after the 4th conference; plan unchanged for 15 months.");
  ASSERT_TRUE(WaitUntil([&] { return w().caseList()->rowCount() == 2; }));
  w().caseView()->FlushEdits();
  QString gad;
  for (int r = 0; r < w().caseList()->rowCount(); ++r)
    if (w().caseList()->item(r, 0)->text().startsWith("G.A.D.")) gad = w().caseList()->item(r, 0)->data(Qt::UserRole).toString();
  w().OpenCase(gad);
  ASSERT_TRUE(WaitUntil([&] { return w().caseView() && w().caseView()->event_type() == EventType::kMas; }));
  w().caseView()->tabs()->setCurrentIndex(1);
  w().caseView()->editor("story")->setFocus();
  Shot("mas-map");
  w().caseView()->tabs()->setCurrentIndex(0);
  Shot("case-list-overview");
  w().caseView()->tabs()->setCurrentIndex(2);
  Shot("attendance");
  w().caseView()->tabs()->setCurrentIndex(3);
  Shot("actions");
  QTest::keyClick(&w(), Qt::Key_P, Qt::ControlModifier);
  ASSERT_TRUE(WaitUntil([&] { return w().reportDialog() != nullptr && w().reportDialog()->isVisible(); }));
  Shot("report-preview", w().reportDialog());
  // After Save as PDF: the save choices and the one line saying where it went.
  w().reportDialog()->SaveTo(ReportDocument::kReport, ReportFormat::kPdf, QString::fromStdString((dir_->path() / "summary.pdf").string()));
  ASSERT_TRUE(WaitUntil([&] { return !w().reportDialog()->saving(); }, std::chrono::seconds(60)));
  Shot("report-saved", w().reportDialog());
  w().Lock();
  Shot("lock-screen");
}

}  // namespace
}  // namespace casepack::desktop::testing

namespace casepack::desktop::testing {
namespace {

TEST_F(WindowTest, SealedPackPasswordShownOnceOnClipboardAndOpensElsewhere) {
  ASSERT_NO_FATAL_FAILURE(FillMasEvent());
  const auto pack = dir_->path() / "gad.age";
  bool sealed = false;
  QObject::connect(&w(), &MainWindow::packSealed, [&] { sealed = true; });
  w().SealPackTo(QString::fromStdString(pack.string()), "Business Unit");
  ASSERT_TRUE(WaitUntil([&] { return sealed; }, std::chrono::seconds(60)));
  const QString password = QGuiApplication::clipboard()->text();
  ASSERT_EQ(password.size(), 29) << "five groups of five, dashed";
  EXPECT_EQ(QGuiApplication::clipboard()->mimeData()->data("x-kde-passwordManagerHint"), QByteArray("secret"));
  auto* box = w().findChild<QWidget*>("packPassword");
  ASSERT_NE(box, nullptr);
  EXPECT_TRUE(TextsHeld(box->findChildren<QWidget*>()).join(" ").contains(password));
  // Another store opens it with that password and finds the notes.
  casepack::testing::TempDir other(dir_->path());
  auto s = DesktopSession::Create(other.path() / "store", kPass, "Gareth Price", true);
  ASSERT_TRUE(s.ok());
  auto id = (*s)->OpenPackWithPassword(pack, password.toStdString());
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto d = (*s)->GetCase(*id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(QString::fromStdString(d->notes.at("protective-factors")), kProtective);
  EXPECT_FALSE((*s)->OpenPackWithPassword(pack, "WRONG-WRONG-WRONG-WRONG-WRONG").ok());
  // The lock takes the password off the screen and the clipboard.
  w().Lock();
  QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
  EXPECT_EQ(w().findChild<QWidget*>("packPassword"), nullptr);
  EXPECT_NE(QGuiApplication::clipboard()->text(), password);
  for (const QString& t : TextsHeld(QApplication::allWidgets())) EXPECT_FALSE(t.contains(password));
}

}  // namespace
}  // namespace casepack::desktop::testing
