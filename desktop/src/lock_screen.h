// The first and the locked view: unlock with the passphrase, or create a store (name, passphrase twice,
// strength shown while typing; weak ones refused). Holds no case content.
#pragma once

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QWidget>

namespace casepack::desktop {

class LockScreen : public QWidget {
  Q_OBJECT
 public:
  explicit LockScreen(QWidget* parent = nullptr);

  // Create mode when there is no store yet.
  void SetMode(bool create, const QString& store_path);
  void SetBusy(bool busy, const QString& what = {});
  void ShowError(const QString& message);
  // Clears the passphrase fields (overwriting their text first).
  void ClearSecrets();

  QLineEdit* passphrase() { return pass_; }

 signals:
  void unlockRequested(const QString& passphrase);
  void createRequested(const QString& name, const QString& passphrase);

 private:
  void Submit();
  void UpdateStrength();
  bool create_ = false;
  QFormLayout* form_;
  QLabel* title_;
  QLabel* explain_;
  QLineEdit* name_;
  QLineEdit* pass_;
  QLineEdit* repeat_;
  QLabel* strength_;
  QLabel* error_;
  QPushButton* go_;
};

// Overwrites a line edit's text before clearing it (the old QString buffer is reused, not left behind).
void WipeLineEdit(QLineEdit* e);

}  // namespace casepack::desktop
