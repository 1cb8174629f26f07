// The window's dialogs: the report preview, a new case, a new passphrase.
#pragma once

#include <QComboBox>
#include <QDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTextBrowser>

#include <map>
#include <optional>
#include <string>

#include "casepack/cases.h"

namespace casepack::desktop {

// Exactly what the report will say (the HTML the report module renders), with Save as HTML.
class ReportDialog : public QDialog {
  Q_OBJECT
 public:
  ReportDialog(const QString& title, QWidget* parent);
  void SetHtml(std::string html);
  QString plainText() const { return view_->toPlainText(); }
  void Wipe();

 private:
  QTextBrowser* view_;
  std::string html_;
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
