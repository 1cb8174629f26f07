#include "dialogs.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QPushButton>
#include <QVBoxLayout>

#include "case_view.h"
#include "lock_screen.h"
#include "session.h"

namespace casepack::desktop {

ReportDialog::ReportDialog(const QString& title, QWidget* parent) : QDialog(parent) {
  setObjectName("reportDialog");
  setWindowTitle("Report preview — " + title);
  setAccessibleName("Report preview");
  resize(860, 900);
  auto* v = new QVBoxLayout(this);
  view_ = new QTextBrowser;
  view_->setObjectName("reportView");
  view_->setAccessibleName("Report");
  view_->setOpenLinks(false);
  v->addWidget(view_, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  auto* save = buttons->addButton("Save as HTML…", QDialogButtonBox::ActionRole);
  save->setAccessibleName("Save report as HTML");
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(save, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, "Save the report", "report.html", "HTML (*.html)");
    if (path.isEmpty()) return;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(html_.data(), static_cast<qint64>(html_.size())) < 0)
      view_->setToolTip("The report could not be saved there. Choose another folder.");
  });
  v->addWidget(buttons);
}

void ReportDialog::SetHtml(std::string html) {
  html_ = std::move(html);
  view_->setHtml(Q(html_));
}

void ReportDialog::Wipe() {
  std::fill(html_.begin(), html_.end(), '\0');
  html_.clear();
  view_->clear();
  view_->document()->clearUndoRedoStacks();
}

NewCaseDialog::NewCaseDialog(QWidget* parent) : QDialog(parent) {
  setObjectName("newCaseDialog");
  setWindowTitle("New case");
  auto* v = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  type_ = new QComboBox;
  type_->setAccessibleName("Kind of event");
  for (EventType t : AllEventTypes())
    type_->addItem(Q(std::string(LongName(t))) + " (" + Q(std::string(ToString(t))) + ")", Q(std::string(ToString(t))));
  subject_ = new QLineEdit;
  subject_->setAccessibleName("Child's initials or name");
  subject_->setPlaceholderText("initials are best, e.g. G.A.D.");
  area_ = new QLineEdit;
  area_->setAccessibleName("Local authority area");
  lead_ = new QLineEdit;
  lead_->setAccessibleName("Lead agency");
  venue_ = new QLineEdit;
  venue_->setAccessibleName("Venue");
  facilitators_ = new QLineEdit;
  facilitators_->setAccessibleName("Facilitators");
  facilitators_->setPlaceholderText("names, separated by commas");
  form->addRow("&Kind of event", type_);
  form->addRow("&Child (initials)", subject_);
  form->addRow("&Area", area_);
  form->addRow("&Lead agency", lead_);
  form->addRow("&Venue", venue_);
  form->addRow("&Facilitators", facilitators_);
  v->addLayout(form);
  auto* dates_box = new QLabel("<b>Key dates</b> (DD/MM/YYYY; leave blank if not known yet)");
  v->addWidget(dates_box);
  dates_form_ = new QFormLayout;
  v->addLayout(dates_form_);
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #a4262c;");
  v->addWidget(error_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText("Create case");
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    if (Read()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  v->addWidget(buttons);
  connect(type_, &QComboBox::currentIndexChanged, this, &NewCaseDialog::RebuildDates);
  RebuildDates();
}

void NewCaseDialog::RebuildDates() {
  while (dates_form_->rowCount() > 0) dates_form_->removeRow(0);
  dates_.clear();
  const EventType t = *ParseEventType(S(type_->currentData().toString()));
  for (const KeyDateDef& k : KeyDateDefs(t)) {
    auto* e = new QLineEdit;
    e->setAccessibleName(Q(std::string(k.title)));
    e->setObjectName("date:" + Q(std::string(k.key)));
    e->setPlaceholderText("DD/MM/YYYY");
    dates_form_->addRow(Q(std::string(k.title)), e);
    dates_[std::string(k.key)] = e;
  }
}

std::optional<NewCase> NewCaseDialog::Read() {
  NewCase c;
  c.event_type = *ParseEventType(S(type_->currentData().toString()));
  c.subject.name_or_initials = S(subject_->text().trimmed());
  c.subject.area = S(area_->text().trimmed());
  c.lead_agency = S(lead_->text().trimmed());
  c.venue = S(venue_->text().trimmed());
  for (const QString& f : facilitators_->text().split(',', Qt::SkipEmptyParts))
    if (!f.trimmed().isEmpty()) c.facilitators.push_back(S(f.trimmed()));
  if (c.subject.name_or_initials.empty() || c.subject.area.empty()) {
    error_->setText("Type the child's initials and the area: both are needed.");
    return std::nullopt;
  }
  for (const auto& [key, e] : dates_) {
    if (e->text().trimmed().isEmpty()) continue;
    auto d = ParseTypedDate(e->text());
    if (!d) {
      error_->setText("The date \"" + e->text().toHtmlEscaped() + "\" was not understood. Type it as DD/MM/YYYY.");
      e->setFocus();
      return std::nullopt;
    }
    c.key_dates[key] = *d;
  }
  return c;
}

PassphraseDialog::PassphraseDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle("Change passphrase");
  auto* form = new QFormLayout(this);
  pass_ = new QLineEdit;
  pass_->setEchoMode(QLineEdit::Password);
  pass_->setAccessibleName("New passphrase");
  repeat_ = new QLineEdit;
  repeat_->setEchoMode(QLineEdit::Password);
  repeat_->setAccessibleName("New passphrase again");
  strength_ = new QLabel;
  strength_->setWordWrap(true);
  form->addRow("&New passphrase", pass_);
  form->addRow("&Again", repeat_);
  form->addRow(strength_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(buttons);
  auto check = [this] {
    const std::string p = S(pass_->text());
    const Status s = DesktopSession::CheckStrength(p);
    strength_->setText(s.ok() ? (pass_->text() == repeat_->text() ? "Strength: good ✓" : "Type it again below.")
                              : "Too weak: " + Q(Explain(s.error())));
    return s.ok() && pass_->text() == repeat_->text();
  };
  connect(pass_, &QLineEdit::textChanged, this, check);
  connect(repeat_, &QLineEdit::textChanged, this, check);
  connect(buttons, &QDialogButtonBox::accepted, this, [this, check] {
    if (check()) accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void PassphraseDialog::Wipe() {
  WipeLineEdit(pass_);
  WipeLineEdit(repeat_);
}

}  // namespace casepack::desktop
