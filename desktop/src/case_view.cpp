#include "case_view.h"

#include <QApplication>
#include <QPointer>
#include <QDate>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QKeyEvent>
#include <QScrollArea>
#include <QVBoxLayout>

#include "i18n.h"
#include "note_editor.h"
#include "casepack/report_layout.h"
#include "session.h"
#include "text_diff.h"
#include "view_parts.h"
#include "platform/platform.h"
#include "worker.h"

namespace casepack::desktop {

QString Q(const std::string& s) { return QString::fromStdString(s); }
std::string S(const QString& s) { return s.toStdString(); }

std::optional<Date> ParseTypedDate(const QString& text) {
  const std::string t = S(text.trimmed());
  if (auto d = ParseUkDate(t); d.ok()) return *d;
  if (auto d = ParseDate(t); d.ok()) return *d;
  return std::nullopt;
}
QString TypedDate(const Date& d) { return Q(FormatUkDate(d)); }

Date Today() {
  const QDate q = QDate::currentDate();
  return Date{q.year(), q.month(), q.day()};
}

namespace {

// The Signs of Safety quadrants carry no questions in 003 Appendix 4 itself; these are the model's usual
// questions, shown as grey help until the first keystroke.
QString QuadrantHelp(std::string_view key) {
  if (key == "protective-factors") return Words::tr("What is working well? What strengths and safety are already there? Who helps?");
  if (key == "risk-factors") return Words::tr("What are we worried about? What harm has happened, and what could happen if nothing changes?");
  if (key == "grey-areas") return Words::tr("What are we unsure about? What do we need to know more about?");
  if (key == "complicating-factors") return Words::tr("What makes this harder to understand or to change?");
  return {};
}

QString Help(EventType t, const NoteSectionDef& s) {
  QString h = L(SectionPrompt(UiLanguage(), t, s));
  if (h.isEmpty()) h = QuadrantHelp(s.key);
  return h;
}

}  // namespace

// `name` (here and below) is untranslated source text marked with QT_TRANSLATE_NOOP("Words", …) where it is
// written: the object name stays English (tests, scripts), the accessible name speaks the window's language.
QTableWidget* MakeTable(const QStringList& headers, const char* name) {
  auto* t = new QTableWidget(0, static_cast<int>(headers.size()));
  t->setHorizontalHeaderLabels(headers);
  t->setAccessibleName(Words::tr(name));
  t->setObjectName(name);
  t->horizontalHeader()->setStretchLastSection(true);
  t->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  t->verticalHeader()->hide();
  t->setAlternatingRowColors(true);
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setWordWrap(true);
  return t;
}

// A tab holding one line of explanation and a table; the caller adds the row that adds to it.
QWidget* TablePage(const QString& intro, QTableWidget* table, QVBoxLayout*& v) {
  auto* page = new QWidget;
  v = new QVBoxLayout(page);
  auto* label = new QLabel(intro);
  label->setWordWrap(true);
  v->addWidget(label);
  v->addWidget(table, 1);
  return page;
}

QLineEdit* Field(const char* name, const QString& placeholder) {
  auto* e = new QLineEdit;
  e->setAccessibleName(Words::tr(name));
  e->setObjectName(QString("field:") + name);
  e->setPlaceholderText(placeholder.isEmpty() ? Words::tr(name) : placeholder);
  return e;
}

// A choice of labels, each item holding its machine key (Qt::UserRole).
QComboBox* Choice(const QString& name, const std::vector<std::pair<QString, QString>>& items, const QString& object) {
  auto* c = new QComboBox;
  for (const auto& [label, key] : items) c->addItem(label, key);
  c->setAccessibleName(name);
  c->setObjectName("field:" + (object.isEmpty() ? name : object));
  return c;
}

QPushButton* Button(const QString& text, const char* name) {
  auto* b = new QPushButton(text);
  b->setAccessibleName(Words::tr(name));
  b->setObjectName(QString("button:") + name);
  return b;
}

QTableWidgetItem* Cell(const QString& text, bool editable) {
  auto* i = new QTableWidgetItem(text);
  if (!editable) i->setFlags(i->flags() & ~Qt::ItemIsEditable);
  return i;
}

namespace {
std::vector<std::pair<QString, QString>> AttendanceStatuses() {
  std::vector<std::pair<QString, QString>> out;
  for (auto s : {AttendanceStatus::kInvited, AttendanceStatus::kAttended, AttendanceStatus::kApologies, AttendanceStatus::kAbsent})
    out.emplace_back(L(Label(UiLanguage(), s)), Q(std::string(ToString(s))));
  return out;
}
std::vector<std::pair<QString, QString>> ActionStatuses() {
  std::vector<std::pair<QString, QString>> out;
  for (auto s : {ActionStatus::kOpen, ActionStatus::kDone, ActionStatus::kDropped})
    out.emplace_back(L(Label(UiLanguage(), s)), Q(std::string(ToString(s))));
  return out;
}
}  // namespace

int AppendRow(QTableWidget* t, const std::string& id, QTableWidgetItem* first) {
  const int r = t->rowCount();
  t->insertRow(r);
  first->setData(Qt::UserRole, Q(id));
  t->setItem(r, 0, first);
  return r;
}

std::string KeyOf(const QComboBox* c, const char* otherwise) { return c ? S(c->currentData().toString()) : otherwise; }
void Select(QComboBox* c, std::string_view key) { c->setCurrentIndex(std::max(0, c->findData(Q(std::string(key))))); }

bool Editing(QTableWidget* t) {
  QWidget* f = QApplication::focusWidget();
  return f != nullptr && t->viewport()->isAncestorOf(f) && f != t->viewport();
}

QString StepWords(const TimescaleStep& s, const Date& today) {
  switch (s.state) {
    case StepState::kDone:
      return s.late ? Words::tr("done (late)") : Words::tr("done");
    case StepState::kWaiting:
      return Words::tr("waiting for an earlier date");
    case StepState::kDue: {
      const auto days = DaysBetween(today, *s.due);
      return days == 0 ? Words::tr("due today") : days == 1 ? Words::tr("due in 1 day") : Words::tr("due in %1 days").arg(days);
    }
    case StepState::kOverdue: {
      const auto days = DaysBetween(*s.due, today);
      return days == 1 ? Words::tr("overdue by 1 day") : Words::tr("overdue by %1 days").arg(days);
    }
  }
  return {};
}

namespace {
QString Conflicted(const QString& shown, bool conflict) {
  return conflict ? shown + "  " + Words::tr("⚠ two versions: see the conflicts bar") : shown;
}

}  // namespace

CaseView::CaseView(SessionWorker& worker, Platform& platform, const CaseDetail& detail, QWidget* parent)
    : QWidget(parent), worker_(worker), platform_(platform), case_id_(detail.record.id), type_(detail.record.event_type) {
  setObjectName("caseView");
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(6, 6, 6, 6);
  auto* top = new QHBoxLayout;
  header_ = new QLabel;
  header_->setObjectName("caseHeader");
  header_->setAccessibleName(tr("Case"));
  QFont f = header_->font();
  f.setPointSizeF(f.pointSizeF() * 1.25);
  f.setBold(true);
  header_->setFont(f);
  top->addWidget(header_, 1);
  auto* report = Button(tr("&Report preview…"), QT_TRANSLATE_NOOP("Words", "Report preview"));
  report->setToolTip(tr("Preview the report exactly as it will be sent (Ctrl+P)"));
  connect(report, &QPushButton::clicked, this, &CaseView::reportRequested);
  top->addWidget(report);
  v->addLayout(top);

  tabs_ = new QTabWidget;
  tabs_->setObjectName("caseTabs");
  tabs_->setAccessibleName(tr("Case sections"));
  tabs_->addTab(BuildOverview(), tr("&Overview"));
  tabs_->addTab(BuildEvent(type_), type_ == EventType::kMapm ? tr("&Meeting") : tr("&Event"));
  tabs_->addTab(BuildAttendance(), tr("A&ttendance"));
  tabs_->addTab(BuildActions(), tr("A&ctions"));
  tabs_->addTab(BuildChronology(), tr("C&hronology"));
  tabs_->addTab(BuildPapers(), tr("&Papers"));
  tabs_->addTab(BuildFeedback(), tr("&Feedback"));
  tabs_->addTab(BuildProcess(), type_ == EventType::kMas    ? tr("Referral and &debrief")
                                : type_ == EventType::kMapf ? tr("Planning &group")
                                : type_ == EventType::kMapm ? tr("Meeting recor&d")
                                                            : tr("Before and &after"));
  tabs_->setCurrentIndex(1);
  v->addWidget(tabs_, 1);

  Update(detail, ComputeTimescales(detail.record, Today()), {});
}

CaseView::~CaseView() { Wipe(); }

NoteEditor* CaseView::editor(const QString& key) const {
  auto it = editors_.find(key);
  return it == editors_.end() ? nullptr : it->second;
}

NoteEditor* CaseView::AddEditor(const QString& key, const QString& title, const QString& help) {
  auto* e = new NoteEditor(key, title, help);
  editors_[key] = e;
  connect(e, &NoteEditor::saveRequested, this, &CaseView::SaveNote);
  return e;
}

QWidget* Titled(const QString& title, QWidget* body, bool big) {
  auto* w = new QWidget;
  auto* l = new QVBoxLayout(w);
  l->setContentsMargins(4, 4, 4, 4);
  auto* label = new QLabel(title);
  label->setWordWrap(true);
  QFont f = label->font();
  f.setBold(true);
  if (big) f.setPointSizeF(f.pointSizeF() * 1.1);
  label->setFont(f);
  label->setBuddy(body);
  l->addWidget(label);
  l->addWidget(body, 1);
  return w;
}

QWidget* CaseView::BuildEvent(EventType t) {
  auto* page = new QWidget;
  auto* h = new QHBoxLayout(page);
  // The map: MAS's four quadrants, MAPF's three questions; MAPM's agenda is a list.
  std::vector<std::string_view> map_keys;
  if (t == EventType::kMas) map_keys = {"protective-factors", "risk-factors", "grey-areas", "complicating-factors"};
  if (t == EventType::kMapf) map_keys = {"working-well", "worried-about", "needs-to-happen"};
  auto* side = new QWidget;
  auto* side_layout = new QVBoxLayout(side);
  side_layout->setContentsMargins(0, 0, 0, 0);
  if (!map_keys.empty()) {
    auto* map = new QWidget;
    map->setObjectName("signsOfSafetyMap");
    map->setAccessibleName(t == EventType::kMas ? tr("Signs of Safety map") : tr("The three questions"));
    auto* grid = new QGridLayout(map);
    grid->setSpacing(0);
    map->setStyleSheet("#signsOfSafetyMap > QWidget { border: 1px solid palette(mid); }");
    int i = 0;
    for (std::string_view key : map_keys) {
      auto def = FindNoteSection(t, key);
      if (!def.ok()) continue;
      const QString title = L(SectionTitle(UiLanguage(), t, **def));
      auto* e = AddEditor(Q(std::string(key)), title, Help(t, **def));
      const int row = t == EventType::kMas ? i / 2 : 0, col = t == EventType::kMas ? i % 2 : i;
      grid->addWidget(Titled(title, e, true), row, col);
      ++i;
    }
    for (int c = 0; c < grid->columnCount(); ++c) grid->setColumnStretch(c, 1);
    for (int r = 0; r < grid->rowCount(); ++r) grid->setRowStretch(r, 1);
    h->addWidget(map, 3);
  }
  for (const NoteSectionDef& s : NoteSections(t)) {
    if (std::find(map_keys.begin(), map_keys.end(), s.key) != map_keys.end()) continue;
    const QString title = L(SectionTitle(UiLanguage(), t, s));
    auto* e = AddEditor(Q(std::string(s.key)), title, Help(t, s));
    e->setMinimumHeight(90);
    side_layout->addWidget(Titled(title, e));
  }
  // A practice review's report is written by its reviewers (001), not by facilitators.
  const QString comments_title = ProcessOf(t) == EventType::kCpr ? tr("Reviewers' comments (for the report)")
                                                                 : tr("Facilitator's comments (for the report)");
  auto* comments = AddEditor("comments", comments_title, tr("Anything you want the report to say in your own words."));
  comments->setMinimumHeight(90);
  side_layout->addWidget(Titled(comments_title, comments));
  side_layout->addStretch(0);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setWidget(side);
  scroll->setAccessibleName(map_keys.empty() ? tr("Agenda") : tr("Other sections"));
  scroll->setFrameShape(QFrame::NoFrame);
  h->addWidget(scroll, map_keys.empty() ? 1 : 2);
  return page;
}

QWidget* CaseView::BuildOverview() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);
  // The basics, saved when the person leaves a line: a name or area typed wrongly is corrected here.
  auto* basics = new QHBoxLayout;
  auto basic = [this, basics](const QString& label, const char* name, std::optional<std::string> CaseChange::*field) {
    QLineEdit* e = SavedField(name, {}, [field](DesktopSession& s, const std::string& id, const std::string& text) {
      CaseChange c;
      c.*field = text;
      return s.UpdateCase(id, c);
    });
    auto* l = new QLabel(label);
    l->setBuddy(e);
    basics->addWidget(l);
    basics->addWidget(e, 1);
    return e;
  };
  subject_ = basic(tr("Child"), QT_TRANSLATE_NOOP("Words", "Child's name or initials"), &CaseChange::subject);
  area_ = basic(tr("Area"), QT_TRANSLATE_NOOP("Words", "Local authority area"), &CaseChange::area);
  lead_agency_ = basic(type_ == EventType::kMapm ? tr("Convening agency") : tr("Lead agency"),
                       QT_TRANSLATE_NOOP("Words", "Lead or convening agency"), &CaseChange::lead_agency);
  venue_ = basic(tr("Venue"), QT_TRANSLATE_NOOP("Words", "Venue"), &CaseChange::venue);
  v->addLayout(basics);
  v->addWidget(new QLabel(tr("<b>Timescales</b> (from the guidance; colour always comes with words)")));
  steps_ = MakeTable({tr("Step"), tr("Limit"), tr("Due"), tr("Where it is")}, QT_TRANSLATE_NOOP("Words", "Timescales"));
  steps_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  steps_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  steps_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  steps_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
  steps_->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
  v->addWidget(steps_, 2);
  v->addWidget(new QLabel(tr("<b>Key dates</b> — type DD/MM/YYYY into a date to record it; empty it to clear it")));
  key_dates_ = MakeTable({tr("Key date"), tr("Date")}, QT_TRANSLATE_NOOP("Words", "Key dates"));
  key_dates_->setEditTriggers(QAbstractItemView::AllEditTriggers);
  connect(key_dates_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (filling_ || item->column() != 1) return;
    const std::string key = S(key_dates_->item(item->row(), 0)->data(Qt::UserRole).toString());
    if (item->text().trimmed().isEmpty())  // a date typed on the wrong step goes
      return Change([key](DesktopSession& s, const std::string& id) { return s.ClearKeyDate(id, key); }, true);
    const auto date = ParseTypedDate(item->text());
    if (!date) {
      emit failed(tr("That date was not understood. Type it as DD/MM/YYYY, for example 27/11/2026."));
      return;
    }
    Change([key, d = *date](DesktopSession& s, const std::string& id) { return s.SetKeyDate(id, key, d); }, true);
  });
  v->addWidget(key_dates_, 2);
  purge_ = new QLabel;
  purge_->setObjectName("purgeLine");
  purge_->setAccessibleName(tr("Retention"));
  purge_->setWordWrap(true);
  v->addWidget(purge_);
  return page;
}

QWidget* CaseView::BuildAttendance() {
  attendance_ = MakeTable({tr("Agency"), tr("Role"), tr("Name"), tr("Status"), tr("Reason if not there")},
                          QT_TRANSLATE_NOOP("Words", "Attendance"));
  QVBoxLayout* v = nullptr;
  QWidget* page = TablePage(tr("Who was invited and who came. Agencies missing, and their reasons, go into the report."),
                            attendance_, v);
  auto* form = new QHBoxLayout;
  auto* agency = Field(QT_TRANSLATE_NOOP("Words", "New attendee agency"), tr("Agency"));
  auto* role = Field(QT_TRANSLATE_NOOP("Words", "New attendee role"), tr("Role"));
  auto* name = Field(QT_TRANSLATE_NOOP("Words", "New attendee name"), tr("Name (optional)"));
  auto* status = Choice(tr("New attendee status"), AttendanceStatuses(), "New attendee status");
  auto* reason = Field(QT_TRANSLATE_NOOP("Words", "New attendee reason"), tr("Reason if not there"));
  auto* add = Button(tr("Add attendee"), QT_TRANSLATE_NOOP("Words", "Add attendee"));
  for (QWidget* w : std::initializer_list<QWidget*>{agency, role, name, status, reason, add}) form->addWidget(w);
  v->addLayout(form);
  auto submit = [=, this] {
    Attendance a;
    a.agency = S(agency->text().trimmed());
    a.role = S(role->text().trimmed());
    a.name = S(name->text().trimmed());
    a.reason = S(reason->text().trimmed());
    a.status = *ParseAttendanceStatus(KeyOf(status, "invited"));
    if (a.agency.empty()) {
      emit failed(tr("Type the agency first (for example Health or Gwent Police)."));
      agency->setFocus();
      return;
    }
    Change([a](DesktopSession& s, const std::string& id) { return StatusOf(s.RecordAttendance(id, std::nullopt, a)); }, true);
    for (QLineEdit* e : {agency, role, name, reason}) e->clear();
    status->setCurrentIndex(0);
    agency->setFocus();
  };
  connect(add, &QPushButton::clicked, this, submit);
  for (QLineEdit* e : {agency, role, name, reason}) connect(e, &QLineEdit::returnPressed, this, submit);
  connect(attendance_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* i) {
    if (!filling_) OnAttendanceEdited(i->row());
  });
  AddRowDelete(attendance_, CaseTable::kAttendance, v, tr("attendee"), QT_TRANSLATE_NOOP("Words", "Delete attendee"));
  return page;
}

void CaseView::OnAttendanceEdited(int row) {
  auto text = [&](int c) { return attendance_->item(row, c) ? S(attendance_->item(row, c)->text().trimmed()) : std::string(); };
  Attendance a;
  a.agency = text(0);
  a.role = text(1);
  a.name = text(2);
  auto* combo = qobject_cast<QComboBox*>(attendance_->cellWidget(row, 3));
  a.status = *ParseAttendanceStatus(KeyOf(combo, "invited"));
  a.reason = text(4);
  const std::string attendee = S(attendance_->item(row, 0)->data(Qt::UserRole).toString());
  Change([a, attendee](DesktopSession& s, const std::string& id) { return StatusOf(s.RecordAttendance(id, attendee, a)); }, false);
}

QWidget* CaseView::BuildActions() {
  actions_ = MakeTable({tr("Action"), tr("Owner agency"), tr("Owner role"), tr("Due (DD/MM/YYYY)"), tr("Status"),
                        tr("Where it is"), tr("Reported back to")},
                       QT_TRANSLATE_NOOP("Words", "Actions"));
  actions_->setColumnHidden(6, type_ != EventType::kMas);  // 003 §4.7
  QVBoxLayout* v = nullptr;
  QWidget* page = TablePage(tr("Actions agreed, each with an owner and a date. Set the status to \"dropped\" to take one off the plan."),
                            actions_, v);
  auto* form = new QHBoxLayout;
  auto* what = Field(QT_TRANSLATE_NOOP("Words", "New action"), tr("What is to be done"));
  auto* agency = Field(QT_TRANSLATE_NOOP("Words", "New action owner agency"), tr("Owner agency"));
  auto* role = Field(QT_TRANSLATE_NOOP("Words", "New action owner role"), tr("Owner role"));
  auto* due = Field(QT_TRANSLATE_NOOP("Words", "New action due date"), tr("Due DD/MM/YYYY"));
  auto* add = Button(tr("Add action"), QT_TRANSLATE_NOOP("Words", "Add action"));
  form->addWidget(what, 3);
  for (QWidget* w : std::initializer_list<QWidget*>{agency, role, due, add}) form->addWidget(w, 1);
  v->addLayout(form);
  auto submit = [=, this] {
    Action a;
    a.what = S(what->text().trimmed());
    const Owner o{S(agency->text().trimmed()), S(role->text().trimmed())};
    const auto d = ParseTypedDate(due->text());
    if (a.what.empty()) return what->setFocus(), emit failed(tr("Type what is to be done first."));
    if (o.agency.empty() && o.role.empty()) return agency->setFocus(), emit failed(tr("Say who owns the action: an agency or a role."));
    if (!d) return due->setFocus(), emit failed(tr("Type the due date as DD/MM/YYYY, for example 11/12/2026."));
    a.owner = casepack::Conflicted<Owner>::Of(o);
    a.due = casepack::Conflicted<Date>::Of(*d);
    Change([a](DesktopSession& s, const std::string& id) { return StatusOf(s.AddAction(id, a)); }, true);
    for (QLineEdit* e : {what, agency, role, due}) e->clear();
    what->setFocus();
  };
  connect(add, &QPushButton::clicked, this, submit);
  for (QLineEdit* e : {what, agency, role, due}) connect(e, &QLineEdit::returnPressed, this, submit);
  connect(actions_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* i) {
    if (!filling_) OnActionEdited(i->row(), i->column());
  });
  AddRowDelete(actions_, CaseTable::kActions, v, tr("action"), QT_TRANSLATE_NOOP("Words", "Delete action"));
  // The chosen action: to whom it was reported back (MAS, 003 §4.7), its 001 action plan form (MAPF).
  auto* chosen = new QGroupBox(tr("The chosen action"));
  chosen->setObjectName("actionDetail");
  auto* cv = new QVBoxLayout(chosen);
  action_chosen_ = new QLabel(tr("Choose an action in the list."));
  action_chosen_->setObjectName("actionChosen");
  action_chosen_->setWordWrap(true);
  cv->addWidget(action_chosen_);
  auto chosen_id = [this]() -> std::string {
    const int r = actions_->currentRow();
    return r < 0 || actions_->item(r, 0) == nullptr ? std::string() : S(actions_->item(r, 0)->data(Qt::UserRole).toString());
  };
  if (type_ == EventType::kMas) {
    std::vector<std::pair<QString, QString>> targets;
    for (auto t : ActionReportTargets()) targets.emplace_back(L(ReportTargetLabel(UiLanguage(), t)), Q(std::string(t)));
    auto* to = Choice(tr("Reported back to"), targets, "Action reported to");
    cv->addLayout(DatedAction(actions_, tr("Reported back to"), to, QT_TRANSLATE_NOOP("Words", "Action reported on"),
                              tr("Record reported back"), QT_TRANSLATE_NOOP("Words", "Record action reported"),
                              tr("Choose the action in the list first."), [to](const std::string& action, const Date& on) {
                                const std::string target = KeyOf(to, "line-managers");
                                return Job([=](DesktopSession& s, const std::string& id) {
                                  return s.RecordActionReported(id, action, target, on);
                                });
                              }));
  }
  if (type_ == EventType::kMapf) {
    auto* plan_form = new QFormLayout;
    const std::pair<const char*, RS> fields[] = {{QT_TRANSLATE_NOOP("Words", "Action recommendation"), RS::kRecommendation},
                                                 {QT_TRANSLATE_NOOP("Words", "Action rationale"), RS::kRationale},
                                                 {QT_TRANSLATE_NOOP("Words", "Action intended outcome"), RS::kIntendedOutcome},
                                                 {QT_TRANSLATE_NOOP("Words", "Action measure of success"), RS::kMeasure},
                                                 {QT_TRANSLATE_NOOP("Words", "Action progress"), RS::kProgress}};
    for (const auto& [name, label] : fields) {
      QLineEdit* e = Field(name, L(std::string(ReportString(label, UiLanguage()))));
      plan_fields_.push_back(e);
      plan_form->addRow(L(std::string(ReportString(label, UiLanguage()))), e);
    }
    auto* save = Button(tr("Save the action plan form"), QT_TRANSLATE_NOOP("Words", "Save action plan form"));
    auto* save_row = new QHBoxLayout;
    save_row->addWidget(save);
    save_row->addStretch(1);
    plan_form->addRow("", save_row);
    cv->addLayout(plan_form);
    connect(save, &QPushButton::clicked, this, [=, this] {
      const std::string action = chosen_id();
      if (action.empty()) return emit failed(tr("Choose the action in the list first."));
      ActionPlanFields p{S(plan_fields_[0]->text().trimmed()), S(plan_fields_[1]->text().trimmed()),
                         S(plan_fields_[2]->text().trimmed()), S(plan_fields_[3]->text().trimmed()),
                         S(plan_fields_[4]->text().trimmed())};
      Change([=](DesktopSession& s, const std::string& id) { return s.UpdateActionPlan(id, action, p); }, true);
    });
  }
  v->addWidget(chosen);
  connect(actions_, &QTableWidget::currentCellChanged, this, [this](int row, int, int previous) {
    if (!filling_ && row != previous) FillActionDetail();
  });
  return page;
}

void CaseView::FillActionDetail() {
  const int r = actions_->currentRow();
  const auto it = r < 0 || actions_->item(r, 0) == nullptr
                      ? actions_by_id_.end()
                      : actions_by_id_.find(S(actions_->item(r, 0)->data(Qt::UserRole).toString()));
  if (it == actions_by_id_.end()) {
    action_chosen_->setText(tr("Choose an action in the list."));
    for (QLineEdit* e : plan_fields_)
      if (!e->hasFocus()) e->clear();
    return;
  }
  const Action& a = it->second;
  action_chosen_->setText("<b>" + Q(a.what).toHtmlEscaped() + "</b>");
  const std::string* values[] = {&a.plan.recommendation, &a.plan.rationale, &a.plan.outcome, &a.plan.measure, &a.plan.progress};
  for (std::size_t i = 0; i < plan_fields_.size(); ++i)
    if (!plan_fields_[i]->hasFocus()) plan_fields_[i]->setText(Q(*values[i]));
}

void CaseView::OnActionEdited(int row, int column) {
  auto text = [&](int c) { return actions_->item(row, c) ? S(actions_->item(row, c)->text().trimmed()) : std::string(); };
  const std::string action = S(actions_->item(row, 0)->data(Qt::UserRole).toString());
  std::optional<std::string> what;
  std::optional<Owner> owner;
  std::optional<Date> due;
  std::optional<ActionStatus> status;
  switch (column) {
    case 0: what = text(0); break;
    case 1:
    case 2: owner = Owner{text(1), text(2)}; break;
    case 3:
      due = ParseTypedDate(Q(text(3)));
      if (!due) return emit failed(tr("Type the due date as DD/MM/YYYY, for example 11/12/2026."));
      break;
    case 4: {
      auto* combo = qobject_cast<QComboBox*>(actions_->cellWidget(row, 4));
      if (auto s = ParseActionStatus(KeyOf(combo, "open")); s.ok()) status = *s;
      break;
    }
    default: return;
  }
  Change([=](DesktopSession& s, const std::string& id) { return s.UpdateAction(id, action, what, owner, due, status); }, column != 4);
}

QWidget* CaseView::BuildChronology() {
  chronology_ = MakeTable({tr("Date & time"), tr("Source"), tr("Significant event"), tr("Action taken"), tr("Analysis")},
                          QT_TRANSLATE_NOOP("Words", "Chronology"));
  chronology_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  QVBoxLayout* v = nullptr;
  QWidget* page = TablePage(tr("The multi-agency chronology (001 format), merged in date order."), chronology_, v);
  v->insertWidget(1, BuildChronologyHeader());
  auto* form = new QHBoxLayout;
  auto* when = Field(QT_TRANSLATE_NOOP("Words", "Chronology date"), tr("DD/MM/YYYY [HH:MM]"));
  auto* source = Field(QT_TRANSLATE_NOOP("Words", "Chronology source"), tr("Source agency"));
  auto* event = Field(QT_TRANSLATE_NOOP("Words", "Chronology event"), tr("Significant event"));
  auto* taken = Field(QT_TRANSLATE_NOOP("Words", "Chronology action taken"), tr("Action taken"));
  auto* analysis = Field(QT_TRANSLATE_NOOP("Words", "Chronology analysis"), tr("Analysis"));
  auto* add = Button(tr("Add entry"), QT_TRANSLATE_NOOP("Words", "Add chronology entry"));
  for (QWidget* w : std::initializer_list<QWidget*>{when, source, event, taken, analysis, add}) form->addWidget(w);
  v->addLayout(form);
  auto submit = [=, this] {
    auto when_parsed = ParseUkDateTime(S(when->text().trimmed()));
    if (!when_parsed.ok()) return when->setFocus(), emit failed(tr("Type the date as DD/MM/YYYY, with a time HH:MM if known."));
    ChronologyEntry e{*when_parsed, S(source->text().trimmed()), S(event->text().trimmed()), S(taken->text().trimmed()),
                      S(analysis->text().trimmed())};
    if (!ValidateChronologyEntry(e).ok()) return emit failed(tr("An entry needs at least its source and the significant event."));
    Change([e](DesktopSession& s, const std::string& id) { return StatusOf(s.AddChronology(id, e)); }, true);
    for (QLineEdit* l : {when, source, event, taken, analysis}) l->clear();
    when->setFocus();
  };
  connect(add, &QPushButton::clicked, this, submit);
  for (QLineEdit* l : {when, source, event, taken, analysis}) connect(l, &QLineEdit::returnPressed, this, submit);
  AddRowDelete(chronology_, CaseTable::kChronology, v, tr("chronology entry"), QT_TRANSLATE_NOOP("Words", "Delete chronology entry"));
  return page;
}

// The heading of 001 Appendix 1 (subject, time period covered, completed by, date, version): saved as a
// whole with its button or Enter in any of its lines; the library refuses a period that runs backwards.
QWidget* CaseView::BuildChronologyHeader() {
  auto* box = new QGroupBox(tr("Chronology header"));
  box->setObjectName("chronologyHeader");
  auto* grid = new QGridLayout(box);
  grid->setContentsMargins(6, 4, 6, 4);
  grid->setVerticalSpacing(4);
  chron_header_ = {Field(QT_TRANSLATE_NOOP("Words", "Chronology subject"), tr("Name or initials")),
                   Field(QT_TRANSLATE_NOOP("Words", "Period covered from"), tr("DD/MM/YYYY")),
                   Field(QT_TRANSLATE_NOOP("Words", "Period covered to"), tr("DD/MM/YYYY")),
                   Field(QT_TRANSLATE_NOOP("Words", "Chronology completed by"), tr("Name, role, agency")),
                   Field(QT_TRANSLATE_NOOP("Words", "Chronology completed on"), tr("DD/MM/YYYY")),
                   Field(QT_TRANSLATE_NOOP("Words", "Chronology version"), tr("e.g. 2"))};
  auto [subject, from, to, by, on, version] = chron_header_;
  for (QLineEdit* d : {from, to, on}) d->setMaximumWidth(130);
  version->setMaximumWidth(90);
  auto label = [](const QString& text, QLineEdit* buddy) {
    auto* l = new QLabel(text);
    l->setBuddy(buddy);
    return l;
  };
  auto* period = new QHBoxLayout;
  period->addWidget(from);
  period->addWidget(new QLabel(QStringLiteral("\u2013")));
  period->addWidget(to);
  period->addStretch(1);
  auto* save = Button(tr("Save header"), QT_TRANSLATE_NOOP("Words", "Save chronology header"));
  grid->addWidget(label(tr("S&ubject"), subject), 0, 0);
  grid->addWidget(subject, 0, 1);
  grid->addWidget(label(tr("T&ime period covered"), from), 0, 2);
  grid->addLayout(period, 0, 3);
  grid->addWidget(label(tr("Completed b&y"), by), 1, 0);
  grid->addWidget(by, 1, 1);
  auto* last = new QHBoxLayout;
  last->setSpacing(8);
  period->setSpacing(6);
  last->addWidget(label(tr("Date completed"), on));
  last->addWidget(on);
  last->addSpacing(8);
  last->addWidget(label(tr("Ve&rsion"), version));
  last->addWidget(version);
  last->addWidget(save);
  last->addStretch(1);
  grid->addLayout(last, 1, 2, 1, 2);
  grid->setColumnStretch(1, 2);
  grid->setColumnStretch(3, 2);
  auto submit = [this] {
    auto [subject, from, to, by, on, version] = chron_header_;
    ChronologyHeader h{S(subject->text().trimmed()), {}, {}, S(by->text().trimmed()), {}, S(version->text().trimmed())};
    for (auto [line, date] : {std::pair{from, &h.from}, std::pair{to, &h.to}, std::pair{on, &h.date}}) {
      if (line->text().trimmed().isEmpty()) continue;  // an empty line clears its date
      *date = ParseTypedDate(line->text());
      if (!*date) return line->setFocus(), emit failed(tr("Type the date as DD/MM/YYYY, for example 11/12/2026."));
    }
    for (QLineEdit* e : chron_header_) saved_text_[e] = e->text().trimmed();
    Change([h](DesktopSession& s, const std::string& id) { return s.SetChronologyHeader(id, h); }, true);
  };
  connect(save, &QPushButton::clicked, this, submit);
  for (QLineEdit* e : chron_header_) connect(e, &QLineEdit::returnPressed, this, submit);
  return box;
}

QWidget* CaseView::BuildPapers() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);
  checklist_ = new QLabel;
  checklist_->setObjectName("papersChecklist");
  checklist_->setAccessibleName(tr("Papers checklist"));
  checklist_->setTextFormat(Qt::RichText);
  v->addWidget(checklist_);
  documents_ = MakeTable({tr("Paper"), tr("File"), tr("From"), tr("Received")}, QT_TRANSLATE_NOOP("Words", "Documents"));
  documents_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  v->addWidget(documents_, 1);
  auto* buttons = new QHBoxLayout;
  auto* type = new QComboBox;
  type->setAccessibleName(tr("Kind of paper"));
  for (DocumentType t : AllDocumentTypes()) type->addItem(L(Label(UiLanguage(), t)), Q(std::string(ToString(t))));
  auto* from = Field(QT_TRANSLATE_NOOP("Words", "Sent by agency"), tr("Sent by (agency)"));
  auto* add = Button(tr("Add a document…"), QT_TRANSLATE_NOOP("Words", "Add a document"));
  auto* open = Button(tr("Open in viewer"), QT_TRANSLATE_NOOP("Words", "Open document"));
  buttons->addWidget(type, 2);
  buttons->addWidget(from, 1);
  buttons->addWidget(add);
  buttons->addStretch(1);
  buttons->addWidget(open);
  v->addLayout(buttons);
  AddRowDelete(documents_, CaseTable::kDocuments, v, tr("document"), QT_TRANSLATE_NOOP("Words", "Delete document"));
  connect(add, &QPushButton::clicked, this, [=, this] {
    if (from->text().trimmed().isEmpty()) return from->setFocus(), emit failed(tr("Say which agency sent the paper first."));
    const QString path = QFileDialog::getOpenFileName(this, tr("Add a document to the case pack"));
    if (path.isEmpty()) return;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return emit failed(tr("That file could not be read. Check it is not open elsewhere."));
    const std::string bytes = file.readAll().toStdString();
    const auto kind = *ParseDocumentType(S(type->currentData().toString()));
    const std::string name = S(QFileInfo(path).fileName()), agency = S(from->text().trimmed());
    Change([=](DesktopSession& s, const std::string& id) { return s.AddDocument(id, kind, name, Today(), agency, bytes); }, true);
  });
  connect(open, &QPushButton::clicked, this, [this] {
    const int row = documents_->currentRow();
    if (row < 0) return emit failed(tr("Choose a paper in the list first."));
    const std::string doc = S(documents_->item(row, 0)->data(Qt::UserRole).toString());
    const std::string name = S(documents_->item(row, 1)->text());
    worker_.Call(this, [doc, id = case_id_](DesktopSession& s) { return s.ReadDocument(id, doc); },
                 [this, name](Result<std::string> bytes) {
                   if (!bytes.ok()) return emit failed(Q(Explain(bytes.error())));
                   Status st = platform_.OpenInViewer(name, *bytes);
                   std::fill(bytes->begin(), bytes->end(), '\0');
                   if (!st.ok()) emit failed(Q(Explain(st.error())));
                 });
  });
  return page;
}

QWidget* CaseView::BuildFeedback() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);
  QStringList headers{tr("Agency"), tr("Role"), tr("Barriers?")};
  for (const FeedbackQuestionDef& q : FeedbackQuestions()) headers << tr("Q%1").arg(q.number);
  feedback_ = MakeTable(headers, QT_TRANSLATE_NOOP("Words", "Participant feedback"));
  feedback_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  v->addWidget(feedback_, 1);
  AddRowDelete(feedback_, CaseTable::kFeedback, v, tr("feedback form"), QT_TRANSLATE_NOOP("Words", "Delete feedback form"));
  auto* form = new QFormLayout;
  // As on the paper form: each question above its answer (question 4 is a sentence; beside it, the answers
  // were squeezed to a few characters).
  form->setRowWrapPolicy(QFormLayout::WrapAllRows);
  auto* agency = Field(QT_TRANSLATE_NOOP("Words", "Feedback agency"), tr("Agency"));
  auto* role = Field(QT_TRANSLATE_NOOP("Words", "Feedback role"), tr("Job role"));
  auto* barriers = Choice(tr("Feedback barriers"), {{tr("not answered"), ""}, {tr("yes"), "yes"}, {tr("no"), "no"}},
                          "Feedback barriers");
  form->addRow(tr("Agency"), agency);
  form->addRow(tr("Job role"), role);
  std::vector<std::pair<std::string, QLineEdit*>> answers;
  for (const FeedbackQuestionDef& q : FeedbackQuestions()) {
    const QString text = L(FeedbackQuestionText(UiLanguage(), q));
    if (q.yes_no) form->addRow(QString("%1. %2").arg(q.number).arg(text), barriers);
    const std::string field = "Feedback question " + std::to_string(q.number);
    auto* e = new QLineEdit;
    e->setObjectName(Q("field:" + field));
    e->setAccessibleName(tr("Feedback question %1").arg(q.number));
    e->setPlaceholderText(q.yes_no ? tr("Comment") : QString());
    form->addRow(q.yes_no ? tr("   comment") : QString("%1. %2").arg(q.number).arg(text), e);
    answers.emplace_back(std::string(q.key), e);
  }
  auto* add = Button(tr("Add feedback form"), QT_TRANSLATE_NOOP("Words", "Add feedback form"));
  feedback_save_ = Button(tr("Save changes to the chosen form"), QT_TRANSLATE_NOOP("Words", "Save feedback form"));
  feedback_save_->setEnabled(false);
  feedback_save_->setToolTip(tr("Choose a form in the list to see it here and change it."));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(feedback_save_);
  buttons->addStretch(1);
  auto* box = new QWidget;
  box->setLayout(form);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setWidget(box);
  v->addWidget(scroll, 1);
  v->addLayout(buttons);  // under the form, always in sight
  // What the form shows, over `base` (a stored form keeps what the window does not show: area, date, name).
  auto typed = [=](ParticipantFeedback f) {
    f.agency = S(agency->text().trimmed());
    f.role = S(role->text().trimmed());
    f.barriers.reset();
    if (barriers->currentIndex() > 0) f.barriers = barriers->currentIndex() == 1;
    f.answers.clear();
    for (const auto& [key, e] : answers)
      if (!e->text().trimmed().isEmpty()) f.answers[key] = S(e->text().trimmed());
    return f;
  };
  show_feedback_ = [=](const ParticipantFeedback* f) {
    agency->setText(f ? Q(f->agency) : QString());
    role->setText(f ? Q(f->role) : QString());
    barriers->setCurrentIndex(f && f->barriers ? (*f->barriers ? 1 : 2) : 0);
    for (const auto& [key, e] : answers) {
      const auto it = f ? f->answers.find(key) : decltype(f->answers.end()){};
      e->setText(f && it != f->answers.end() ? Q(it->second) : QString());
    }
  };
  connect(add, &QPushButton::clicked, this, [=, this] {
    const ParticipantFeedback f = typed({});
    if (!ValidateParticipantFeedback(f).ok()) return emit failed(tr("A feedback form needs at least the agency and job role."));
    Change([f](DesktopSession& s, const std::string& id) { return StatusOf(s.AddFeedback(id, f)); }, true);
    feedback_->setCurrentCell(-1, -1);
    show_feedback_(nullptr);
  });
  connect(feedback_save_, &QPushButton::clicked, this, [=, this] {
    const auto it = feedback_forms_.find(feedback_editing_);
    if (it == feedback_forms_.end()) return emit failed(tr("Choose the form to change in the list first."));
    const ParticipantFeedback f = typed(it->second);
    if (!ValidateParticipantFeedback(f).ok()) return emit failed(tr("A feedback form needs at least the agency and job role."));
    Change([f, form_id = feedback_editing_](DesktopSession& s, const std::string& id) { return s.UpdateFeedback(id, form_id, f); },
           true);
  });
  connect(feedback_, &QTableWidget::currentCellChanged, this, [this](int row, int, int previous) {
    if (!filling_ && row != previous) FillFeedbackForm();
  });
  return page;
}

void CaseView::FillFeedbackForm() {
  const int r = feedback_->currentRow();
  const auto it = r < 0 || feedback_->item(r, 0) == nullptr
                      ? feedback_forms_.end()
                      : feedback_forms_.find(S(feedback_->item(r, 0)->data(Qt::UserRole).toString()));
  feedback_editing_ = it == feedback_forms_.end() ? std::string() : it->first;
  feedback_save_->setEnabled(!feedback_editing_.empty());
  show_feedback_(it == feedback_forms_.end() ? nullptr : &it->second);
}

void CaseView::AddRowDelete(QTableWidget* table, CaseTable kind, QBoxLayout* layout, const QString& what,
                            const char* button_name) {
  auto* row = new QHBoxLayout;
  row->addStretch(1);
  auto* del = Button(tr("Delete %1…").arg(what), button_name);
  del->setToolTip(tr("Deletes the chosen row on every device after the next sync (the Delete key does the same)."));
  row->addWidget(del);
  layout->insertLayout(layout->indexOf(table) + 1, row);
  connect(del, &QPushButton::clicked, this, [=, this] { DeleteCurrentRow(table, kind, what); });
  // The Delete key on the table itself (a cell being edited keeps the key for its text).
  deletable_[table] = {kind, what};
  table->installEventFilter(this);
}

bool CaseView::eventFilter(QObject* watched, QEvent* event) {
  auto it = deletable_.find(watched);
  if (it != deletable_.end() && event->type() == QEvent::KeyPress &&
      static_cast<QKeyEvent*>(event)->key() == Qt::Key_Delete && static_cast<QKeyEvent*>(event)->modifiers() == Qt::NoModifier) {
    DeleteCurrentRow(static_cast<QTableWidget*>(watched), it->second.first, it->second.second);
    return true;
  }
  return QWidget::eventFilter(watched, event);
}

void CaseView::DeleteCurrentRow(QTableWidget* table, CaseTable kind, const QString& what) {
  const int r = table->currentRow();
  if (r < 0 || table->item(r, 0) == nullptr) return emit failed(tr("Choose the %1 to delete in the list first.").arg(what));
  const std::string row_id = S(table->item(r, 0)->data(Qt::UserRole).toString());
  QStringList shown;
  for (int c = 0; c < std::min(3, table->columnCount()); ++c)
    if (table->item(r, c) && !table->item(r, c)->text().isEmpty()) shown << table->item(r, c)->text();
  // Window-modal and not exec(): a lock while it is open deletes it with this view (no nested event loop
  // returning into a deleted view), and its case text with it.
  auto* ask = new QMessageBox(QMessageBox::Question, tr("Delete %1").arg(what),
                              tr("Delete this %1?\n\n%2\n\nIt goes from every device at the next sync. If someone "
                                 "changes it on another device before seeing the delete, it comes back with their change.")
                                  .arg(what, shown.join(" · ")),
                              QMessageBox::NoButton, this);
  ask->setAttribute(Qt::WA_DeleteOnClose);
  ask->setObjectName("confirmDelete");
  QPushButton* yes = ask->addButton(tr("Delete"), QMessageBox::DestructiveRole);
  yes->setObjectName("confirmDelete:yes");
  QPushButton* no = ask->addButton(tr("Keep it"), QMessageBox::RejectRole);
  no->setObjectName("confirmDelete:no");
  ask->setDefaultButton(no);
  connect(ask, &QMessageBox::finished, this, [this, ask, yes, kind, row_id] {
    if (ask->clickedButton() != yes) return;
    Change([kind, row_id](DesktopSession& s, const std::string& id) { return s.DeleteRow(id, kind, row_id); }, true);
  });
  ask->open();
}

void CaseView::Change(std::function<Status(DesktopSession&, const std::string&)> job, bool reload) {
  emit saving();
  // The outcome goes through the worker (which outlives this view): a save sent just before the case was
  // closed still reports a failure.
  QPointer<CaseView> self(this);
  worker_.Call(&worker_, [job = std::move(job), id = case_id_](DesktopSession& s) { return job(s, id); },
               [this, self, reload](Status st) {
                 if (!st.ok()) return emit worker_.changeFailed(Q(Explain(st.error())));
                 if (!self) return;
                 emit saved();
                 if (reload) emit reloadRequested();
               });
}

void CaseView::SaveNote(const QString& key, const QString& base, const QString& text) {
  const std::string section = S(key);
  if (section == "comments") {
    Change([body = S(text)](DesktopSession& s, const std::string& id) { return s.SetComments(id, body); }, false);
    return;
  }
  // The keystroke path: only the difference goes to the store, checked against what it holds now.
  Change([section, base, text](DesktopSession& s, const std::string& id) -> Status {
    CP_ASSIGN_OR_RETURN(std::string stored, s.ReadNote(id, section));
    const NoteEdit e = PlanNoteEdit(base, text, Q(stored));
    if (e.empty()) return Ok();
    return s.EditNote(id, section, e.pos, e.remove, S(e.insert));
  }, false);
}

void CaseView::FlushEdits() {
  for (auto& [key, e] : editors_) e->Flush();
  // A line saved on leaving it (a chair, a key date) that still has the cursor: saved now, before a lock
  // wipes it (its signals are blocked from then on).
  if (auto* e = qobject_cast<QLineEdit*>(QApplication::focusWidget()); e != nullptr && isAncestorOf(e))
    emit e->editingFinished();
}

void CaseView::Update(const CaseDetail& d, const CaseTimescales& ts, const QString& purge_line) {
  const Case& c = d.record;
  QString head = Q(c.subject.name_or_initials) + " · " + Q(c.subject.area) + " · " + Q(std::string(ToString(c.event_type)));
  if (auto e = c.KeyDate(c.event_type == EventType::kMapm ? "meeting" : "event"); e)
    head += " · " + (c.event_type == EventType::kMapm ? tr("meeting %1") : tr("event %1")).arg(Q(ScreenDate(*e)));
  header_->setText(head);
  ShowStored(subject_, Q(c.subject.name_or_initials));
  ShowStored(area_, Q(c.subject.area));
  ShowStored(lead_agency_, Q(c.lead_agency));
  ShowStored(venue_, Q(c.venue));
  for (auto& [key, e] : editors_) {
    if (key == "comments") {
      e->ApplyStored(Q(d.facilitator_comments));
      continue;
    }
    auto it = d.notes.find(S(key));
    e->ApplyStored(it == d.notes.end() ? QString() : Q(it->second));
  }
  // Timescales and key dates.
  filling_ = true;
  steps_->setRowCount(0);
  for (const TimescaleStep& s : ts.steps) {
    const int r = steps_->rowCount();
    steps_->insertRow(r);
    steps_->setItem(r, 0, Cell(L(StepTitle(UiLanguage(), s))));
    steps_->setItem(r, 1, Cell(L(StepRule(UiLanguage(), s))));
    steps_->setItem(r, 2, Cell(s.done_on ? tr("done %1").arg(Q(ScreenDate(*s.done_on))) : s.due ? Q(ScreenDate(*s.due)) : "—"));
    auto* state = Cell(StepWords(s, ts.today));
    if (s.state == StepState::kOverdue || s.late) state->setBackground(QColor("#f8d7da"));
    else if (s.state == StepState::kDue && DaysBetween(ts.today, *s.due) <= 7) state->setBackground(QColor("#fff3cd"));
    else if (s.state == StepState::kDone) state->setBackground(QColor("#d4edda"));
    if (state->background().style() != Qt::NoBrush) state->setForeground(QColor("#1b1b1b"));
    steps_->setItem(r, 3, state);
  }
  steps_->resizeRowsToContents();
  key_dates_->setRowCount(0);
  for (const KeyDateDef& k : KeyDateDefs(c.event_type)) {
    const int r = key_dates_->rowCount();
    key_dates_->insertRow(r);
    auto* name = Cell(L(KeyDateTitle(UiLanguage(), c.event_type, k)));
    name->setData(Qt::UserRole, Q(std::string(k.key)));
    key_dates_->setItem(r, 0, name);
    const auto date = c.KeyDate(k.key);
    key_dates_->setItem(r, 1, Cell(date ? TypedDate(*date) : QString(), true));
  }
  key_dates_->resizeColumnToContents(0);
  if (!purge_line.isEmpty()) purge_->setText(tr("<b>Retention:</b> %1").arg(purge_line.toHtmlEscaped()));
  FillTables(d);
  FillProcess(d);
  filling_ = false;
}

void CaseView::FillTables(const CaseDetail& d) {
  if (!Editing(attendance_)) {
    attendance_->setRowCount(0);
    for (const AttendanceRecord& rec : d.attendance) {
      const Attendance& a = rec.attendance;
      const int r = attendance_->rowCount();
      attendance_->insertRow(r);
      auto* agency = Cell(Q(a.agency), true);
      agency->setData(Qt::UserRole, Q(rec.id));
      attendance_->setItem(r, 0, agency);
      attendance_->setItem(r, 1, Cell(Q(a.role), true));
      attendance_->setItem(r, 2, Cell(Q(a.name), true));
      auto* status = Choice(tr("Status of %1").arg(Q(a.agency)), AttendanceStatuses());
      Select(status, ToString(a.status));
      if (rec.status_values.has_conflict()) status->setToolTip(tr("Two versions: see the conflicts bar"));
      connect(status, &QComboBox::currentIndexChanged, this, [this, r] { if (!filling_) OnAttendanceEdited(r); });
      attendance_->setCellWidget(r, 3, status);
      attendance_->setItem(r, 4, Cell(Q(a.reason), true));
    }
    for (int c = 0; c < 4; ++c) attendance_->resizeColumnToContents(c);
  }
  actions_by_id_.clear();
  for (const Action& a : d.actions) actions_by_id_[a.id] = a;
  if (!Editing(actions_)) {
    const QString chosen = actions_->currentRow() >= 0 && actions_->item(actions_->currentRow(), 0)
                               ? actions_->item(actions_->currentRow(), 0)->data(Qt::UserRole).toString()
                               : QString();
    std::map<std::string, TimescaleStep> steps;  // "action:ID": due or overdue (open actions with a date)
    for (TimescaleStep& st : ActionSteps(d.actions, Today())) steps[st.key] = std::move(st);
    actions_->setRowCount(0);
    for (const Action& a : d.actions) {
      const int r = actions_->rowCount();
      actions_->insertRow(r);
      auto* what = Cell(Q(a.what), true);
      what->setData(Qt::UserRole, Q(a.id));
      actions_->setItem(r, 0, what);
      const Owner o = a.owner.empty() ? Owner{} : a.owner.value();
      actions_->setItem(r, 1, Cell(Conflicted(Q(o.agency), a.owner.has_conflict()), true));
      actions_->setItem(r, 2, Cell(Q(o.role), true));
      actions_->setItem(r, 3, Cell(a.due.empty() ? QString() : Conflicted(TypedDate(a.due.value()), a.due.has_conflict()), true));
      auto* status = Choice(tr("Status of action %1").arg(Q(a.what)), ActionStatuses());
      Select(status, ToString(a.status));
      connect(status, &QComboBox::currentIndexChanged, this, [this, r] { if (!filling_) OnActionEdited(r, 4); });
      actions_->setCellWidget(r, 4, status);
      auto step = steps.find("action:" + a.id);
      auto* where = Cell(step == steps.end() ? L(Label(UiLanguage(), a.status)) : StepWords(step->second, Today()));
      if (step != steps.end() && step->second.state == StepState::kOverdue) {
        where->setBackground(QColor("#f8d7da"));
        where->setForeground(QColor("#1b1b1b"));
      }
      actions_->setItem(r, 5, where);
      QStringList reported;
      for (const ActionReport& rep : a.reported)
        reported << tr("%1 on %2").arg(L(ReportTargetLabel(UiLanguage(), rep.to)), Q(ScreenDate(rep.on)));
      actions_->setItem(r, 6, Cell(reported.isEmpty() ? L(std::string(ReportString(RS::kNotReportedBack, UiLanguage())))
                                                      : reported.join("; ")));
      if (Q(a.id) == chosen) actions_->setCurrentCell(r, 0);
    }
    for (int c = 0; c < 6; ++c) actions_->resizeColumnToContents(c);
    if (actions_->columnWidth(0) > 420) actions_->setColumnWidth(0, 420);
    actions_->resizeRowsToContents();
    FillActionDetail();
  }
  const ChronologyHeader& ch = d.chronology_header;
  auto typed = [](const std::optional<Date>& day) { return day ? TypedDate(*day) : QString(); };
  const QString header_values[] = {Q(ch.subject), typed(ch.from), typed(ch.to), Q(ch.completed_by), typed(ch.date), Q(ch.version)};
  for (std::size_t i = 0; i < chron_header_.size(); ++i) ShowStored(chron_header_[i], header_values[i]);
  chronology_->setRowCount(0);
  for (const auto& [id, e] : d.chronology) {
    const int r = AppendRow(chronology_, id, Cell(Q(FormatUkDateTime(e.when))));
    chronology_->setItem(r, 1, Cell(Q(e.source)));
    chronology_->setItem(r, 2, Cell(Q(e.significant_event)));
    chronology_->setItem(r, 3, Cell(Q(e.action_taken)));
    chronology_->setItem(r, 4, Cell(Q(e.analysis)));
  }
  documents_->setRowCount(0);
  std::set<DocumentType> have;
  for (const StoredDocument& doc : d.documents) {
    have.insert(doc.meta.type);
    const int r = AppendRow(documents_, doc.meta.id, Cell(L(Label(UiLanguage(), doc.meta.type))));
    documents_->setItem(r, 1, Cell(Q(doc.meta.original_name)));
    documents_->setItem(r, 2, Cell(Q(doc.meta.sending_agency)));
    documents_->setItem(r, 3, Cell(Q(ScreenDate(doc.meta.received))));
  }
  // The papers each event expects (MAS: the domain's checklist of 003 §4.6, below).
  std::vector<DocumentType> expected;
  if (type_ == EventType::kMapf) expected = {DocumentType::kCaseSummary, DocumentType::kBriefingPaper};
  if (type_ == EventType::kMapm) expected = {DocumentType::kAssessmentReport};
  QString list = tr("<b>Papers for this event</b>") + "<br>";
  if (type_ == EventType::kMas) {
    // 003 §4.6: the domain's checklist, with the day each came in.
    for (const PaperCheck& p : d.process.papers)
      list += (p.received ? "☑ " : "☐ ") + L(Label(UiLanguage(), p.type)) +
              (p.received ? tr(" — received %1").arg(Q(ScreenDate(*p.received))) : tr(" — not yet received")) + "<br>";
    list += MasPapersComplete(d.process.papers) ? tr("All four papers are in.")
                                                : tr("Still missing: add each as it arrives, choosing its kind.");
  } else {
    for (DocumentType t : expected)
      list += (have.count(t) ? "☑ " : "☐ ") + L(Label(UiLanguage(), t)) + (have.count(t) ? tr(" — received") : tr(" — not yet received")) + "<br>";
  }
  checklist_->setText(list);
  feedback_forms_.clear();
  for (const auto& [id, f] : d.feedback) feedback_forms_[id] = f;
  feedback_->setRowCount(0);
  for (const auto& [id, f] : d.feedback) {
    const int r = feedback_->rowCount();
    feedback_->insertRow(r);
    if (id == feedback_editing_) feedback_->setCurrentCell(r, 0);
    auto* agency = Cell(Q(f.agency));
    agency->setData(Qt::UserRole, Q(id));
    feedback_->setItem(r, 0, agency);
    feedback_->setItem(r, 1, Cell(Q(f.role)));
    feedback_->setItem(r, 2, Cell(f.barriers ? (*f.barriers ? tr("yes") : tr("no")) : "—"));
    int c = 3;
    for (const FeedbackQuestionDef& q : FeedbackQuestions()) {
      auto it = f.answers.find(q.key);
      feedback_->setItem(r, c++, Cell(it == f.answers.end() ? QString() : Q(it->second)));
    }
  }
}

void CaseView::Wipe() {
  for (auto& [key, e] : editors_) e->Wipe();
  filling_ = true;
  for (QTableWidget* t : {steps_, key_dates_, attendance_, actions_, chronology_, documents_, feedback_, planning_, reviews_,
                          recipients_})
    if (t) t->setRowCount(0);
  actions_by_id_.clear();
  feedback_forms_.clear();
  saved_text_.clear();
  for (QLineEdit* e : findChildren<QLineEdit*>()) {
    // A line left by the lock would otherwise report its (wiped) text as typed: nothing is saved from here on.
    e->blockSignals(true);
    QString s = e->text();
    s.fill(QChar(' '));
    e->setText(s);
    e->clear();
  }
  header_->clear();
  if (checklist_) checklist_->clear();
  if (purge_) purge_->clear();
  for (QLabel* l : {action_chosen_, referral_state_, planning_state_, log_state_, reviews_state_})
    if (l) l->clear();
}

}  // namespace casepack::desktop
