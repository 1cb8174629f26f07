#include "dialogs.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
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
  auto* save_row = new QHBoxLayout;
  auto* which_label = new QLabel(tr("&Document:"));
  document_ = new QComboBox;
  document_->setObjectName("reportDocument");
  document_->setAccessibleName(tr("Document to save"));
  document_->addItem(tr("The event's report"), static_cast<int>(ReportDocument::kReport));
  document_->addItem(tr("Participants' feedback (Business Unit only)"), static_cast<int>(ReportDocument::kFeedback));
  which_label->setBuddy(document_);
  save_row->addWidget(which_label);
  save_row->addWidget(document_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  const std::pair<ReportFormat, QString> formats[] = {{ReportFormat::kPdf, tr("Save as &PDF…")},
                                                      {ReportFormat::kDocx, tr("Save as &Word…")},
                                                      {ReportFormat::kHtml, tr("Save as &HTML…")}};
  for (const auto& [format, text] : formats) {
    auto* b = buttons->addButton(text, QDialogButtonBox::ActionRole);
    b->setObjectName("save:" + Q(std::string(ToString(format))));
    b->setAccessibleName(QString(text).remove('&').remove(QString::fromUtf8("…")));
    connect(b, &QPushButton::clicked, this, [this, format = format] { AskAndSave(format); });
    save_buttons_ << b;
  }
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  save_row->addWidget(buttons, 1);
  v->addLayout(save_row);
  status_ = new QLabel;
  status_->setObjectName("reportSaveStatus");
  status_->setAccessibleName(tr("Saving the report"));
  status_->setWordWrap(true);
  v->addWidget(status_);
}

void ReportDialog::AskAndSave(ReportFormat format) {
  const auto which = static_cast<ReportDocument>(document_->currentData().toInt());
  const QString ext = Q(std::string(FileExtension(format)));
  const QString base = which == ReportDocument::kFeedback ? tr("feedback") : tr("report");
  QString filter;
  switch (format) {
    case ReportFormat::kPdf: filter = tr("PDF (*.pdf)"); break;
    case ReportFormat::kDocx: filter = tr("Word document (*.docx)"); break;
    default: filter = tr("Web page (*.html)"); break;
  }
  QString path = QFileDialog::getSaveFileName(this, tr("Save the report"), base + ext, filter);
  if (path.isEmpty()) return;
  if (!path.endsWith(ext, Qt::CaseInsensitive)) path += ext;
  SaveTo(which, format, path);
}

void ReportDialog::SaveTo(ReportDocument which, ReportFormat format, const QString& path) {
  if (saving_) return;
  saving_ = true;
  for (QPushButton* b : save_buttons_) b->setEnabled(false);
  setCursor(Qt::BusyCursor);
  status_->setText(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  emit saveRequested(case_id_, which, format, path);
}

void ReportDialog::SaveFinished(const QString& path, const QString& error) {
  saving_ = false;
  for (QPushButton* b : save_buttons_) b->setEnabled(true);
  unsetCursor();
  status_->setText(error.isEmpty() ? tr("Saved as %1.").arg(QDir::toNativeSeparators(path))
                                   : tr("Not saved: %1").arg(error));
  emit saveFinished(error.isEmpty());
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
  status_->clear();
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
  facilitators_label_ = qobject_cast<QLabel*>(form->labelForField(facilitators_));
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
  // A practice review's report is written by its reviewers (001), a MAS or MAPF event's by its facilitators.
  const bool review = ProcessOf(t) == EventType::kCpr;
  facilitators_->setAccessibleName(review ? tr("Reviewers") : tr("Facilitators"));
  if (facilitators_label_) facilitators_label_->setText(review ? tr("&Reviewers") : tr("&Facilitators"));
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
