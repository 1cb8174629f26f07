// Every conflict that needs a person: what it is about, each version with its author's name and time,
// and "Keep this one" (the choice reaches every device at the next sync).
#pragma once

#include <QVBoxLayout>
#include <QWidget>

#include <vector>

#include "session.h"

namespace casepack::desktop {

class ConflictPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ConflictPanel(QWidget* parent = nullptr);
  void SetConflicts(std::vector<ConflictItem> items);
  void Wipe();
  std::size_t count() const { return items_.size(); }

 signals:
  void resolveRequested(const ConflictItem& item, std::size_t choice);

 private:
  std::vector<ConflictItem> items_;
  QWidget* list_;
  QVBoxLayout* list_layout_;
};

// "Tue 1 Dec 2026 14:05" in local time, from the store's "YYYY-MM-DDTHH:MMZ" (UTC).
QString ScreenTime(const std::string& utc);

}  // namespace casepack::desktop
