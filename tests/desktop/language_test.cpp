// The window's language: Cymraeg | English in the window switches every string (the window's own, Qt's
// standard buttons, the domain's labels, dates), the choice is kept, and the system locale is the default.
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QSettings>

#include "case_view.h"
#include "desktop_support.h"
#include "i18n.h"
#include "support/process.h"

namespace casepack::desktop::testing {
namespace {

using casepack::testing::TempDir;

class WindowLanguage : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>(std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path());
    QSettings("casepack", "casepack-desktop").remove("language");  // test-mode settings (tests/desktop/main.cpp)
  }
  void TearDown() override {
    SetUiLanguage(Language::kEnglish);
    QSettings("casepack", "casepack-desktop").remove("language");
  }
  std::unique_ptr<MainWindow> MakeWindow() { return MakeTestWindow(dir_->path()); }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(WindowLanguage, CymraegRebuildsTheWindowInWelshAndIsRemembered) {
  auto w = MakeWindow();
  ASSERT_NO_FATAL_FAILURE(CreateStoreThroughLockScreen(*w, "Sioned Hughes"));
  ASSERT_NO_FATAL_FAILURE(CreateCaseThroughDialog(*w, "G.A.D.", "Ynys Môn", {{"referral-conference", Future(-10)}}));
  bool changed = false;
  QObject::connect(w.get(), &MainWindow::languageChanged, [&] { changed = true; });
  auto* cymraeg = w->findChild<QPushButton*>("language:cy");
  ASSERT_NE(cymraeg, nullptr);
  QTest::mouseClick(cymraeg, Qt::LeftButton);
  EXPECT_TRUE(changed);
  EXPECT_TRUE(w->locked()) << "the old window locks (saving everything) before it is built again";
  EXPECT_EQ(UiLanguage(), Language::kWelsh);
  EXPECT_EQ(InitialUiLanguage(), Language::kWelsh) << "the choice is kept for next time";
  w.reset();

  w = MakeWindow();  // what main.cpp does on languageChanged
  EXPECT_EQ(w->lockScreen()->findChild<QLabel*>("lockTitle")->text(), "Mae casepack wedi'i gloi");
  ASSERT_NO_FATAL_FAILURE(UnlockThroughLockScreen(*w));
  ASSERT_TRUE(WaitUntil([&] { return w->caseList()->rowCount() == 1; }));
  EXPECT_EQ(w->caseList()->horizontalHeaderItem(2)->text(), "Cam nesaf");
  for (int c = 0; c < w->caseList()->columnCount(); ++c) {  // no Welsh heading cut off
    QHeaderView* h = w->caseList()->horizontalHeader();
    EXPECT_GE(h->sectionSize(c), h->sectionSizeHint(c)) << w->caseList()->horizontalHeaderItem(c)->text().toStdString();
  }
  w->OpenCase(w->caseList()->item(0, 0)->data(Qt::UserRole).toString());
  ASSERT_TRUE(WaitUntil([&] { return w->caseView() != nullptr; }));
  CaseView* v = w->caseView();
  EXPECT_EQ(v->tabs()->tabText(0), "&Trosolwg");
  // Domain labels from the catalogue: the first MAS step and the Papers checklist's document titles.
  auto* steps = v->findChild<QTableWidget*>("Timescales");
  ASSERT_NE(steps, nullptr);
  EXPECT_EQ(steps->item(0, 0)->text(), "Trefnu'r digwyddiad a gwahodd y grŵp craidd");
  EXPECT_TRUE(steps->item(0, 2)->text().contains(QRegularExpression("^(Llun|Maw|Mer|Iau|Gwe|Sad|Sul) \\d+ "))) << steps->item(0, 2)->text().toStdString();
  // Qt's own standard buttons, translated by the project.
  bool checked = false;
  QTimer::singleShot(0, w.get(), [&] {
    auto* d = qobject_cast<QDialog*>(QApplication::activeModalWidget());
    ASSERT_NE(d, nullptr);
    auto* box = d->findChild<QDialogButtonBox*>();
    ASSERT_NE(box, nullptr);
    EXPECT_EQ(box->button(QDialogButtonBox::Cancel)->text(), "Diddymu");
    EXPECT_EQ(box->button(QDialogButtonBox::Ok)->text(), "Creu achos");
    checked = true;
    d->reject();
  });
  w->NewCase();
  EXPECT_TRUE(checked);

  // And back: English again, everywhere.
  bool back = false;
  QObject::connect(w.get(), &MainWindow::languageChanged, [&] { back = true; });
  QTest::mouseClick(w->findChild<QPushButton*>("language:en"), Qt::LeftButton);
  EXPECT_TRUE(back);
  w.reset();
  w = MakeWindow();
  EXPECT_EQ(w->lockScreen()->findChild<QLabel*>("lockTitle")->text(), "casepack is locked");
}

TEST_F(WindowLanguage, DefaultIsTheSystemLocale) {
  const QByteArray lc_all = qgetenv("LC_ALL"), lc_messages = qgetenv("LC_MESSAGES"), lang = qgetenv("LANG");
  qunsetenv("LC_ALL");
  qunsetenv("LC_MESSAGES");
  qputenv("LANG", "cy_GB.UTF-8");
  EXPECT_EQ(InitialUiLanguage(), Language::kWelsh);
  qputenv("LANG", "en_GB.UTF-8");
  EXPECT_EQ(InitialUiLanguage(), Language::kEnglish);
  qputenv("LC_MESSAGES", "cy_GB.UTF-8");
  EXPECT_EQ(InitialUiLanguage(), Language::kWelsh);
  SaveUiLanguage(Language::kEnglish);
  EXPECT_EQ(InitialUiLanguage(), Language::kEnglish) << "a choice made in the window wins over the locale";
  for (auto [name, value] : {std::pair{"LC_ALL", lc_all}, {"LC_MESSAGES", lc_messages}, {"LANG", lang}}) {
    if (value.isNull()) qunsetenv(name);
    else qputenv(name, value);
  }
}

// Errors from the libraries come in English; the window shows the ones a person meets in Welsh, with the
// path or number inside kept, and for any other says in Welsh what kind of problem it was and marks the
// English detail as such.
TEST_F(WindowLanguage, LibraryErrorsAreExplainedInWelsh) {
  const Error wrong{ErrorCode::kAuthFailed, "wrong passphrase for store /home/sw/.casepack",
                    "check the passphrase (it is case-sensitive); nothing was changed"};
  const Error busy{ErrorCode::kUnavailable,
                   "the store is busy: pid 12 (casepack sync) kept it for writing for more than 5 s; nothing was changed",
                   "try again when that command has finished"};
  const Error other{ErrorCode::kCorrupt, "snapshot: a run is longer than its text", ""};
  SetUiLanguage(Language::kEnglish);
  EXPECT_EQ(Explain(wrong), "Wrong passphrase for store /home/sw/.casepack. Check the passphrase (it is case-sensitive); nothing was changed.");
  EXPECT_EQ(Explain(other), "Snapshot: a run is longer than its text.");
  SetUiLanguage(Language::kWelsh);
  EXPECT_EQ(Explain(wrong), "Cyfrinymadrodd anghywir ar gyfer y storfa /home/sw/.casepack. "
                            "Gwiriwch y cyfrinymadrodd (mae priflythrennau'n cyfrif); ni newidiwyd dim.");
  EXPECT_EQ(Explain(busy), "Mae'r storfa'n brysur: cadwodd pid 12 (casepack sync) hi i ysgrifennu am fwy na 5 eiliad; "
                           "ni newidiwyd dim. Rhowch gynnig arall arni pan fydd y gorchymyn hwnnw wedi gorffen.");
  EXPECT_EQ(Explain(other), "Mae'r data wedi'i ddifrodi neu nid yw'n ddilys. "
                            "(Y manylion, yn Saesneg: snapshot: a run is longer than its text.)");
}

}  // namespace
}  // namespace casepack::desktop::testing
