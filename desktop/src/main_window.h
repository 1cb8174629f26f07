// The facilitator's window (shared/UX.md): a top bar (search, sync status, Sync, lock), the case list,
// the open case, and a bottom bar (conflicts needing a decision, "Saved HH:MM:SS"). Locked, it shows only
// the lock screen and holds no case text: every case widget is wiped and deleted, and the session (keys,
// decrypted replicas) is destroyed on its thread after the last typing is saved.
#pragma once

#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QPointer>
#include <QPushButton>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTimer>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "case_view.h"
#include "dialogs.h"
#include "i18n.h"
#include "session.h"

namespace casepack::desktop {

class ConflictPanel;
class LockScreen;
class Platform;
class SessionWorker;

struct WindowOptions {
  std::filesystem::path store_dir;
  std::chrono::milliseconds idle_lock{std::chrono::minutes(5)};
  std::chrono::milliseconds auto_sync{std::chrono::minutes(3)};
  bool cheap_kdf_for_tests = false;  // new stores only; never set by main.cpp
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(WindowOptions options, QWidget* parent = nullptr);
  ~MainWindow() override;

  bool locked() const { return locked_; }
  void setIdleTimeout(std::chrono::milliseconds t);
  SessionWorker& worker() { return *worker_; }
  Platform& platform() { return *platform_; }

  // For tests and the keyboard: the parts people use.
  LockScreen* lockScreen() { return lock_screen_; }
  QTableWidget* caseList() { return case_list_; }
  CaseView* caseView() { return case_view_; }
  ConflictPanel* conflictPanel() { return conflict_panel_; }
  QLabel* syncStatus() { return sync_status_; }
  QLabel* savedLabel() { return saved_; }
  QPushButton* conflictsBar() { return conflicts_bar_; }
  ReportDialog* reportDialog() { return report_; }

 public slots:
  void Lock();
  void SyncNow();
  void OpenCase(const QString& case_id);
  void PreviewReport();
  // Writes the report (or feedback form) of `case_id` as `format` to `path`, off the UI thread.
  void SaveReport(const std::string& case_id, ReportDocument which, ReportFormat format, const QString& path);
  void NewCase();
  void ShowConflicts();
  void ChangePassphrase();
  void RefreshConflicts();
  void RefreshList();
  // Transfer packs: asks where and from whom, then SealPackTo; asks for the file and password, then OpenPackFrom.
  void SealPack();
  void SealPackTo(const QString& path, const QString& from);
  void OpenPack();
  void OpenPackFrom(const QString& path, const QString& password);
  // Cymraeg | English: switches the window's language (saved for next time). The window locks, saving
  // everything typed, and emits languageChanged for main.cpp to build it again in the new language.
  void ChooseLanguage(Language lang);

 signals:
  void unlocked();
  void lockedNow();
  void caseOpened();
  void caseReloaded();
  void listRefreshed();
  void syncFinished(bool reached);
  void conflictsRefreshed(int count);
  void reportReady();
  void packSealed();
  void packOpened();
  void problem(const QString& message);
  void languageChanged();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;
  void closeEvent(QCloseEvent* e) override;

 private:
  QWidget* BuildWorkspace();
  void BuildActions();
  void Unlock(const QString& passphrase);
  void Create(const QString& name, const QString& passphrase);
  void AfterUnlock();
  void ReloadCase();
  void ApplyFilter();
  void RefreshUnsent();
  void ShowProblem(const QString& message);
  void SetStatus(const QString& text);

  WindowOptions options_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<SessionWorker> worker_;
  QStackedWidget* stack_;
  LockScreen* lock_screen_;
  QWidget* workspace_;
  QLineEdit* search_;
  QComboBox* filter_;
  QLabel* sync_status_;
  QPushButton* sync_button_;
  QTableWidget* case_list_;
  QWidget* case_area_;
  QLabel* empty_case_;
  QPointer<CaseView> case_view_;
  QLabel* message_;
  QPushButton* conflicts_bar_;
  QLabel* saved_;
  QDockWidget* conflict_dock_;
  ConflictPanel* conflict_panel_;
  QPointer<ReportDialog> report_;
  QPointer<QWidget> password_box_;
  QTimer idle_timer_;
  QTimer auto_sync_timer_;
  QTimer unsent_timer_;
  bool locked_ = true;
  bool syncing_ = false;
  bool enrolled_ = false;
  std::optional<std::size_t> unsent_;
  QString last_sync_;
  std::string reopen_case_;  // the case open at the lock (an id, no content): reopened at unlock
};

// A palette for people who need strong contrast (black, white, yellow focus), set by --high-contrast.
void ApplyHighContrast();

}  // namespace casepack::desktop
