// One open case: the header line and seven tabs (Overview, Event, Attendance, Actions, Chronology,
// Papers, Feedback), mirroring the paper forms (shared/domain). Built from a CaseDetail; Update() merges a
// fresher one (after a sync) without disturbing what is being typed. Every change goes to the session
// worker at once; nothing here waits for the store.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QBoxLayout>
#include <QComboBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QWidget>

#include <map>
#include <string>

#include "casepack/cases.h"
#include "casepack/timescales.h"

namespace casepack::desktop {

class NoteEditor;
class SessionWorker;
class Platform;

class CaseView : public QWidget {
  Q_OBJECT
 public:
  CaseView(SessionWorker& worker, Platform& platform, const CaseDetail& detail, QWidget* parent = nullptr);
  ~CaseView() override;

  const std::string& case_id() const { return case_id_; }
  EventType event_type() const { return type_; }
  void Update(const CaseDetail& detail, const CaseTimescales& timescales, const QString& purge_line);
  // Sends unsaved typing to the worker now.
  void FlushEdits();
  // Overwrites and clears every text this view holds (lock), before it is deleted.
  void Wipe();

  QTabWidget* tabs() { return tabs_; }
  NoteEditor* editor(const QString& key) const;
  QTableWidget* attendanceTable() { return attendance_; }
  QTableWidget* actionsTable() { return actions_; }
  QTableWidget* chronologyTable() { return chronology_; }
  QTableWidget* documentsTable() { return documents_; }
  QTableWidget* feedbackTable() { return feedback_; }

 signals:
  void saving();
  void saved();
  void failed(const QString& message);
  void reportRequested();
  void reloadRequested();

 private:
  QWidget* BuildOverview();
  QWidget* BuildEvent(EventType t);
  QWidget* BuildAttendance();
  QWidget* BuildActions();
  QWidget* BuildChronology();
  QWidget* BuildPapers();
  QWidget* BuildFeedback();
  NoteEditor* AddEditor(const QString& key, const QString& title, const QString& help);
  void SaveNote(const QString& key, const QString& base, const QString& text);
  // Runs a change on the worker; reports the outcome; reloads the view if `reload`.
  template <typename Job>
  void Change(Job job, bool reload);
  void FillTables(const CaseDetail& d);
  void OnAttendanceEdited(int row);
  void OnActionEdited(int row, int column);
  // A "Delete" button under `table` and the Delete key on it: asks, then deletes the current row.
  // `what` names the row in the window's language; `button_name` is the untranslated accessible name
  // (QT_TRANSLATE_NOOP("Words", …)), which is also the button's object name.
  void AddRowDelete(QTableWidget* table, CaseTable kind, QBoxLayout* layout, const QString& what, const char* button_name);
  void DeleteCurrentRow(QTableWidget* table, CaseTable kind, const QString& what);
  bool eventFilter(QObject* watched, QEvent* event) override;  // the Delete key on a table
  std::map<QObject*, std::pair<CaseTable, QString>> deletable_;

  SessionWorker& worker_;
  Platform& platform_;
  std::string case_id_;
  EventType type_;
  QLabel* header_;
  QTabWidget* tabs_;
  std::map<QString, NoteEditor*> editors_;
  QTableWidget* steps_ = nullptr;
  QLabel* purge_ = nullptr;
  QTableWidget* key_dates_ = nullptr;
  QTableWidget* attendance_ = nullptr;
  QTableWidget* actions_ = nullptr;
  QTableWidget* chronology_ = nullptr;
  QTableWidget* documents_ = nullptr;
  QLabel* checklist_ = nullptr;
  QTableWidget* feedback_ = nullptr;
  bool filling_ = false;  // tables being refilled: their change signals are not edits
};

// DD/MM/YYYY (as people in Wales type dates) or YYYY-MM-DD.
std::optional<Date> ParseTypedDate(const QString& text);
QString TypedDate(const Date& d);  // DD/MM/YYYY
QString Q(const std::string& s);
std::string S(const QString& s);

}  // namespace casepack::desktop
