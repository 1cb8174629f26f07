// The case's process tab (issue 16): what the guidance asks around the event, beyond its notes.
//   MAS  (003) — the referral (§1.3, §4.2), the facilitators' meetings before and after (§4.8), who writes
//        the Summary Report (Appendix 1);
//   MAPF (000) — the referral route (§1), working principles (§4), the planning group (§7) and every
//        agency's agreement, then the Local Operational Group's (§6);
//   MAPM (002) — chair, minute-taker, time, who informs the family and what the family knew (§5-§9), every
//        review of the action plan (§10);
// and for each, who the report (MAPM: the minutes) goes to and when each copy was sent. Every change goes
// through DesktopSession; the rules (which agencies are required, when a review is late) are the domain's.
#include <QColor>
#include <QDate>

#include <algorithm>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QScrollArea>
#include <QVBoxLayout>

#include "case_view.h"
#include "i18n.h"
#include "session.h"
#include "view_parts.h"
#include "worker.h"

#include "casepack/report_layout.h"

namespace casepack::desktop {

namespace {

QString R(RS id) { return L(std::string(ReportString(id, UiLanguage()))); }

QGroupBox* Group(const QString& title, const char* name) {
  auto* g = new QGroupBox(title);
  g->setObjectName(name);
  return g;
}

// A recipient as people call them: the fixed ones in the window's language, attendees as typed.
QString RecipientName(const ReportRecipient& r) {
  if (r.role == "family") return R(RS::kMapmFamily);
  const std::string key = "recipient." + r.key;
  if (LabelCatalogue::Embedded().Has(key)) return L(Label(UiLanguage(), key));
  return Q(r.name);
}

}  // namespace

void CaseView::ShowStored(QLineEdit* e, const QString& text) {
  saved_text_[e] = text;
  if (!e->hasFocus()) e->setText(text);  // never under the person's cursor
}

QWidget* CaseView::BuildProcess() {
  // A type without panels of its own here still shows who its report goes to.
  QWidget* body = type_ == EventType::kMas    ? BuildMasProcess()
                  : type_ == EventType::kMapf ? BuildMapfProcess()
                  : type_ == EventType::kMapm ? BuildMapmProcess()
                                              : nullptr;
  if (body == nullptr) {
    body = new QWidget;
    new QVBoxLayout(body);
  }
  auto* layout = static_cast<QVBoxLayout*>(body->layout());
  layout->addWidget(BuildRecipients());
  layout->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setObjectName("processTab");
  scroll->setAccessibleName(tr("Before and after the event"));
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(body);
  return scroll;
}

QLineEdit* CaseView::KeyDateField(std::string_view key) {
  auto* e = new QLineEdit;
  const auto def = FindKeyDate(type_, key);
  const QString title = def.ok() ? L(KeyDateTitle(UiLanguage(), type_, **def)) : Q(std::string(key));
  e->setObjectName(Q("date:" + std::string(key)));
  e->setAccessibleName(title);
  e->setPlaceholderText(tr("DD/MM/YYYY"));
  e->setMaximumWidth(160);
  key_date_fields_[std::string(key)] = e;
  auto save = [this, e, k = std::string(key)] {
    if (e->text().trimmed() == saved_text_[e].trimmed()) return;
    if (e->text().trimmed().isEmpty()) {
      saved_text_[e] = QString();
      return Change([k](DesktopSession& s, const std::string& id) { return s.ClearKeyDate(id, k); }, true);
    }
    const auto date = ParseTypedDate(e->text());
    if (!date) return emit failed(tr("That date was not understood. Type it as DD/MM/YYYY, for example 27/11/2026."));
    saved_text_[e] = TypedDate(*date);
    Change([k, d = *date](DesktopSession& s, const std::string& id) { return s.SetKeyDate(id, k, d); }, true);
  };
  connect(e, &QLineEdit::editingFinished, this, save);
  return e;
}

QLineEdit* CaseView::SavedField(const char* name, const QString& placeholder,
                                std::function<Status(DesktopSession&, const std::string&, const std::string&)> save) {
  QLineEdit* e = Field(name, placeholder);
  connect(e, &QLineEdit::editingFinished, this, [this, e, save] {
    const QString text = e->text().trimmed();
    if (text == saved_text_[e]) return;
    saved_text_[e] = text;
    Change([save, t = S(text)](DesktopSession& s, const std::string& id) { return save(s, id, t); }, true);
  });
  return e;
}

QHBoxLayout* CaseView::DatedAction(QTableWidget* table, const QString& intro, QWidget* extra, const char* field,
                                   const QString& button, const char* button_name, const QString& choose_first,
                                   std::function<Job(const std::string&, const Date&)> make) {
  auto* row = new QHBoxLayout;
  auto* on = Field(field, tr("DD/MM/YYYY"));
  on->setMinimumWidth(110);
  on->setMaximumWidth(160);
  auto* run = Button(button, button_name);
  row->addWidget(new QLabel(intro));
  if (extra) row->addWidget(extra);
  row->addWidget(on);
  row->addWidget(run);
  row->addStretch(1);
  connect(run, &QPushButton::clicked, this, [=, this] {
    std::string row_id;
    if (table) {
      const int r = table->currentRow();
      if (r < 0 || table->item(r, 0) == nullptr) return emit failed(choose_first);
      row_id = S(table->item(r, 0)->data(Qt::UserRole).toString());
    }
    const auto d = ParseTypedDate(on->text());
    if (!d) return on->setFocus(), emit failed(tr("Type the date as DD/MM/YYYY, for example 11/12/2026."));
    Change(make(row_id, *d), true);
    on->clear();
  });
  return row;
}

QWidget* CaseView::BuildMasProcess() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);

  auto* referral = Group(tr("Referral (003 §1.3, §4.2)"), "referralGroup");
  auto* form = new QFormLayout(referral);
  referral_decision_ = Choice(tr("Referral decision"), {{tr("Referred to Multi-Agency Supervision"), "referred"},
                                                        {tr("Not referred (registered more than 15 months)"), "not-referred"}},
                              "Referral decision");
  std::vector<std::pair<QString, QString>> reasons;
  for (auto r : {MasReferralReason::kFifteenMonths, MasReferralReason::kStuck})
    reasons.emplace_back(L(Label(UiLanguage(), r)), Q(std::string(ToString(r))));
  referral_reason_ = Choice(tr("Reason for referral"), reasons, "Referral reason");
  std::vector<std::pair<QString, QString>> kinds{{tr("(not a 'stuck' case)"), ""}};
  for (auto k : StuckCaseKinds()) kinds.emplace_back(L(StuckKindLabel(UiLanguage(), k)), Q(std::string(k)));
  stuck_kind_ = Choice(tr("Kind of stuck case"), kinds, "Stuck case kind");
  referral_detail_ = Field(QT_TRANSLATE_NOOP("Words", "Referral details"), tr("What makes the case stuck (needed for \"other\")"));
  referral_rationale_ = Field(QT_TRANSLATE_NOOP("Words", "Rationale for not referring"),
                              tr("The conference's rationale for not referring"));
  referral_decided_ = Field(QT_TRANSLATE_NOOP("Words", "Referral decided on"), tr("DD/MM/YYYY"));
  referral_decided_->setMaximumWidth(160);
  auto* save = Button(tr("Save the referral"), QT_TRANSLATE_NOOP("Words", "Save referral"));
  referral_state_ = new QLabel;
  referral_state_->setObjectName("referralState");
  referral_state_->setWordWrap(true);
  form->addRow(tr("Decision"), referral_decision_);
  form->addRow(R(RS::kReferralReason), referral_reason_);
  form->addRow(R(RS::kStuckKind), stuck_kind_);
  form->addRow(R(RS::kReferralDetail), referral_detail_);
  form->addRow(R(RS::kRationale), referral_rationale_);
  form->addRow(tr("Conference that decided"), referral_decided_);
  auto* row = new QHBoxLayout;
  row->addWidget(save);
  row->addWidget(referral_state_, 1);
  form->addRow("", row);
  auto enable = [this] {
    const bool referred = KeyOf(referral_decision_, "referred") == "referred";
    referral_rationale_->setEnabled(!referred);
    stuck_kind_->setEnabled(KeyOf(referral_reason_, "15-months") == "stuck");
  };
  connect(referral_decision_, &QComboBox::currentIndexChanged, this, enable);
  connect(referral_reason_, &QComboBox::currentIndexChanged, this, enable);
  enable();
  connect(save, &QPushButton::clicked, this, [this] {
    MasReferral r;
    r.referred = KeyOf(referral_decision_, "referred") == "referred";
    r.reason = *ParseMasReferralReason(KeyOf(referral_reason_, "15-months"));
    if (r.reason == MasReferralReason::kStuck) r.stuck_kind = KeyOf(stuck_kind_, "");
    r.detail = S(referral_detail_->text().trimmed());
    if (!r.referred) r.rationale = S(referral_rationale_->text().trimmed());
    if (!referral_decided_->text().trimmed().isEmpty()) {
      r.decided = ParseTypedDate(referral_decided_->text());
      if (!r.decided) return emit failed(tr("That date was not understood. Type it as DD/MM/YYYY, for example 27/11/2026."));
    }
    if (r.reason == MasReferralReason::kStuck && r.stuck_kind.empty())
      return stuck_kind_->setFocus(), emit failed(tr("Choose the kind of stuck case (003 §1.3), or \"other\" with the details."));
    if (!r.referred && r.rationale.empty())
      return referral_rationale_->setFocus(), emit failed(tr("A case not referred needs the conference's rationale (003 §1.3)."));
    Change([r](DesktopSession& s, const std::string& id) { return s.SetMasReferral(id, r); }, true);
  });
  v->addWidget(referral);

  auto* meetings = Group(tr("The facilitators (003 §4.8, Appendix 1)"), "facilitatorsGroup");
  auto* mform = new QFormLayout(meetings);
  for (auto key : {keydate::kMasFacilitatorsPrepare, keydate::kMasFacilitatorsDebrief}) {
    QLineEdit* e = KeyDateField(key);
    mform->addRow(e->accessibleName(), e);
  }
  report_writer_ = SavedField(QT_TRANSLATE_NOOP("Words", "Summary Report writer"), tr("Agreed at the debrief"),
                              [](DesktopSession& s, const std::string& id, const std::string& text) {
                                CaseChange c;
                                c.report_writer = text;
                                return s.UpdateCase(id, c);
                              });
  mform->addRow(R(RS::kSummaryWriter), report_writer_);
  v->addWidget(meetings);
  return page;
}

QWidget* CaseView::BuildMapfProcess() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);

  auto* route = Group(R(RS::kReferralRoute) + " (000 §1, §4)", "referralRouteGroup");
  auto* rform = new QFormLayout(route);
  for (auto key : {keydate::kMapfReferralAgreed, keydate::kMapfChairApproved, keydate::kMapfPrinciplesAgreed}) {
    QLineEdit* e = KeyDateField(key);
    rform->addRow(e->accessibleName(), e);
  }
  v->addWidget(route);

  auto* group = Group(R(RS::kPlanningGroup) + " (000 §7)", "planningGroup");
  auto* gv = new QVBoxLayout(group);
  planning_ = MakeTable({tr("Agency"), R(RS::kAgencyKind), tr("Name"), tr("Role"), R(RS::kAgreed)},
                        QT_TRANSLATE_NOOP("Words", "Planning group"));
  planning_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  planning_->setMinimumHeight(170);
  gv->addWidget(planning_, 1);
  planning_state_ = new QLabel;
  planning_state_->setObjectName("planningState");
  planning_state_->setWordWrap(true);
  gv->insertWidget(0, planning_state_);
  auto* add_row = new QHBoxLayout;
  auto* add_row2 = new QHBoxLayout;
  auto* agency = Field(QT_TRANSLATE_NOOP("Words", "Member agency"), tr("Agency, as it names itself"));
  std::vector<std::pair<QString, QString>> kinds;
  for (auto k : AgencyKinds()) kinds.emplace_back(L(AgencyKindLabel(UiLanguage(), k)), Q(std::string(k)));
  auto* kind = Choice(tr("Kind of agency"), kinds, "Member kind");
  auto* name = Field(QT_TRANSLATE_NOOP("Words", "Member name"), tr("Representative (optional)"));
  auto* role = Field(QT_TRANSLATE_NOOP("Words", "Member role"), tr("Role (optional)"));
  auto* co_opted = new QCheckBox(tr("co-opted"));
  co_opted->setObjectName("field:Member co-opted");
  co_opted->setAccessibleName(tr("Co-opted as required"));
  auto* add = Button(tr("Add member"), QT_TRANSLATE_NOOP("Words", "Add planning group member"));
  // Two lines: the kinds' names are long ("Local Authority (Adults' and/or Children's Services)").
  add_row->addWidget(agency, 3);
  add_row->addWidget(kind, 2);
  add_row2->addWidget(name, 2);
  add_row2->addWidget(role, 2);
  add_row2->addWidget(co_opted);
  add_row2->addWidget(add);
  gv->addLayout(add_row);
  gv->addLayout(add_row2);
  auto submit = [=, this] {
    PlanningMember m{{}, KeyOf(kind, "other"), S(agency->text().trimmed()), S(name->text().trimmed()),
                     S(role->text().trimmed()), co_opted->isChecked(), std::nullopt};
    if (m.agency.empty()) return agency->setFocus(), emit failed(tr("Type the agency first (for example Powys Teaching Health Board)."));
    Change([m](DesktopSession& s, const std::string& id) { return StatusOf(s.AddPlanningMember(id, m)); }, true);
    for (QLineEdit* e : {agency, name, role}) e->clear();
    co_opted->setChecked(false);
    agency->setFocus();
  };
  connect(add, &QPushButton::clicked, this, submit);
  for (QLineEdit* e : {agency, name, role}) connect(e, &QLineEdit::returnPressed, this, submit);
  AddRowDelete(planning_, CaseTable::kPlanningGroup, gv, tr("planning group member"),
               QT_TRANSLATE_NOOP("Words", "Delete planning group member"));
  // 000 §6: each agency agrees the report and action plan, then the LOG.
  gv->addLayout(DatedAction(planning_, tr("The chosen agency agreed the report and action plan on"), nullptr,
                            QT_TRANSLATE_NOOP("Words", "Agency agreed on"), tr("Record the chosen agency's agreement"),
                            QT_TRANSLATE_NOOP("Words", "Record agency agreement"),
                            tr("Choose the agency in the planning group first."), [](const std::string& member, const Date& on) {
                              return Job([=](DesktopSession& s, const std::string& id) { return s.RecordMemberAgreement(id, member, on); });
                            }));
  v->addWidget(group);

  auto* log = Group(tr("Local Operational Group (000 §6, §9)"), "logGroup");
  auto* lv = new QVBoxLayout(log);
  log_state_ = new QLabel;
  log_state_->setObjectName("logState");
  log_state_->setWordWrap(true);
  lv->addWidget(log_state_);
  lv->addLayout(DatedAction(nullptr, tr("The Local Operational Group agreed the report and action plan on"), nullptr,
                            QT_TRANSLATE_NOOP("Words", "LOG agreed on"), tr("Record the LOG's agreement"),
                            QT_TRANSLATE_NOOP("Words", "Record LOG agreement"), {}, [](const std::string&, const Date& on) {
                              return Job([=](DesktopSession& s, const std::string& id) { return s.RecordLogAgreement(id, on); });
                            }));
  auto* monitored = new QFormLayout;
  QLineEdit* m = KeyDateField(keydate::kMapfLogMonitored);
  monitored->addRow(m->accessibleName(), m);
  lv->addLayout(monitored);
  v->addWidget(log);
  return page;
}

QWidget* CaseView::BuildMapmProcess() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);

  auto* meeting = Group(tr("The meeting (002 §5-§9)"), "meetingGroup");
  auto* form = new QFormLayout(meeting);
  meeting_time_ = Field(QT_TRANSLATE_NOOP("Words", "Meeting time"), tr("HH:MM"));
  meeting_time_->setMaximumWidth(120);
  connect(meeting_time_, &QLineEdit::editingFinished, this, [this] {
    const QString text = meeting_time_->text().trimmed();
    if (text == saved_text_[meeting_time_]) return;
    if (text.isEmpty()) {  // emptied: the time is cleared
      saved_text_[meeting_time_] = QString();
      Change([](DesktopSession& s, const std::string& id) {
        CaseChange c;
        c.clear_meeting_time = true;
        return s.UpdateCase(id, c);
      }, true);
      return;
    }
    const auto t = ParseTimeOfDay(S(text));
    if (!t.ok()) return emit failed(tr("Type the time as HH:MM, 24-hour, for example 09:30."));
    saved_text_[meeting_time_] = Q(FormatTimeOfDay(*t));
    Change([time = *t](DesktopSession& s, const std::string& id) {
      CaseChange c;
      c.meeting_time = time;
      return s.UpdateCase(id, c);
    }, true);
  });
  chair_ = SavedField(QT_TRANSLATE_NOOP("Words", "Chair"), tr("Name (Agency)"),
                      [](DesktopSession& s, const std::string& id, const std::string& text) {
                        CaseChange c;
                        c.chair = text;
                        return s.UpdateCase(id, c);
                      });
  minute_taker_ = SavedField(QT_TRANSLATE_NOOP("Words", "Minute-taker"), tr("Name (Agency)"),
                             [](DesktopSession& s, const std::string& id, const std::string& text) {
                               CaseChange c;
                               c.minute_taker = text;
                               return s.UpdateCase(id, c);
                             });
  informs_family_ = SavedField(QT_TRANSLATE_NOOP("Words", "Informs the family"), tr("The member appointed (002 §8)"),
                               [](DesktopSession& s, const std::string& id, const std::string& text) {
                                 CaseChange c;
                                 c.informs_family = text;
                                 return s.UpdateCase(id, c);
                               });
  std::vector<std::pair<QString, QString>> family{{tr("not recorded"), ""}};
  for (auto a : {FamilyAwareness::kNotInformed, FamilyAwareness::kInformed, FamilyAwareness::kAgreed, FamilyAwareness::kObjected})
    family.emplace_back(L(Label(UiLanguage(), "mapm-family." + std::string(ToString(a)))), Q(std::string(ToString(a))));
  family_ = Choice(R(RS::kFamilyAwareness), family, "Family awareness");
  connect(family_, &QComboBox::currentIndexChanged, this, [this] {
    if (filling_) return;
    const auto a = ParseFamilyAwareness(KeyOf(family_, ""));
    if (!a.ok()) return;
    Change([awareness = *a](DesktopSession& s, const std::string& id) {
      CaseChange c;
      c.family = awareness;
      return s.UpdateCase(id, c);
    }, true);
  });
  minutes_to_family_ = new QCheckBox(tr("The minutes go to the family too (002 §7)"));
  minutes_to_family_->setObjectName("field:Minutes to family");
  minutes_to_family_->setAccessibleName(R(RS::kMinutesToFamily));
  connect(minutes_to_family_, &QCheckBox::toggled, this, [this](bool on) {
    if (filling_) return;
    Change([on](DesktopSession& s, const std::string& id) {
      CaseChange c;
      c.minutes_to_family = on;
      return s.UpdateCase(id, c);
    }, true);
  });
  form->addRow(R(RS::kTime), meeting_time_);
  form->addRow(R(RS::kChair), chair_);
  form->addRow(R(RS::kMinuteTaker), minute_taker_);
  form->addRow(R(RS::kInformsFamily), informs_family_);
  form->addRow(R(RS::kFamilyAwareness), family_);
  form->addRow(R(RS::kMinutesToFamily), minutes_to_family_);
  v->addWidget(meeting);

  auto* reviews = Group(R(RS::kReviews) + " (002 §10)", "reviewsGroup");
  auto* rv = new QVBoxLayout(reviews);
  reviews_ = MakeTable({R(RS::kReviewHeld), R(RS::kNextReviewAgreed), R(RS::kReviewNote)},
                       QT_TRANSLATE_NOOP("Words", "Action plan reviews"));
  reviews_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  reviews_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  reviews_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  reviews_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  reviews_->setMinimumHeight(150);
  rv->addWidget(reviews_, 1);
  reviews_state_ = new QLabel;
  reviews_state_->setObjectName("reviewsState");
  reviews_state_->setWordWrap(true);
  rv->addWidget(reviews_state_);
  auto* add_row = new QHBoxLayout;
  auto* held = Field(QT_TRANSLATE_NOOP("Words", "Review held"), tr("Held DD/MM/YYYY"));
  auto* next = Field(QT_TRANSLATE_NOOP("Words", "Next review"), tr("Next review DD/MM/YYYY"));
  auto* note = Field(QT_TRANSLATE_NOOP("Words", "Review note"), tr("What the review found (optional)"));
  auto* add = Button(tr("Add review"), QT_TRANSLATE_NOOP("Words", "Add review"));
  add_row->addWidget(held, 2);
  add_row->addWidget(next, 2);
  add_row->addWidget(note, 3);
  add_row->addWidget(add);
  rv->addLayout(add_row);
  auto submit = [=, this] {
    MapmReview r;
    const auto h = ParseTypedDate(held->text());
    if (!h) return held->setFocus(), emit failed(tr("Type the date of the review as DD/MM/YYYY, for example 11/12/2026."));
    r.held = *h;
    if (!next->text().trimmed().isEmpty()) {
      r.next = ParseTypedDate(next->text());
      if (!r.next) return next->setFocus(), emit failed(tr("Type the next review's date as DD/MM/YYYY, for example 11/03/2027."));
    }
    r.note = S(note->text().trimmed());
    Change([r](DesktopSession& s, const std::string& id) { return StatusOf(s.AddMapmReview(id, r)); }, true);
    for (QLineEdit* e : {held, next, note}) e->clear();
    held->setFocus();
  };
  connect(add, &QPushButton::clicked, this, submit);
  for (QLineEdit* e : {held, next, note}) connect(e, &QLineEdit::returnPressed, this, submit);
  AddRowDelete(reviews_, CaseTable::kReviews, rv, tr("review"), QT_TRANSLATE_NOOP("Words", "Delete review"));
  v->addWidget(reviews);
  return page;
}

QWidget* CaseView::BuildRecipients() {
  auto* group = Group(type_ == EventType::kMapm ? tr("Distribution of the minutes (002 §7)") : tr("Who the report goes to"),
                      "recipientsGroup");
  auto* v = new QVBoxLayout(group);
  recipients_ = MakeTable({R(RS::kRecipient), R(RS::kSent)}, QT_TRANSLATE_NOOP("Words", "Report recipients"));
  recipients_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  recipients_->setMinimumHeight(150);
  v->addWidget(recipients_, 1);
  v->addLayout(DatedAction(recipients_, tr("Sent on"), nullptr, QT_TRANSLATE_NOOP("Words", "Sent on"),
                           tr("Record as sent to the chosen recipient"), QT_TRANSLATE_NOOP("Words", "Record sent"),
                           tr("Choose the recipient in the list first."), [](const std::string& key, const Date& on) {
                             return Job([=](DesktopSession& s, const std::string& id) { return s.RecordReportSent(id, key, on); });
                           }));
  return group;
}

void CaseView::LoadRecipients() {
  if (!recipients_) return;
  worker_.Call(this, [id = case_id_](DesktopSession& s) { return s.ReportRecipients(id); },
               [this](Result<std::vector<ReportRecipient>> list) {
                 if (!list.ok()) return emit failed(Q(Explain(list.error())));
                 const QString chosen = recipients_->currentItem() ? recipients_->item(recipients_->currentRow(), 0)->data(Qt::UserRole).toString() : QString();
                 recipients_->setRowCount(0);
                 for (const ReportRecipient& rec : *list) {
                   const int r = AppendRow(recipients_, rec.key, Cell(RecipientName(rec)));
                   recipients_->setItem(r, 1, Cell(rec.sent_on ? Q(ScreenDate(*rec.sent_on)) : R(RS::kNotYetSent)));
                   if (Q(rec.key) == chosen) recipients_->setCurrentCell(r, 0);
                 }
                 recipients_->resizeColumnToContents(0);
               });
}

void CaseView::FillProcess(const CaseDetail& d) {
  const Case& c = d.record;
  for (auto& [key, e] : key_date_fields_) {
    const auto date = c.KeyDate(key);
    ShowStored(e, date ? TypedDate(*date) : QString());
  }
  const ProcessRecord& p = d.process;
  if (type_ == EventType::kMas) {
    ShowStored(report_writer_, Q(p.report_writer));
    if (p.mas_referral && !referral_decided_->hasFocus() && !referral_detail_->hasFocus() && !referral_rationale_->hasFocus()) {
      const MasReferral& r = *p.mas_referral;
      Select(referral_decision_, r.referred ? "referred" : "not-referred");
      Select(referral_reason_, ToString(r.reason));
      Select(stuck_kind_, r.stuck_kind);
      referral_detail_->setText(Q(r.detail));
      referral_rationale_->setText(Q(r.rationale));
      referral_decided_->setText(r.decided ? TypedDate(*r.decided) : QString());
    }
    referral_state_->setText(p.mas_referral ? tr("Recorded.") : tr("Not recorded yet."));
  }
  if (type_ == EventType::kMapf) {
    if (!Editing(planning_)) {
      planning_->setRowCount(0);
      for (const PlanningMember& m : p.planning_group) {
        const int r = AppendRow(planning_, m.id, Cell(Q(m.agency)));
        planning_->setItem(r, 1, Cell(L(AgencyKindLabel(UiLanguage(), m.kind)) + (m.co_opted ? " (" + R(RS::kCoOpted) + ")" : QString())));
        planning_->setItem(r, 2, Cell(Q(m.name)));
        planning_->setItem(r, 3, Cell(Q(m.role)));
        planning_->setItem(r, 4, Cell(m.agreed ? Q(ScreenDate(*m.agreed)) : R(RS::kNotYetAgreed)));
      }
      for (int col = 0; col < 4; ++col) planning_->resizeColumnToContents(col);
      if (planning_->columnWidth(1) > 260) planning_->setColumnWidth(1, 260);  // long kinds wrap; "agreed" stays in sight
      planning_->resizeRowsToContents();
    }
    QStringList missing;
    for (auto k : MissingRequiredAgencies(p.planning_group)) missing << L(AgencyKindLabel(UiLanguage(), k));
    const auto waiting = NotYetAgreed(p.planning_group);
    QString state = missing.isEmpty() ? tr("The Local Authority, the Health Board and the Police are all in the group.")
                                      : "⚠ " + R(RS::kMissingAgencies) + missing.join(", ");
    if (!p.planning_group.empty())
      state += "\n" + (waiting.empty() ? R(RS::kAllAgenciesAgreed) + "."
                                      : tr("%1 of %2 agencies have agreed the report and action plan.")
                                            .arg(p.planning_group.size() - waiting.size())
                                            .arg(p.planning_group.size()));
    planning_state_->setText(state);
    const auto log = c.KeyDate(keydate::kMapfLogAgreed);
    log_state_->setText(log ? tr("Agreed by the Local Operational Group on %1; its quarterly monitoring shows in the timescales.")
                                  .arg(Q(ScreenDate(*log)))
                            : tr("Not yet agreed by the Local Operational Group: every agency agrees first."));
  }
  if (type_ == EventType::kMapm) {
    const MapmRecord& m = d.mapm;
    ShowStored(meeting_time_, m.meeting_time ? Q(FormatTimeOfDay(*m.meeting_time)) : QString());
    ShowStored(chair_, Q(m.chair));
    ShowStored(minute_taker_, Q(m.minute_taker));
    ShowStored(informs_family_, Q(m.informs_family));
    Select(family_, m.family ? ToString(*m.family) : "");
    minutes_to_family_->setChecked(m.minutes_to_family);
    std::vector<MapmReview> all;
    for (const auto& [id, r] : m.reviews) all.push_back(r);
    const auto late = LateReviews(c.KeyDate(keydate::kMapmMeeting), all, c.KeyDate(keydate::kMapmNextReview));
    reviews_->setRowCount(0);
    for (const auto& [id, r] : m.reviews) {
      const int row = AppendRow(reviews_, id, Cell(Q(ScreenDate(r.held))));
      QString next = r.next ? Q(ScreenDate(*r.next)) : QString("—");
      auto* cell = Cell(next);
      for (const LateReview& x : late)
        if (r.next && x.next == *r.next && x.after == r.held) {
          cell->setText(next + "  ⚠ " + tr("late") + ": " +
                        L(Fill(ReportString(RS::kLateReview, UiLanguage()), "name", ScreenDate(x.after))));
          cell->setBackground(QColor("#f8d7da"));
          cell->setForeground(QColor("#1b1b1b"));
        }
      reviews_->setItem(row, 1, cell);
      reviews_->setItem(row, 2, Cell(Q(r.note)));
    }
    reviews_->resizeRowsToContents();
    // The case's agreed next review (after the meeting, or the latest review) when it is too late.
    QString state = m.reviews.empty() ? R(RS::kNoReviews) : QString();
    if (const auto next = c.KeyDate(keydate::kMapmNextReview))
      for (const LateReview& x : late)
        if (x.next == *next && std::none_of(m.reviews.begin(), m.reviews.end(), [&](const auto& r) { return r.second.held == x.after; }))
          state += (state.isEmpty() ? "" : " ") + R(RS::kNextReview) + " " + Q(ScreenDate(*next)) + "  ⚠ " +
                   L(Fill(ReportString(RS::kLateReview, UiLanguage()), "name", ScreenDate(x.after)));
    reviews_state_->setText(state);
  }
  LoadRecipients();
}

}  // namespace casepack::desktop
