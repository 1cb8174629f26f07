#include "main_window.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDate>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QMessageBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QMenuBar>
#include <QRegularExpression>
#include <QShortcut>
#include <QSplitter>
#include <QStyleFactory>
#include <QVBoxLayout>

#include "casepack/collation.h"
#include "case_view.h"
#include "conflict_panel.h"
#include "dialogs.h"
#include "i18n.h"
#include "lock_screen.h"
#include "note_editor.h"
#include "platform/platform.h"
#include "view_parts.h"
#include "worker.h"

namespace casepack::desktop {

namespace {

QString NextStepWords(const CaseRow& r, const Date& today) {
  if (r.status != CaseStatus::kOpen) return L(Label(UiLanguage(), r.status));
  if (!r.next_state) return Words::tr("all steps done");
  switch (*r.next_state) {
    case StepState::kOverdue:
      return Words::tr("overdue since %1 — %2").arg(Q(ScreenDate(*r.next_due)), Q(r.next_step));
    case StepState::kDue: {
      const auto days = DaysBetween(today, *r.next_due);
      return QString("%1 — %2").arg(days == 0 ? Words::tr("due today") : days == 1 ? Words::tr("due in 1 day") : Words::tr("due in %1 days").arg(days),
                                    Q(r.next_step));
    }
    case StepState::kWaiting:
      return Words::tr("waiting — %1").arg(Q(r.next_step));
    case StepState::kDone:
      break;
  }
  return {};
}

// Sorts by the alphabet of the window's language: Welsh digraphs are letters of their own (collation.h).
class CollatedItem : public QTableWidgetItem {
 public:
  using QTableWidgetItem::QTableWidgetItem;
  bool operator<(const QTableWidgetItem& other) const override {
    static const NameCollator welsh(Language::kWelsh), english(Language::kEnglish);
    return (UiLanguage() == Language::kWelsh ? welsh : english).Less(S(text()), S(other.text()));
  }
};

QTableWidgetItem* Item(const QString& text) {
  auto* i = new CollatedItem(text);
  i->setFlags(i->flags() & ~Qt::ItemIsEditable);
  return i;
}

void WipeTable(QTableWidget* t) {
  for (int r = 0; r < t->rowCount(); ++r)
    for (int c = 0; c < t->columnCount(); ++c)
      if (auto* i = t->item(r, c)) i->setText(QString(i->text().size(), QChar(' ')));
  t->setRowCount(0);
}

}  // namespace

void ApplyHighContrast() {
  qApp->setStyle(QStyleFactory::create("Fusion"));
  QPalette p;
  p.setColor(QPalette::Window, Qt::black);
  p.setColor(QPalette::WindowText, Qt::white);
  p.setColor(QPalette::Base, Qt::black);
  p.setColor(QPalette::AlternateBase, QColor(30, 30, 30));
  p.setColor(QPalette::Text, Qt::white);
  p.setColor(QPalette::PlaceholderText, QColor(200, 200, 200));
  p.setColor(QPalette::Button, Qt::black);
  p.setColor(QPalette::ButtonText, Qt::white);
  p.setColor(QPalette::Highlight, Qt::yellow);
  p.setColor(QPalette::HighlightedText, Qt::black);
  p.setColor(QPalette::ToolTipBase, Qt::black);
  p.setColor(QPalette::ToolTipText, Qt::white);
  p.setColor(QPalette::Mid, Qt::white);
  p.setColor(QPalette::Link, Qt::cyan);
  qApp->setPalette(p);
  qApp->setStyleSheet("QPushButton { border: 2px solid white; padding: 4px 10px; }"
                      " QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QTableWidget { border: 1px solid white; }"
                      " QPushButton:focus, QLineEdit:focus, QPlainTextEdit:focus, QTableWidget:focus { border: 3px solid yellow; }");
}

MainWindow::MainWindow(WindowOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)), platform_(Platform::Create()),
      worker_(std::make_unique<SessionWorker>()) {
  setObjectName("mainWindow");
  setWindowTitle("casepack");
  resize(1280, 800);
  stack_ = new QStackedWidget;
  lock_screen_ = new LockScreen;
  workspace_ = BuildWorkspace();
  stack_->addWidget(lock_screen_);
  stack_->addWidget(workspace_);
  setCentralWidget(stack_);
  BuildActions();

  conflict_dock_ = new QDockWidget(tr("Conflicts"), this);
  conflict_dock_->setObjectName("conflictDock");
  conflict_panel_ = new ConflictPanel;
  conflict_dock_->setWidget(conflict_panel_);
  conflict_dock_->setMinimumWidth(520);  // both versions side by side, readable
  addDockWidget(Qt::RightDockWidgetArea, conflict_dock_);
  conflict_dock_->hide();
  connect(conflict_panel_, &ConflictPanel::resolveRequested, this, [this](const ConflictItem& item, std::size_t choice) {
    worker_->Call(this, [item, choice](DesktopSession& s) { return s.Resolve(item, choice); }, [this](Status st) {
      if (!st.ok()) ShowProblem(Q(Explain(st.error())));
      RefreshConflicts();
      ReloadCase();
      RefreshUnsent();
    });
  });

  connect(lock_screen_, &LockScreen::unlockRequested, this, &MainWindow::Unlock);
  connect(lock_screen_, &LockScreen::createRequested, this, &MainWindow::Create);
  lock_screen_->SetMode(!DesktopSession::StoreExists(options_.store_dir), Q(options_.store_dir.string()));
  stack_->setCurrentWidget(lock_screen_);

  idle_timer_.setSingleShot(true);
  idle_timer_.setInterval(options_.idle_lock);
  connect(&idle_timer_, &QTimer::timeout, this, &MainWindow::Lock);
  qApp->installEventFilter(this);
  auto_sync_timer_.setInterval(options_.auto_sync);
  connect(&auto_sync_timer_, &QTimer::timeout, this, &MainWindow::SyncNow);
  unsent_timer_.setSingleShot(true);
  unsent_timer_.setInterval(800);
  connect(&unsent_timer_, &QTimer::timeout, this, &MainWindow::RefreshUnsent);

  connect(worker_.get(), &SessionWorker::changeFailed, this, &MainWindow::ShowProblem);
  // "Saving…" until the session thread has written everything queued, whichever view queued it.
  connect(worker_.get(), &SessionWorker::idleChanged, this, [this](bool idle) {
    if (idle && !locked_ && saved_->text() == tr("Saving…")) saved_->setText(tr("Saved %1").arg(QTime::currentTime().toString("HH:mm:ss")));
  });
  platform_->WatchScreenLock();
  connect(platform_.get(), &Platform::screenLocked, this, &MainWindow::Lock);
}

MainWindow::~MainWindow() {
  qApp->removeEventFilter(this);
  if (case_view_) case_view_->FlushEdits();
  delete case_view_.data();
  worker_.reset();  // runs queued saves, then wipes the session
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (case_view_) case_view_->FlushEdits();
  worker_->WaitIdle();  // the last words typed are saved before the window goes
  e->accept();
}

QWidget* MainWindow::BuildWorkspace() {
  auto* w = new QWidget;
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(8, 8, 8, 4);
  // Top bar.
  auto* top = new QHBoxLayout;
  auto* name = new QLabel("<b>casepack</b>");
  top->addWidget(name);
  search_ = new QLineEdit;
  search_->setObjectName("search");
  search_->setPlaceholderText(tr("Search cases… (Ctrl+F)"));
  search_->setAccessibleName(tr("Search cases"));
  search_->setClearButtonEnabled(true);
  search_->setMinimumWidth(260);
  search_->setMaximumWidth(360);
  connect(search_, &QLineEdit::textChanged, this, &MainWindow::ApplyFilter);
  top->addWidget(search_);
  top->addStretch(1);
  sync_status_ = new QLabel;
  sync_status_->setObjectName("syncStatus");
  sync_status_->setAccessibleName(tr("Sync status"));
  top->addWidget(sync_status_);
  sync_button_ = new QPushButton(tr("&Sync"));
  sync_button_->setObjectName("syncButton");
  sync_button_->setAccessibleName(tr("Sync now"));
  sync_button_->setToolTip(tr("Send and receive changes now (Ctrl+S)"));
  connect(sync_button_, &QPushButton::clicked, this, &MainWindow::SyncNow);
  top->addWidget(sync_button_);
  auto* lock = new QPushButton(tr("&Lock"));
  lock->setObjectName("lockButton");
  lock->setAccessibleName(tr("Lock"));
  lock->setToolTip(tr("Lock now (Ctrl+L). Everything typed is kept."));
  connect(lock, &QPushButton::clicked, this, &MainWindow::Lock);
  top->addWidget(lock);
  v->addLayout(top);

  message_ = new QLabel;
  message_->setObjectName("message");
  message_->setAccessibleName(tr("Message"));
  message_->setWordWrap(true);
  message_->setStyleSheet("background: #fff3cd; color: #1b1b1b; padding: 6px; border: 1px solid #c9a227;");
  message_->hide();
  v->addWidget(message_);

  auto* split = new QSplitter;
  auto* left = new QWidget;
  auto* lv = new QVBoxLayout(left);
  lv->setContentsMargins(0, 0, 0, 0);
  auto* lhead = new QHBoxLayout;
  lhead->addWidget(new QLabel(tr("<b>Cases</b>")));
  filter_ = new QComboBox;
  filter_->setObjectName("caseFilter");
  filter_->setAccessibleName(tr("Show cases"));
  filter_->addItems({tr("All open cases"), tr("Due within 7 days"), tr("Overdue"), tr("Waiting"), tr("Closed and cancelled")});
  connect(filter_, &QComboBox::currentIndexChanged, this, &MainWindow::ApplyFilter);
  lhead->addWidget(filter_, 1);
  lv->addLayout(lhead);
  case_list_ = new QTableWidget(0, 4);
  case_list_->setObjectName("caseList");
  case_list_->setAccessibleName(tr("Cases"));
  case_list_->setHorizontalHeaderLabels({tr("Child · area"), tr("Event"), tr("Next step"), tr("Retention")});
  case_list_->verticalHeader()->hide();
  case_list_->setSelectionBehavior(QAbstractItemView::SelectRows);
  case_list_->setSelectionMode(QAbstractItemView::SingleSelection);
  case_list_->setSortingEnabled(true);
  case_list_->setWordWrap(true);
  case_list_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  // Each other column starts at least as wide as its heading and the sort arrow: the Welsh headings are
  // longer than the default width ("Plentyn · ardal" was cut to "lentyn · arda").
  QHeaderView* heading = case_list_->horizontalHeader();
  for (int c : {0, 1, 3}) heading->resizeSection(c, std::max(heading->sectionSize(c), heading->sectionSizeHint(c)));
  case_list_->setAlternatingRowColors(true);
  connect(case_list_, &QTableWidget::itemActivated, this, [this](QTableWidgetItem* i) {
    OpenCase(case_list_->item(i->row(), 0)->data(Qt::UserRole).toString());
  });
  connect(case_list_, &QTableWidget::cellClicked, this, [this](int row, int) {
    OpenCase(case_list_->item(row, 0)->data(Qt::UserRole).toString());
  });
  lv->addWidget(case_list_, 1);
  auto* new_case = new QPushButton(tr("&New case…"));
  new_case->setAccessibleName(tr("New case"));
  new_case->setObjectName("newCaseButton");
  connect(new_case, &QPushButton::clicked, this, &MainWindow::NewCase);
  lv->addWidget(new_case);
  split->addWidget(left);

  case_area_ = new QWidget;
  auto* cv = new QVBoxLayout(case_area_);
  cv->setContentsMargins(0, 0, 0, 0);
  empty_case_ = new QLabel(tr("Choose a case on the left, or make a new one (Ctrl+N)."));
  empty_case_->setAlignment(Qt::AlignCenter);
  cv->addWidget(empty_case_);
  split->addWidget(case_area_);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);
  split->setSizes({430, 850});
  v->addWidget(split, 1);

  auto* bottom = new QHBoxLayout;
  conflicts_bar_ = new QPushButton;
  conflicts_bar_->setObjectName("conflictsBar");
  conflicts_bar_->setAccessibleName(tr("Conflicts needing a decision"));
  conflicts_bar_->setFlat(true);
  conflicts_bar_->hide();
  connect(conflicts_bar_, &QPushButton::clicked, this, &MainWindow::ShowConflicts);
  bottom->addWidget(conflicts_bar_);
  bottom->addStretch(1);
  saved_ = new QLabel;
  saved_->setObjectName("savedLabel");
  saved_->setAccessibleName(tr("Saved"));
  bottom->addWidget(saved_);
  // The language choice (UX.md: "Cymraeg | English"), each named in its own language.
  for (Language l : {Language::kWelsh, Language::kEnglish}) {
    auto* b = new QPushButton(l == Language::kWelsh ? QStringLiteral("Cymraeg") : QStringLiteral("English"));
    b->setObjectName(QString("language:") + QString::fromUtf8(ToString(l).data(), 2));
    b->setAccessibleName(l == Language::kWelsh ? QStringLiteral("Cymraeg (Welsh)") : QStringLiteral("English (Saesneg)"));
    b->setFlat(true);
    b->setCheckable(true);
    b->setChecked(UiLanguage() == l);
    connect(b, &QPushButton::clicked, this, [this, l] { ChooseLanguage(l); });
    bottom->addWidget(b);
  }
  v->addLayout(bottom);
  return w;
}

void MainWindow::BuildActions() {
  auto add = [this](QMenu* menu, const QString& text, const QKeySequence& key, auto slot) {
    auto* a = new QAction(text, this);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WindowShortcut);
    connect(a, &QAction::triggered, this, slot);
    menu->addAction(a);
    addAction(a);
    return a;
  };
  QMenu* file = menuBar()->addMenu("&casepack");
  add(file, tr("&New case…"), QKeySequence("Ctrl+N"), &MainWindow::NewCase);
  add(file, tr("&Sync now"), QKeySequence("Ctrl+S"), &MainWindow::SyncNow);
  add(file, tr("&Lock"), QKeySequence("Ctrl+L"), &MainWindow::Lock);
  add(file, tr("Seal &transfer pack…"), QKeySequence("Ctrl+Shift+S"), &MainWindow::SealPack);
  add(file, tr("&Open transfer pack…"), QKeySequence("Ctrl+O"), &MainWindow::OpenPack);
  add(file, tr("Change &passphrase…"), QKeySequence(), &MainWindow::ChangePassphrase);
  file->addSeparator();
  add(file, tr("&Quit"), QKeySequence("Ctrl+Q"), &QWidget::close);
  QMenu* view = menuBar()->addMenu(tr("&View"));
  // Iaith / Language: works locked too (the lock screen is the first thing people see).
  QMenu* language = menuBar()->addMenu(QStringLiteral("&Iaith / Language"));
  language->setObjectName("languageMenu");
  add(language, QStringLiteral("Cymraeg"), QKeySequence(), [this] { ChooseLanguage(Language::kWelsh); });
  add(language, QStringLiteral("English"), QKeySequence(), [this] { ChooseLanguage(Language::kEnglish); });
  add(view, tr("&Search cases"), QKeySequence("Ctrl+F"), [this] {
    if (locked_) return;
    search_->setFocus();
    search_->selectAll();
  });
  add(view, tr("Report &preview"), QKeySequence("Ctrl+P"), &MainWindow::PreviewReport);
  add(view, tr("&Conflicts"), QKeySequence("Ctrl+K"), &MainWindow::ShowConflicts);
  for (int i = 0; i < 8; ++i) {  // Alt+1…8: the case's tabs
    auto* s = new QShortcut(QKeySequence(QString("Alt+%1").arg(i + 1)), this);
    s->setContext(Qt::WindowShortcut);
    connect(s, &QShortcut::activated, this, [this, i] {
      if (case_view_) {
        case_view_->tabs()->setCurrentIndex(i);
        case_view_->tabs()->currentWidget()->setFocus();
      }
    });
  }
}

void MainWindow::setIdleTimeout(std::chrono::milliseconds t) {
  options_.idle_lock = t;
  idle_timer_.setInterval(t);
  if (!locked_) idle_timer_.start();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
      if (!locked_) idle_timer_.start();
      break;
    default:
      break;
  }
  return QMainWindow::eventFilter(watched, event);
}

void MainWindow::Unlock(const QString& passphrase) {
  lock_screen_->SetBusy(true, tr("Unlocking…"));
  auto pass = std::make_shared<std::string>(S(passphrase));
  lock_screen_->ClearSecrets();
  QPointer<QObject> self(this);
  worker_->Submit([this, self, pass, dir = options_.store_dir](std::unique_ptr<DesktopSession>& slot) {
    auto opened = DesktopSession::Open(dir, *pass);
    std::fill(pass->begin(), pass->end(), '\0');
    Status st = Ok();
    if (opened.ok()) slot = std::move(opened).value();
    else st = opened.error();
    worker_->PostToUi(self, [this, st] {
      if (!st.ok()) {
        lock_screen_->SetBusy(false);
        const Error& e = st.error();
        lock_screen_->ShowError(e.code == ErrorCode::kAuthFailed ? tr("That passphrase is not right. Try again (check Caps Lock).")
                                                                 : Q(Explain(e)));
        return;
      }
      AfterUnlock();
    });
  });
}

void MainWindow::Create(const QString& name, const QString& passphrase) {
  lock_screen_->SetBusy(true, tr("Creating your store…"));
  auto pass = std::make_shared<std::string>(S(passphrase));
  lock_screen_->ClearSecrets();
  QPointer<QObject> self(this);
  const bool cheap = options_.cheap_kdf_for_tests;
  worker_->Submit([this, self, pass, cheap, author = S(name), dir = options_.store_dir](std::unique_ptr<DesktopSession>& slot) {
    auto made = DesktopSession::Create(dir, *pass, author, cheap);
    std::fill(pass->begin(), pass->end(), '\0');
    Status st = Ok();
    if (made.ok()) slot = std::move(made).value();
    else st = made.error();
    worker_->PostToUi(self, [this, st] {
      if (!st.ok()) {
        lock_screen_->SetBusy(false);
        lock_screen_->ShowError(Q(Explain(st.error())));
        return;
      }
      AfterUnlock();
    });
  });
}

void MainWindow::AfterUnlock() {
  locked_ = false;
  lock_screen_->SetBusy(false);
  lock_screen_->SetMode(false, {});
  stack_->setCurrentWidget(workspace_);
  idle_timer_.start();
  SetStatus(tr("Checking…"));
  RefreshList();
  RefreshConflicts();
  RefreshUnsent();
  worker_->Call(this, [](DesktopSession& s) { return s.Enrolled(); }, [this](bool enrolled) {
    enrolled_ = enrolled;
    RefreshUnsent();
    if (enrolled) {
      auto_sync_timer_.start();
      SyncNow();
    }
  });
  if (!reopen_case_.empty()) OpenCase(Q(reopen_case_));
  search_->setFocus();
  emit unlocked();
}

void MainWindow::Lock() {
  if (locked_) return;
  locked_ = true;
  idle_timer_.stop();
  auto_sync_timer_.stop();
  // Typing not yet saved goes to the worker first; the session is destroyed after it is written.
  if (case_view_) {
    case_view_->FlushEdits();
    reopen_case_ = case_view_->case_id();
    case_view_->Wipe();
    delete case_view_.data();
  }
  worker_->Submit([](std::unique_ptr<DesktopSession>& s) { s.reset(); });
  if (report_) {
    report_->Wipe();
    delete report_.data();
  }
  if (password_box_) delete password_box_.data();
  for (QDialog* d : findChildren<QDialog*>()) d->reject();
  WipeTable(case_list_);
  conflict_panel_->Wipe();
  conflict_dock_->hide();
  conflicts_bar_->hide();
  WipeLineEdit(search_);
  message_->clear();
  message_->hide();
  saved_->clear();
  empty_case_->show();
  platform_->ClearSecret();
  platform_->ForgetViewed();
  setWindowTitle(tr("casepack — locked"));
  lock_screen_->SetMode(false, {});
  stack_->setCurrentWidget(lock_screen_);
  lock_screen_->passphrase()->setFocus();
  emit lockedNow();
}

void MainWindow::RefreshList() {
  worker_->Call(this, [](DesktopSession& s) { return s.ListCases(Today()); }, [this](Result<std::vector<CaseRow>> rows) {
    if (locked_) return;
    if (!rows.ok()) return ShowProblem(Q(Explain(rows.error())));
    const QString selected = case_view_ ? Q(case_view_->case_id()) : QString();
    case_list_->setSortingEnabled(false);
    WipeTable(case_list_);
    const Date today = Today();
    for (const CaseRow& r : *rows) {
      const int row = case_list_->rowCount();
      case_list_->insertRow(row);
      auto* who = Item(Q(r.subject) + " · " + Q(r.area));
      who->setData(Qt::UserRole, Q(r.id));
      case_list_->setItem(row, 0, who);
      QString event = Q(std::string(ToString(r.event_type)));
      if (r.event_date) event += "\n" + Q(ScreenDate(*r.event_date));
      case_list_->setItem(row, 1, Item(event));
      auto* next = Item(NextStepWords(r, today));
      QString state = "waiting";
      if (r.next_state == StepState::kOverdue) {
        next->setBackground(QColor("#f8d7da"));
        state = "overdue";
      } else if (r.next_state == StepState::kDue && r.next_due && DaysBetween(today, *r.next_due) <= 7) {
        next->setBackground(QColor("#fff3cd"));
        state = "soon";
      } else if (r.next_state == StepState::kDue) {
        state = "due";
      } else if (!r.next_state) {
        state = "done";
      }
      if (next->background().style() != Qt::NoBrush) next->setForeground(QColor("#1b1b1b"));
      next->setData(Qt::UserRole, state);
      next->setData(Qt::UserRole + 1, r.status == CaseStatus::kOpen);
      case_list_->setItem(row, 2, next);
      case_list_->setItem(row, 3, Item(Q(r.purge)));
      if (Q(r.id) == selected) case_list_->selectRow(row);
    }
    case_list_->setSortingEnabled(true);
    case_list_->resizeColumnToContents(1);
    case_list_->resizeRowsToContents();
    ApplyFilter();
    setWindowTitle(rows->size() == 1 ? tr("casepack — 1 case") : tr("casepack — %1 cases").arg(rows->size()));
    emit listRefreshed();
  });
}

void MainWindow::ApplyFilter() {
  const QString needle = search_->text().trimmed();
  const int mode = filter_->currentIndex();
  for (int r = 0; r < case_list_->rowCount(); ++r) {
    bool show = needle.isEmpty();
    for (int c = 0; c < case_list_->columnCount() && !show; ++c)
      show = case_list_->item(r, c) && case_list_->item(r, c)->text().contains(needle, Qt::CaseInsensitive);
    auto* next = case_list_->item(r, 2);
    const QString state = next ? next->data(Qt::UserRole).toString() : QString();
    const bool open = next && next->data(Qt::UserRole + 1).toBool();
    if (mode == 0) show = show && open;
    if (mode == 1) show = show && open && (state == "soon" || state == "overdue");
    if (mode == 2) show = show && state == "overdue";
    if (mode == 3) show = show && state == "waiting";
    if (mode == 4) show = show && !open;
    case_list_->setRowHidden(r, !show);
  }
}

void MainWindow::OpenCase(const QString& case_id) {
  if (locked_ || case_id.isEmpty()) return;
  if (case_view_ && Q(case_view_->case_id()) == case_id) return;
  if (case_view_) {
    case_view_->FlushEdits();
    case_view_->Wipe();
    delete case_view_.data();
  }
  const std::string id = S(case_id);
  struct Loaded {
    CaseDetail detail;
    CaseTimescales timescales;
    std::string purge;
  };
  worker_->Call(this, [id](DesktopSession& s) -> Result<Loaded> {
    CP_ASSIGN_OR_RETURN(CaseDetail d, s.GetCase(id));
    CP_ASSIGN_OR_RETURN(std::string purge, s.PurgeLine(id));
    CaseTimescales ts = ComputeTimescales(d.record, Today());
    return Loaded{std::move(d), std::move(ts), std::move(purge)};
  }, [this](Result<Loaded> loaded) {
    if (locked_) return;
    if (!loaded.ok()) return ShowProblem(Q(Explain(loaded.error())));
    if (case_view_) return;  // another open won the race
    auto* view = new CaseView(*worker_, *platform_, loaded->detail, case_area_);
    view->Update(loaded->detail, loaded->timescales, Q(loaded->purge));
    case_view_ = view;
    empty_case_->hide();
    case_area_->layout()->addWidget(view);
    connect(view, &CaseView::saving, this, [this] { saved_->setText(tr("Saving…")); });
    connect(view, &CaseView::saved, this, [this] {
      saved_->setText(tr("Saved %1").arg(QTime::currentTime().toString("HH:mm:ss")));
      if (!unsent_timer_.isActive()) unsent_timer_.start();
    });
    connect(view, &CaseView::failed, this, &MainWindow::ShowProblem);
    connect(view, &CaseView::reportRequested, this, &MainWindow::PreviewReport);
    connect(view, &CaseView::reloadRequested, this, [this] {
      ReloadCase();
      RefreshList();
    });
    for (int r = 0; r < case_list_->rowCount(); ++r)
      if (case_list_->item(r, 0)->data(Qt::UserRole).toString() == Q(view->case_id())) case_list_->selectRow(r);
    reopen_case_.clear();
    emit caseOpened();
  });
}

void MainWindow::ReloadCase() {
  if (!case_view_) return;
  const std::string id = case_view_->case_id();
  struct Loaded {
    CaseDetail detail;
    std::string purge;
  };
  worker_->Call(this, [id](DesktopSession& s) -> Result<Loaded> {
    CP_ASSIGN_OR_RETURN(CaseDetail d, s.GetCase(id));
    CP_ASSIGN_OR_RETURN(std::string purge, s.PurgeLine(id));
    return Loaded{std::move(d), std::move(purge)};
  }, [this, id](Result<Loaded> loaded) {
    if (locked_ || !case_view_ || case_view_->case_id() != id) return;
    if (!loaded.ok()) return ShowProblem(Q(Explain(loaded.error())));
    case_view_->Update(loaded->detail, ComputeTimescales(loaded->detail.record, Today()), Q(loaded->purge));
    emit caseReloaded();
  });
}

void MainWindow::SetStatus(const QString& text) { sync_status_->setText(text); }

void MainWindow::RefreshUnsent() {
  worker_->Call(this, [](DesktopSession& s) { return s.Unsent(); }, [this](Result<std::size_t> n) {
    if (locked_ || !n.ok()) return;
    unsent_ = *n;
    if (syncing_) return;
    if (!enrolled_) {
      SetStatus(tr("This laptop only · no central store set up"));
      sync_status_->setToolTip(tr("Everything is kept encrypted on this laptop. Ask the Business Unit for an invitation to share cases."));
      return;
    }
    const QString pending = *n == 0 ? tr("all changes sent")
                                    : *n == 1 ? tr("1 change not yet sent") : tr("%1 changes not yet sent").arg(*n);
    SetStatus((last_sync_.isEmpty() ? tr("● Offline") : tr("Synced at %1").arg(last_sync_)) + " · " + pending);
  });
}

void MainWindow::SyncNow() {
  if (locked_ || syncing_) return;
  if (case_view_) case_view_->FlushEdits();
  syncing_ = true;
  sync_button_->setEnabled(false);
  SetStatus(tr("Syncing…"));
  worker_->Call(this, [](DesktopSession& s) { return s.Sync(); }, [this](Result<SyncOutcome> r) {
    syncing_ = false;
    sync_button_->setEnabled(true);
    if (locked_) return;
    if (!r.ok()) {
      ShowProblem(tr("Sync did not finish: %1 Nothing typed is lost; try again.").arg(Q(Explain(r.error()))));
    } else if (!r->enrolled) {
      SetStatus(tr("Not connected to a central store"));
      sync_status_->setToolTip(Q(r->message));
    } else if (r->reached) {
      last_sync_ = QTime::currentTime().toString("HH:mm");
      sync_status_->setToolTip(Q(r->message));
    } else {
      sync_status_->setToolTip(Q(r->message));
    }
    RefreshUnsent();
    RefreshList();
    ReloadCase();
    RefreshConflicts();
    emit syncFinished(r.ok() && r->reached);
  });
}

void MainWindow::RefreshConflicts() {
  worker_->Call(this, [](DesktopSession& s) { return s.Conflicts(); }, [this](Result<std::vector<ConflictItem>> items) {
    if (locked_ || !items.ok()) return;
    const auto n = items->size();
    conflict_panel_->SetConflicts(std::move(items).value());
    conflicts_bar_->setVisible(n > 0);
    conflicts_bar_->setText(n == 1 ? tr("⚠ 1 conflict needs a decision ▸") : tr("⚠ %1 conflicts need a decision ▸").arg(n));
    emit conflictsRefreshed(static_cast<int>(n));
  });
}

void MainWindow::ShowConflicts() {
  if (locked_) return;
  conflict_dock_->show();
  conflict_dock_->raise();
  conflict_panel_->setFocus();
}

void MainWindow::PreviewReport() {
  if (locked_ || !case_view_) return;
  case_view_->FlushEdits();
  const std::string id = case_view_->case_id();
  saved_->setText(tr("Preparing the report…"));
  worker_->Call(this, [id](DesktopSession& s) { return s.ReportHtml(id, Today()); }, [this, id](Result<std::string> html) {
    if (locked_) return;
    saved_->clear();
    if (!html.ok()) return ShowProblem(Q(Explain(html.error())));
    if (!report_) {
      report_ = new ReportDialog(windowTitle(), this);
      connect(report_, &ReportDialog::saveRequested, this, &MainWindow::SaveReport);
    }
    report_->SetCaseId(id);
    report_->SetHtml(std::move(html).value());
    report_->show();
    report_->raise();
    emit reportReady();
  });
}

void MainWindow::SaveReport(const std::string& case_id, ReportDocument which, ReportFormat format, const QString& path) {
  // Rendered and written on the session's thread: the window stays responsive, the dialog shows it is busy.
  QPointer<ReportDialog> dialog = report_;
  worker_->Call(this, [=, out = std::filesystem::path(S(path))](DesktopSession& s) {
    return s.SaveReport(case_id, Today(), which, format, out);
  }, [dialog, path](Status st) {
    if (dialog) dialog->SaveFinished(path, st.ok() ? QString() : Q(Explain(st.error())));
  });
}

void MainWindow::NewCase() {
  if (locked_) return;
  NewCaseDialog dialog(this);
  if (dialog.exec() != QDialog::Accepted || locked_) return;
  auto c = dialog.Read();
  if (!c) return;
  worker_->Call(this, [c = *c](DesktopSession& s) { return s.CreateCase(c); }, [this](Result<std::string> id) {
    if (!id.ok()) return ShowProblem(Q(Explain(id.error())));
    RefreshList();
    OpenCase(Q(*id));
  });
}

void MainWindow::ChangePassphrase() {
  if (locked_) return;
  PassphraseDialog dialog(this);
  if (dialog.exec() != QDialog::Accepted || locked_) return dialog.Wipe();
  auto pass = std::make_shared<std::string>(S(dialog.passphrase()));
  dialog.Wipe();
  saved_->setText(tr("Changing the passphrase…"));
  worker_->Call(this, [pass](DesktopSession& s) {
    Status st = s.ChangePassphrase(*pass);
    std::fill(pass->begin(), pass->end(), '\0');
    return st;
  }, [this](Status st) {
    saved_->setText(st.ok() ? tr("Passphrase changed") : QString());
    if (!st.ok()) ShowProblem(Q(Explain(st.error())));
  });
}

void MainWindow::SealPack() {
  if (locked_ || !case_view_) return ShowProblem(tr("Open the case to send first, then seal its pack."));
  bool ok = false;
  const QString from = QInputDialog::getText(this, tr("Seal a transfer pack"), tr("Sent by (your agency):"), QLineEdit::Normal,
                                             tr("Business Unit"), &ok);
  if (!ok || from.trimmed().isEmpty() || locked_) return;
  const QString path = QFileDialog::getSaveFileName(this, tr("Save the transfer pack"), "case-pack.age", tr("age files (*.age)"));
  if (path.isEmpty() || locked_) return;
  SealPackTo(path, from.trimmed());
}

void MainWindow::SealPackTo(const QString& path, const QString& from) {
  if (locked_ || !case_view_) return;
  case_view_->FlushEdits();
  const std::string id = case_view_->case_id();
  saved_->setText(tr("Sealing the pack…"));
  worker_->Call(this, [id, p = S(path), f = S(from)](DesktopSession& s) { return s.SealPackWithPassword(id, p, f, true); },
                [this, path](Result<DesktopSession::SealedPack> sealed) {
                  saved_->clear();
                  if (locked_) return;
                  if (!sealed.ok()) return ShowProblem(tr("The pack was not sealed: %1").arg(Q(Explain(sealed.error()))));
                  const QString password = Q(sealed->password);
                  std::fill(sealed->password.begin(), sealed->password.end(), '\0');
                  platform_->CopySecret(password, std::chrono::seconds(30));
                  const QString saved_as = sealed->documents == 1
                                               ? tr("The pack is saved as %1 with 1 document.").arg(QFileInfo(path).fileName())
                                               : tr("The pack is saved as %1 with %2 documents.")
                                                     .arg(QFileInfo(path).fileName())
                                                     .arg(sealed->documents);
                  auto* box = new QMessageBox(QMessageBox::Information, tr("Pack sealed"),
                                              saved_as + "\n\n" +
                                                  tr("Its password, shown only now:\n\n%1\n\nIt is on the clipboard for 30 "
                                                     "seconds. Send it by another route than the pack (for example by phone).")
                                                      .arg(password),
                                              QMessageBox::Ok, this);
                  box->setObjectName("packPassword");
                  box->setAttribute(Qt::WA_DeleteOnClose);
                  box->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
                  password_box_ = box;
                  box->show();
                  emit packSealed();
                });
}

void MainWindow::OpenPack() {
  if (locked_) return;
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a transfer pack"), QString(), tr("age files (*.age);;All files (*)"));
  if (path.isEmpty() || locked_) return;
  bool ok = false;
  const QString password = QInputDialog::getText(this, tr("Open a transfer pack"), tr("The pack's password:"), QLineEdit::Password,
                                                 QString(), &ok);
  if (!ok || locked_) return;
  OpenPackFrom(path, password);
}

void MainWindow::OpenPackFrom(const QString& path, const QString& password) {
  if (locked_) return;
  saved_->setText(tr("Opening the pack…"));
  auto pw = std::make_shared<std::string>(S(password));
  worker_->Call(this, [p = S(path), pw](DesktopSession& s) {
    auto r = s.OpenPackWithPassword(p, *pw);
    std::fill(pw->begin(), pw->end(), '\0');
    return r;
  }, [this](Result<std::string> id) {
    saved_->clear();
    if (!id.ok()) {
      return ShowProblem(id.error().code == ErrorCode::kAuthFailed
                             ? tr("That password does not open this pack. Check it with whoever sent it.")
                             : tr("The pack was not opened, and nothing was added: %1").arg(Q(Explain(id.error()))));
    }
    RefreshList();
    if (case_view_) {
      case_view_->FlushEdits();
      case_view_->Wipe();
      delete case_view_.data();
    }
    OpenCase(Q(*id));
    emit packOpened();
  });
}

void MainWindow::ChooseLanguage(Language lang) {
  for (auto* b : findChildren<QPushButton*>(QRegularExpression("^language:")))
    b->setChecked(b->objectName() == QString("language:") + QString::fromUtf8(ToString(lang).data(), 2));
  if (lang == UiLanguage()) return;
  SetUiLanguage(lang);
  SaveUiLanguage(lang);
  // Every widget was built in the old language: lock (everything typed is saved first) and let main.cpp
  // build the window again in the new one.
  Lock();
  emit languageChanged();
}

void MainWindow::ShowProblem(const QString& message) {
  if (locked_) return;
  message_->setText(message);
  message_->show();
  QTimer::singleShot(std::chrono::seconds(12), message_, [m = message_, message] {
    if (m->text() == message) m->hide();
  });
  emit problem(message);
}

}  // namespace casepack::desktop
