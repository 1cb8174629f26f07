// The small widget builders every tab of a case uses (case_view.cpp, process_tab.cpp): named tables,
// fields, choices and buttons (object name = the untranslated name, accessible name = its translation),
// and the words for a step's state. Qt only; no store access.
#pragma once

#include <QAbstractButton>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QWidget>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "casepack/dates.h"
#include "casepack/timescales.h"

namespace casepack::desktop {

Date Today();
// `name` is untranslated source text marked with QT_TRANSLATE_NOOP("Words", …) where it is written.
QTableWidget* MakeTable(const QStringList& headers, const char* name);
// A tab holding one line of explanation and a table; the caller adds the rows that add to it.
QWidget* TablePage(const QString& intro, QTableWidget* table, QVBoxLayout*& v);
QLineEdit* Field(const char* name, const QString& placeholder = {});
// A choice of labels, each item holding its machine key (Qt::UserRole).
QComboBox* Choice(const QString& name, const std::vector<std::pair<QString, QString>>& items, const QString& object = {});
QPushButton* Button(const QString& text, const char* name);
QTableWidgetItem* Cell(const QString& text, bool editable = false);
// The machine key of a choice's current item ("attended").
std::string KeyOf(const QComboBox* c, const char* otherwise);
void Select(QComboBox* c, std::string_view key);
// Appends a row whose first cell is `first`, carrying the row's id (Qt::UserRole: what Delete and the
// row's buttons act on). Returns the row.
int AppendRow(QTableWidget* t, const std::string& id, QTableWidgetItem* first);
// A cell editor is open (it lives in the viewport): refilling the table would drop what is being typed.
bool Editing(QTableWidget* t);
// "due in 3 days", "overdue by 2 days", "done (late)".
QString StepWords(const TimescaleStep& s, const Date& today);
// A bold title above `body` (its buddy).
QWidget* Titled(const QString& title, QWidget* body, bool big = false);

}  // namespace casepack::desktop
