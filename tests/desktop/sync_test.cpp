// Two windows on two stores (two facilitators' laptops) syncing through a real casepackd on loopback
// with TLS. Both work offline on the same case: each edits the same paragraph of the story and sets the
// same action's owner differently. After syncing, the owner conflict is in both conflict panels with both
// names, and so is the paragraph both typed in (a text conflict, each version with its author); one
// facilitator keeps a version of each; after the next sync both windows show the same text and owner and
// no conflict.
#include "cli/sync/sync_support.h"
#include "conflict_panel.h"
#include "desktop_support.h"

namespace casepack::desktop::testing {
namespace {

using casepack::testing::Laptop;

class TwoWindowsSync : public casepack::testing::SyncTest {
 protected:
  using SyncTest::Sync;
  std::unique_ptr<MainWindow> Open(const Laptop& l) {
    WindowOptions o;
    o.store_dir = l.dir;
    o.auto_sync = std::chrono::hours(1);  // the test syncs by hand
    auto w = std::make_unique<MainWindow>(o);
    w->resize(1400, 900);
    w->show();
    ActivateWindow(w.get());
    return w;
  }
  static void Sync(MainWindow& w) {
    bool done = false, reached = false;
    auto c = QObject::connect(&w, &MainWindow::syncFinished, [&](bool r) {
      done = true;
      reached = r;
    });
    ActivateWindow(&w);
    QTest::keyClick(&w, Qt::Key_S, Qt::ControlModifier);
    ASSERT_TRUE(WaitUntil([&] { return done; }, std::chrono::seconds(60))) << "sync did not finish";
    QObject::disconnect(c);
    ASSERT_TRUE(reached) << w.syncStatus()->toolTip().toStdString();
    // The reloads sync asks for are queued behind it on the worker; let them land.
    w.worker().WaitIdle();
    QCoreApplication::processEvents();
    w.worker().WaitIdle();
    QCoreApplication::processEvents();
  }
  static void EditOwner(MainWindow& w, const QString& agency) {
    QTableWidget* t = w.caseView()->actionsTable();
    ASSERT_EQ(t->rowCount(), 1);
    t->item(0, 1)->setText(agency);  // as the cell editor commits it
    w.worker().WaitIdle();
  }
};

TEST_F(TwoWindowsSync, ConflictInBothPanelsResolvedOnOneSameTextInBoth) {
  Laptop bu = EnrolBusinessUnit("Business Unit");
  Laptop a = EnrolFacilitator(bu, "Sioned Hughes");
  Laptop b = EnrolFacilitator(bu, "Gareth Price");
  const std::string id = NewCase(a, "G.A.D.");
  a.Ok({"note", "set", id, "story"}, "Mam and Taid attend every core group.");
  const std::string due = QDate::currentDate().addDays(14).toString("yyyy-MM-dd").toStdString();
  a.Ok({"action", "add", id, "--what", "Arrange a core group with Nain", "--owner-agency", "Children's Services", "--due", due});
  Sync(a);
  a.Ok({"case", "share", id, "--with", b.user_id});
  SyncUntilQuiet({&a, &b});

  auto wa = Open(a), wb = Open(b);
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(*wa, kPassphrase));
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(*wb, kPassphrase));
  // Unlocking syncs once by itself (enrolled stores); wait for it before going "offline".
  for (MainWindow* w : {wa.get(), wb.get()}) {
    ASSERT_TRUE(WaitUntil([&] { return w->syncStatus()->text().startsWith("Synced at"); }, std::chrono::seconds(60)))
        << w->syncStatus()->text().toStdString();
    w->OpenCase(QString::fromStdString(id));
    ASSERT_TRUE(WaitUntil([&] { return w->caseView() != nullptr; }));
  }
  // Offline: both edit the same paragraph and the same action's owner.
  NoteEditor* sa = wa->caseView()->editor("story");
  NoteEditor* sb = wb->caseView()->editor("story");
  ASSERT_EQ(sa->toPlainText(), "Mam and Taid attend every core group.");
  sa->setFocus();
  sa->moveCursor(QTextCursor::Start);
  TypeText(sa, "Since June, ");
  sb->setFocus();
  sb->moveCursor(QTextCursor::End);
  TypeText(sb, " Nain comes when she can — ŵyr yn hapus.");
  ASSERT_NO_FATAL_FAILURE(EditOwner(*wa, "Education"));
  ASSERT_NO_FATAL_FAILURE(EditOwner(*wb, "Housing"));

  ASSERT_NO_FATAL_FAILURE(Sync(*wa));
  ASSERT_NO_FATAL_FAILURE(Sync(*wb));
  ASSERT_NO_FATAL_FAILURE(Sync(*wa));

  const QString mine = "Since June, Mam and Taid attend every core group.";
  const QString theirs = "Mam and Taid attend every core group. Nain comes when she can — ŵyr yn hapus.";
  for (MainWindow* w : {wa.get(), wb.get()}) {
    ASSERT_TRUE(WaitUntil([&] { return w->conflictPanel()->count() == 2; })) << "the conflicts are not in the panel";
    EXPECT_TRUE(w->conflictsBar()->isVisible());
    EXPECT_TRUE(w->conflictsBar()->text().contains("2 conflicts need a decision"));
    const QString shown = TextsHeld(w->conflictPanel()->findChildren<QWidget*>()).join("\n");
    EXPECT_TRUE(shown.contains("Education")) << shown.toStdString();
    EXPECT_TRUE(shown.contains("Housing"));
    EXPECT_TRUE(shown.contains("Notes: ")) << "the paragraph conflict names its section";
    EXPECT_TRUE(shown.contains("paragraph 1"));
    EXPECT_TRUE(shown.contains(mine)) << "Sioned's version of the paragraph";
    EXPECT_TRUE(shown.contains(theirs)) << "Gareth's version of the paragraph";
    EXPECT_EQ(shown.count("by Sioned Hughes"), 2) << shown.toStdString();
    EXPECT_EQ(shown.count("by Gareth Price"), 2);
  }
  wa->ShowConflicts();
  SavePng(wa.get(), "conflict-panel");
  // Sioned keeps Gareth's paragraph and Gareth's owner.
  auto keep = [&](MainWindow& w, const QString& name) {
    QAbstractButton* button = nullptr;
    for (auto* b2 : w.conflictPanel()->findChildren<QAbstractButton*>())
      if (b2->accessibleName() == name) button = b2;
    ASSERT_NE(button, nullptr) << name.toStdString();
    const std::size_t before = w.conflictPanel()->count();
    QTest::mouseClick(button, Qt::LeftButton);
    ASSERT_TRUE(WaitUntil([&] { return w.conflictPanel()->count() == before - 1; }));
  };
  ASSERT_NO_FATAL_FAILURE(keep(*wa, "Keep " + theirs + " for paragraph 1"));
  ASSERT_NO_FATAL_FAILURE(keep(*wa, "Keep Housing for owner"));
  ASSERT_NO_FATAL_FAILURE(Sync(*wa));
  ASSERT_NO_FATAL_FAILURE(Sync(*wb));
  for (MainWindow* w : {wa.get(), wb.get()}) {
    ASSERT_TRUE(WaitUntil([&] { return w->conflictPanel()->count() == 0; })) << "the conflicts were not resolved everywhere";
    EXPECT_FALSE(w->conflictsBar()->isVisible());
    ASSERT_TRUE(WaitUntil([&] { return w->caseView()->editor("story")->toPlainText() == theirs; }))
        << w->caseView()->editor("story")->toPlainText().toStdString();
    EXPECT_EQ(w->caseView()->actionsTable()->item(0, 1)->text(), "Housing");
  }
  EXPECT_EQ(wa->caseView()->editor("story")->toPlainText(), wb->caseView()->editor("story")->toPlainText());
}

}  // namespace
}  // namespace casepack::desktop::testing
