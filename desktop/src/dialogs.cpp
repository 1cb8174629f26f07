#include "dialogs.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QPushButton>
#include <QVBoxLayout>

#include "case_view.h"
#include "i18n.h"
#include "lock_screen.h"
#include "session.h"

namespace casepack::desktop {

ReportDialog::ReportDialog(const QString& title, QWidget* parent) : QDialog(parent) {
  setObjectName("reportDialog");
  setWindowTitle(tr("Report preview — %1").arg(title));
  setAccessibleName(tr("Report preview"));
  resize(860, 900);
  auto* v = new QVBoxLayout(this);
  view_ = new QTextBrowser;
  view_->setObjectName("reportView");
  view_->setAccessibleName(tr("Report"));
  view_->setOpenLinks(false);
  v->addWidget(view_, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  auto* save = buttons->addButton(tr("Save as HTML…"), QDialogButtonBox::ActionRole);
  save->setAccessibleName(tr("Save report as HTML"));
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(save, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the report"), "report.html", tr("HTML (*.html)"));
    if (path.isEmpty()) return;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(html_.data(), static_cast<qint64>(html_.size())) < 0)
      view_->setToolTip(tr("The report could not be saved there. Choose another folder."));
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
  setWindowTitle(tr("New case"));
  auto* v = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  type_ = new QComboBox;
  type_->setAccessibleName(tr("Kind of event"));
  for (EventType t : AllEventTypes())
    type_->addItem(L(Label(UiLanguage(), t)) + " (" + Q(std::string(ToString(t))) + ")", Q(std::string(ToString(t))));
  subject_ = new QLineEdit;
  subject_->setObjectName("subject");
  subject_->setAccessibleName(tr("Child's initials or name"));
  subject_->setPlaceholderText(tr("initials are best, e.g. G.A.D."));
  area_ = new QLineEdit;
  area_->setObjectName("area");
  area_->setAccessibleName(tr("Local authority area"));
  lead_ = new QLineEdit;
  lead_->setAccessibleName(tr("Lead agency"));
  venue_ = new QLineEdit;
  venue_->setAccessibleName(tr("Venue"));
  facilitators_ = new QLineEdit;
  facilitators_->setObjectName("facilitators");
  facilitators_->setAccessibleName(tr("Facilitators"));
  facilitators_->setPlaceholderText(tr("names, separated by commas"));
  form->addRow(tr("&Kind of event"), type_);
  form->addRow(tr("&Child (initials)"), subject_);
  form->addRow(tr("&Area"), area_);
  form->addRow(tr("&Lead agency"), lead_);
  form->addRow(tr("&Venue"), venue_);
  form->addRow(tr("&Facilitators"), facilitators_);
  v->addLayout(form);
  auto* dates_box = new QLabel(tr("<b>Key dates</b> (DD/MM/YYYY; leave blank if not known yet)"));
  v->addWidget(dates_box);
  dates_form_ = new QFormLayout;
  v->addLayout(dates_form_);
  error_ = new QLabel;
  error_->setWordWrap(true);
  error_->setStyleSheet("color: #a4262c;");
  v->addWidget(error_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Create case"));
  buttons->button(QDialogButtonBox::Ok)->setObjectName("button:Create case");
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
    e->setAccessibleName(L(KeyDateTitle(UiLanguage(), t, k)));
    e->setObjectName("date:" + Q(std::string(k.key)));
    e->setPlaceholderText(tr("DD/MM/YYYY"));
    dates_form_->addRow(L(KeyDateTitle(UiLanguage(), t, k)), e);
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
    error_->setText(tr("Type the child's initials and the area: both are needed."));
    return std::nullopt;
  }
  for (const auto& [key, e] : dates_) {
    if (e->text().trimmed().isEmpty()) continue;
    auto d = ParseTypedDate(e->text());
    if (!d) {
      error_->setText(tr("The date \"%1\" was not understood. Type it as DD/MM/YYYY.").arg(e->text().toHtmlEscaped()));
      e->setFocus();
      return std::nullopt;
    }
    c.key_dates[key] = *d;
  }
  return c;
}

PassphraseDialog::PassphraseDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Change passphrase"));
  auto* form = new QFormLayout(this);
  pass_ = new QLineEdit;
  pass_->setEchoMode(QLineEdit::Password);
  pass_->setAccessibleName(tr("New passphrase"));
  repeat_ = new QLineEdit;
  repeat_->setEchoMode(QLineEdit::Password);
  repeat_->setAccessibleName(tr("New passphrase again"));
  strength_ = new QLabel;
  strength_->setWordWrap(true);
  form->addRow(tr("&New passphrase"), pass_);
  form->addRow(tr("&Again"), repeat_);
  form->addRow(strength_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  form->addRow(buttons);
  auto check = [this] {
    const std::string p = S(pass_->text());
    const Status s = DesktopSession::CheckStrength(p);
    strength_->setText(s.ok() ? (pass_->text() == repeat_->text() ? tr("Strength: good ✓") : tr("Type it again below."))
                              : tr("Too weak: %1").arg(Q(Explain(s.error()))));
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
