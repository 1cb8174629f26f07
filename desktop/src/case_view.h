// One open case: the header line and eight tabs (Overview, Event, Attendance, Actions, Chronology,
// Papers, Feedback, and the process around the event: MAS referral and debrief, MAPF planning group, MAPM
// meeting record), mirroring the paper forms (shared/domain). Built from a CaseDetail; Update() merges a
// fresher one (after a sync) without disturbing what is being typed. Every change goes to the session
// worker at once; nothing here waits for the store.
#pragma once

#include <QLabel>
#include <QLineEdit>
#include <QBoxLayout>
#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QWidget>

#include <array>
#include <functional>
#include <map>
#include <vector>
#include <string>

#include "casepack/cases.h"
#include "casepack/timescales.h"

namespace casepack::desktop {

class DesktopSession;
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
  // The process tab (process_tab.cpp): MAPF's planning group, MAPM's reviews, every type's recipients.
  QTableWidget* planningTable() { return planning_; }
  QTableWidget* reviewsTable() { return reviews_; }
  QTableWidget* recipientsTable() { return recipients_; }
  static constexpr int kProcessTab = 7;

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
  QWidget* BuildChronologyHeader();
  QWidget* BuildPapers();
  QWidget* BuildFeedback();
  // process_tab.cpp
  QWidget* BuildProcess();
  QWidget* BuildMasProcess();
  QWidget* BuildMapfProcess();
  QWidget* BuildMapmProcess();
  QWidget* BuildRecipients();
  // A line for a key date of this case's type: saved when the person leaves it (empty clears the date).
  QLineEdit* KeyDateField(std::string_view key);
  // A line saved through `save` when the person leaves it changed (or presses Enter).
  QLineEdit* SavedField(const char* name, const QString& placeholder,
                        std::function<Status(DesktopSession&, const std::string& case_id, const std::string& text)> save);
  // A line "<intro> [DD/MM/YYYY] [button]" (with `extra` after the intro, if given): the button asks
  // `make`, on this thread, for the change to run with the chosen row of `table` (its id: column 0's
  // Qt::UserRole; `table` null: no row needed) and the date typed, then runs it and clears the date.
  using Job = std::function<Status(DesktopSession&, const std::string& case_id)>;
  QHBoxLayout* DatedAction(QTableWidget* table, const QString& intro, QWidget* extra, const char* field,
                           const QString& button, const char* button_name, const QString& choose_first,
                           std::function<Job(const std::string& row_id, const Date& on)> make);
  void FillProcess(const CaseDetail& d);
  // Shows `text` from the store in a saved line (never under the person's cursor) and remembers it.
  void ShowStored(QLineEdit* e, const QString& text);
  void LoadRecipients();
  void FillActionDetail();
  void FillFeedbackForm();
  NoteEditor* AddEditor(const QString& key, const QString& title, const QString& help);
  void SaveNote(const QString& key, const QString& base, const QString& text);
  // Runs a change on the worker; reports the outcome; reloads the view if `reload`.
  void Change(std::function<Status(DesktopSession&, const std::string& case_id)> job, bool reload);
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
  // The chronology's header: subject, period from, period to, completed by, date, version.
  std::array<QLineEdit*, 6> chron_header_{};
  QTableWidget* documents_ = nullptr;
  QLabel* checklist_ = nullptr;
  QTableWidget* feedback_ = nullptr;
  // Actions: the chosen action's 001 form (MAPF) and to whom it was reported back (MAS, 003 §4.7).
  std::map<std::string, Action> actions_by_id_;
  std::vector<QLineEdit*> plan_fields_;  // recommendation, rationale, outcome, measure, progress
  QLabel* action_chosen_ = nullptr;
  // Feedback: the stored forms, by id, and the one being edited (empty: the form adds a new one).
  std::map<std::string, ParticipantFeedback> feedback_forms_;
  std::string feedback_editing_;
  std::function<void(const ParticipantFeedback*)> show_feedback_;
  QPushButton* feedback_save_ = nullptr;
  // The process tab.
  std::map<std::string, QLineEdit*, std::less<>> key_date_fields_;
  std::map<QLineEdit*, QString> saved_text_;  // what each SavedField / KeyDateField last showed from the store
  QComboBox* referral_decision_ = nullptr;
  QComboBox* referral_reason_ = nullptr;
  QComboBox* stuck_kind_ = nullptr;
  QLineEdit* referral_detail_ = nullptr;
  QLineEdit* referral_rationale_ = nullptr;
  QLineEdit* referral_decided_ = nullptr;
  QLabel* referral_state_ = nullptr;
  QLineEdit* report_writer_ = nullptr;
  // Overview: the basics, to correct a name or area typed wrongly (`casepack case set --subject/--area`).
  QLineEdit* subject_ = nullptr;
  QLineEdit* area_ = nullptr;
  QLineEdit* lead_agency_ = nullptr;
  QLineEdit* venue_ = nullptr;
  QTableWidget* planning_ = nullptr;
  QLabel* planning_state_ = nullptr;
  QLabel* log_state_ = nullptr;
  QLineEdit* meeting_time_ = nullptr;
  QLineEdit* chair_ = nullptr;
  QLineEdit* minute_taker_ = nullptr;
  QLineEdit* informs_family_ = nullptr;
  QComboBox* family_ = nullptr;
  QCheckBox* minutes_to_family_ = nullptr;
  QTableWidget* reviews_ = nullptr;
  QLabel* reviews_state_ = nullptr;
  QTableWidget* recipients_ = nullptr;
  bool filling_ = false;  // tables being refilled: their change signals are not edits
};

// DD/MM/YYYY (as people in Wales type dates) or YYYY-MM-DD.
std::optional<Date> ParseTypedDate(const QString& text);
QString TypedDate(const Date& d);  // DD/MM/YYYY
QString Q(const std::string& s);
std::string S(const QString& s);

}  // namespace casepack::desktop
