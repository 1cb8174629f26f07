#include "lock_screen.h"

#include <QFormLayout>
#include <QVBoxLayout>

#include "session.h"

namespace casepack::desktop {

void WipeLineEdit(QLineEdit* e) {
  QString t = e->text();
  t.fill(QChar(' '));
  e->setText(t);
  e->clear();
}

LockScreen::LockScreen(QWidget* parent) : QWidget(parent) {
  setObjectName("lockScreen");
  auto* outer = new QVBoxLayout(this);
  outer->addStretch(2);
  auto* box = new QWidget;
  box->setMaximumWidth(520);
  auto* v = new QVBoxLayout(box);
  title_ = new QLabel;
  title_->setObjectName("lockTitle");
  QFont f = title_->font();
  f.setPointSizeF(f.pointSizeF() * 1.6);
  f.setBold(true);
  title_->setFont(f);
  explain_ = new QLabel;
  explain_->setWordWrap(true);
  v->addWidget(title_);
  v->addWidget(explain_);
  auto* form = form_ = new QFormLayout;
  name_ = new QLineEdit;
  name_->setAccessibleName(tr("Your name"));
  name_->setPlaceholderText(tr("as colleagues should see it beside your changes"));
  pass_ = new QLineEdit;
  pass_->setObjectName("passphrase");
  pass_->setEchoMode(QLineEdit::Password);
  pass_->setAccessibleName(tr("Passphrase"));
  repeat_ = new QLineEdit;
  repeat_->setEchoMode(QLineEdit::Password);
  repeat_->setAccessibleName(tr("Passphrase again"));
  form->addRow(tr("Your &name"), name_);
  form->addRow(tr("&Passphrase"), pass_);
  form->addRow(tr("Passphrase &again"), repeat_);
  v->addLayout(form);
  strength_ = new QLabel;
  strength_->setObjectName("strength");
  strength_->setWordWrap(true);
  strength_->setAccessibleName(tr("Passphrase strength"));
  v->addWidget(strength_);
  error_ = new QLabel;
  error_->setObjectName("lockError");
  error_->setWordWrap(true);
  error_->setAccessibleName(tr("Problem"));
  error_->setStyleSheet("color: palette(highlighted-text); background: #a4262c; padding: 6px; border-radius: 3px;");
  error_->hide();
  v->addWidget(error_);
  go_ = new QPushButton;
  go_->setObjectName("unlockButton");
  go_->setDefault(true);
  v->addWidget(go_, 0, Qt::AlignRight);
  auto* row = new QHBoxLayout;
  row->addStretch(1);
  row->addWidget(box, 3);
  row->addStretch(1);
  outer->addLayout(row);
  outer->addStretch(3);

  connect(go_, &QPushButton::clicked, this, &LockScreen::Submit);
  connect(pass_, &QLineEdit::returnPressed, this, &LockScreen::Submit);
  connect(repeat_, &QLineEdit::returnPressed, this, &LockScreen::Submit);
  connect(pass_, &QLineEdit::textChanged, this, &LockScreen::UpdateStrength);
  SetMode(false, {});
}

void LockScreen::SetMode(bool create, const QString& store_path) {
  create_ = create;
  title_->setText(create ? tr("Create your casepack store") : tr("casepack is locked"));
  explain_->setText(create ? tr("Case notes are kept encrypted in %1. Choose a passphrase of at least 12 "
                                "characters (a few unrelated words work well). Nobody can recover it.")
                                 .arg(store_path.toHtmlEscaped())
                           : tr("Type your passphrase to open the cases. Everything typed before the lock "
                                "was saved."));
  strength_->setVisible(create);
  form_->setRowVisible(name_, create);
  form_->setRowVisible(repeat_, create);
  go_->setText(create ? tr("&Create store") : tr("&Unlock"));
  go_->setAccessibleName(create ? tr("Create store") : tr("Unlock"));
  error_->hide();
}

void LockScreen::SetBusy(bool busy, const QString& what) {
  go_->setEnabled(!busy);
  pass_->setEnabled(!busy);
  if (busy) {
    error_->hide();
    strength_->setVisible(true);
    strength_->setText(what);
  } else {
    strength_->setVisible(create_);
    UpdateStrength();
    pass_->setFocus();
  }
}

void LockScreen::ShowError(const QString& message) {
  error_->setText(message);
  error_->show();
}

void LockScreen::ClearSecrets() {
  WipeLineEdit(pass_);
  WipeLineEdit(repeat_);
}

void LockScreen::UpdateStrength() {
  if (!create_) return;
  const QByteArray p = pass_->text().toUtf8();
  if (p.isEmpty()) {
    strength_->setText(tr("Strength: type a passphrase"));
    return;
  }
  const Status s = DesktopSession::CheckStrength(std::string_view(p.constData(), static_cast<std::size_t>(p.size())));
  strength_->setText(s.ok() ? tr("Strength: good ✓")
                            : tr("Strength: too weak — ") + QString::fromStdString(s.error().hint.empty() ? s.error().message
                                                                                                     : s.error().hint));
}

void LockScreen::Submit() {
  if (!go_->isEnabled()) return;
  if (create_) {
    if (name_->text().trimmed().isEmpty()) return ShowError(tr("Please type your name: colleagues see it beside your changes."));
    if (pass_->text() != repeat_->text()) return ShowError(tr("The two passphrases differ. Type them again."));
    emit createRequested(name_->text().trimmed(), pass_->text());
  } else {
    emit unlockRequested(pass_->text());
  }
}

}  // namespace casepack::desktop
