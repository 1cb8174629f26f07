// The window's dialogs: the report preview, a new case, a new passphrase.
#pragma once

#include <QComboBox>
#include <QDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTextBrowser>

#include <map>
#include <optional>
#include <string>

#include "casepack/cases.h"
#include "casepack/report.h"
#include "casepack/report_layout.h"

namespace casepack::desktop {

// Exactly what the report will say (the HTML the report module renders), with Save as PDF, Word or HTML
// of the event's report or of the participants' feedback form. The dialog only asks where: the window
// renders and writes on the session's thread (DesktopSession::SaveReport) and calls SaveFinished; while
// that runs the save buttons are disabled and the dialog says it is saving.
class ReportDialog : public QDialog {
  Q_OBJECT
 public:
  ReportDialog(const QString& title, QWidget* parent);
  void SetHtml(std::string html);
  void SetCaseId(std::string case_id) { case_id_ = std::move(case_id); }
  const std::string& case_id() const { return case_id_; }
  QString plainText() const { return view_->toPlainText(); }
  void Wipe();

  // Saves without asking where (the buttons ask, then call this).
  void SaveTo(ReportDocument which, ReportFormat format, const QString& path);
  // The outcome of a save: `error` empty on success, else one line for people.
  void SaveFinished(const QString& path, const QString& error);
  bool saving() const { return saving_; }
  QString statusText() const { return status_->text(); }

 signals:
  void saveRequested(const std::string& case_id, ReportDocument which, ReportFormat format, const QString& path);
  void saveFinished(bool ok);

 private:
  void AskAndSave(ReportFormat format);
  QTextBrowser* view_;
  QComboBox* document_;
  QLabel* status_;
  QList<QPushButton*> save_buttons_;
  std::string html_;
  std::string case_id_;
  bool saving_ = false;
};

class NewCaseDialog : public QDialog {
  Q_OBJECT
 public:
  explicit NewCaseDialog(QWidget* parent);
  // The case as typed; nullopt (with the reason shown) if something is missing or a date is unreadable.
  std::optional<NewCase> Read();

 private:
  void RebuildDates();
  QComboBox* type_;
  QLineEdit* subject_;
  QLineEdit* area_;
  QLineEdit* lead_;
  QLineEdit* venue_;
  QLineEdit* facilitators_;
  QLabel* facilitators_label_ = nullptr;  // "Facilitators", or "Reviewers" for CPR/APR
  QFormLayout* dates_form_;
  std::map<std::string, QLineEdit*> dates_;
  QLabel* error_;
};

class PassphraseDialog : public QDialog {
  Q_OBJECT
 public:
  explicit PassphraseDialog(QWidget* parent);
  QString passphrase() const { return pass_->text(); }
  void Wipe();

 private:
  QLineEdit* pass_;
  QLineEdit* repeat_;
  QLabel* strength_;
};

}  // namespace casepack::desktop
