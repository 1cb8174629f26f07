// Driving the real casepack-desktop window with QTest input: typing (Welsh letters included), the lock
// screen, the new-case dialog, waiting on conditions (never on fixed sleeps), what widgets hold, PNGs.
#pragma once

#include <gtest/gtest.h>

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTabBar>
#include <QTableWidget>
#include <QTest>
#include <QTextEdit>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "lock_screen.h"
#include "main_window.h"
#include "note_editor.h"
#include "worker.h"

namespace casepack::desktop::testing {

inline constexpr const char* kPass = "correct horse battery staple";

// Processes events until `cond` holds or `timeout` passes; returns whether it holds.
inline bool WaitUntil(const std::function<bool()>& cond, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QTest::qWait(5);
  }
  return true;
}

// Shortcuts (Ctrl+P, Alt+1…) reach only the active window.
inline void ActivateWindow(QWidget* w) {
  QApplication::setActiveWindow(w);
  w->activateWindow();
  EXPECT_TRUE(QTest::qWaitForWindowActive(w));
}

// Types text key by key. QTest::keyClicks aborts on non-ASCII in Qt 6.4, so every character goes as a
// key event carrying its text (Key_unknown), as an input method delivers Welsh letters; '\n' is Return.
inline void TypeText(QWidget* w, const QString& text) {
  for (QChar ch : text) {
    if (ch == '\n') {
      QTest::keyClick(w, Qt::Key_Return);
      continue;
    }
    QTest::sendKeyEvent(QTest::Press, w, Qt::Key_unknown, QString(ch), Qt::NoModifier);
    QTest::sendKeyEvent(QTest::Release, w, Qt::Key_unknown, QString(ch), Qt::NoModifier);
  }
}

inline QLineEdit* FieldOf(QWidget* root, const QString& name) {
  return root->findChild<QLineEdit*>("field:" + name);
}

inline void Fill(QWidget* root, const QString& name, const QString& text) {
  QLineEdit* e = FieldOf(root, name);
  ASSERT_NE(e, nullptr) << name.toStdString();
  e->setFocus();
  e->clear();
  TypeText(e, text);
}

// Picks a choice by its machine key ("attended"), whatever language its label is in.
inline void ChooseKey(QComboBox* c, const QString& key) {
  ASSERT_NE(c, nullptr);
  ASSERT_GE(c->findData(key), 0) << key.toStdString();
  c->setCurrentIndex(c->findData(key));
}

inline void Click(QWidget* root, const QString& button) {
  auto* b = root->findChild<QAbstractButton*>("button:" + button);
  ASSERT_NE(b, nullptr) << button.toStdString();
  QTest::mouseClick(b, Qt::LeftButton);
}

// Answers the next modal dialog (a confirmation) by clicking the button named `button`.
inline void AnswerNextModal(QObject* context, const QString& button) {
  QTimer::singleShot(0, context, [button] {
    QWidget* d = QApplication::activeModalWidget();
    ASSERT_NE(d, nullptr) << "no confirmation was asked";
    auto* b = d->findChild<QAbstractButton*>(button);
    ASSERT_NE(b, nullptr) << button.toStdString();
    QTest::mouseClick(b, Qt::LeftButton);
  });
}

// A window on a store in `dir` (a fresh one: cheap key derivation), shown, sized for screenshots, active.
inline std::unique_ptr<MainWindow> MakeTestWindow(const std::filesystem::path& dir) {
  WindowOptions o;
  o.store_dir = dir / "store";
  o.cheap_kdf_for_tests = true;
  auto w = std::make_unique<MainWindow>(o);
  w->resize(1400, 900);
  w->show();
  ActivateWindow(w.get());
  return w;
}

inline void CreateStoreThroughLockScreen(MainWindow& w, const QString& name, const QString& pass = kPass) {
  LockScreen* ls = w.lockScreen();
  auto edits = ls->findChildren<QLineEdit*>();
  ASSERT_EQ(edits.size(), 3);  // name, passphrase, again
  TypeText(edits[0], name);
  TypeText(edits[1], pass);
  TypeText(edits[2], pass);
  QTest::keyClick(edits[2], Qt::Key_Return);
  ASSERT_TRUE(WaitUntil([&] { return !w.locked(); })) << "the store was not created";
}

inline void UnlockThroughLockScreen(MainWindow& w, const QString& pass = kPass) {
  QLineEdit* p = w.lockScreen()->passphrase();
  p->setFocus();
  TypeText(p, pass);
  QTest::keyClick(p, Qt::Key_Return);
  ASSERT_TRUE(WaitUntil([&] { return !w.locked(); })) << "did not unlock";
}

// Answers the modal new-case dialog (it runs its own event loop) and waits for the case to open. A kind
// of event (its key, e.g. "CPR") is chosen first if given; `inspect` sees the dialog before it is answered.
inline void CreateCaseThroughDialog(MainWindow& w, const QString& subject, const QString& area,
                                    const std::map<QString, QString>& dates, const QString& event_type = {},
                                    const std::function<void(QDialog*)>& inspect = {}) {
  bool answered = false;
  QTimer::singleShot(0, &w, [&] {
    auto* d = qobject_cast<QDialog*>(QApplication::activeModalWidget());
    ASSERT_NE(d, nullptr);
    if (!event_type.isEmpty()) {
      auto* type = d->findChild<QComboBox*>();
      ASSERT_NE(type, nullptr);
      const int i = type->findData(event_type);
      ASSERT_GE(i, 0) << event_type.toStdString();
      type->setCurrentIndex(i);
    }
    if (inspect) inspect(d);
    auto edits = d->findChildren<QLineEdit*>();
    for (QLineEdit* e : edits) {
      if (e->objectName() == "subject") TypeText(e, subject);
      if (e->objectName() == "area") TypeText(e, area);
      if (e->objectName() == "facilitators") TypeText(e, "Sioned Hughes, Gareth Price");
      for (const auto& [key, value] : dates)
        if (e->objectName() == "date:" + key) TypeText(e, value);
    }
    answered = true;
    for (auto* b : d->findChildren<QAbstractButton*>())
      if (b->objectName() == "button:Create case") QTest::mouseClick(b, Qt::LeftButton);
  });
  QPointer<CaseView> before = w.caseView();
  w.NewCase();
  ASSERT_TRUE(answered);
  ASSERT_TRUE(WaitUntil([&] { return w.caseView() != nullptr && w.caseView() != before.data(); })) << "case did not open";
  ActivateWindow(&w);  // the dialog had it
}

// Every string a widget tree shows or keeps: texts, items, titles, tool tips, placeholders.
inline QStringList TextsHeld(const QList<QWidget*>& widgets) {
  QStringList out;
  for (QWidget* w : widgets) {
    out << w->windowTitle() << w->toolTip() << w->accessibleName() << w->accessibleDescription();
    if (auto* e = qobject_cast<QLineEdit*>(w)) out << e->text();
    if (auto* e = qobject_cast<QPlainTextEdit*>(w)) out << e->toPlainText();
    if (auto* e = qobject_cast<QTextEdit*>(w)) out << e->toPlainText() << e->toHtml();
    if (auto* l = qobject_cast<QLabel*>(w)) out << l->text();
    if (auto* b = qobject_cast<QAbstractButton*>(w)) out << b->text();
    if (auto* c = qobject_cast<QComboBox*>(w))
      for (int i = 0; i < c->count(); ++i) out << c->itemText(i);
    if (auto* t = qobject_cast<QTableWidget*>(w))
      for (int r = 0; r < t->rowCount(); ++r)
        for (int c = 0; c < t->columnCount(); ++c)
          if (t->item(r, c)) out << t->item(r, c)->text() << t->item(r, c)->data(Qt::UserRole).toString();
    if (auto* tb = qobject_cast<QTabBar*>(w))
      for (int i = 0; i < tb->count(); ++i) out << tb->tabText(i);
  }
  return out;
}

inline std::filesystem::path ScreenshotDir() {
  std::filesystem::path dir = CASEPACK_SCREENSHOT_DIR;
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes `w` as PNG into the screenshot folder; `name` gets the run's suffix (scale, contrast).
inline std::filesystem::path SavePng(QWidget* w, const std::string& name) {
  const std::string suffix = qEnvironmentVariable("CASEPACK_SCREENSHOT_SUFFIX").toStdString();
  const auto path = ScreenshotDir() / (name + suffix + ".png");
  QCoreApplication::processEvents();
  EXPECT_TRUE(w->grab().save(QString::fromStdString(path.string()), "PNG")) << path;
  return path;
}

inline QString Future(int days) {
  return QDate::currentDate().addDays(days).toString("dd/MM/yyyy");
}

}  // namespace casepack::desktop::testing
