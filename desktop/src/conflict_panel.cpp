#include "conflict_panel.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>
#include <QFrame>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>

#include "case_view.h"

namespace casepack::desktop {

QString ScreenTime(const std::string& utc) {
  QDateTime t = QDateTime::fromString(Q(utc), "yyyy-MM-ddTHH:mmZ");
  if (!t.isValid()) t = QDateTime::fromString(Q(utc), Qt::ISODate);
  if (!t.isValid()) return {};
  t.setTimeSpec(Qt::UTC);
  const QDateTime local = t.toLocalTime();
  const QDate d = local.date();
  return Q(ScreenDate(Date{d.year(), d.month(), d.day()})) + " " + local.toString("HH:mm");
}

ConflictPanel::ConflictPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("conflictPanel");
  setAccessibleName(tr("Conflicts"));
  auto* v = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("<b>Changes that need a decision</b><br>Two people changed the same thing while apart. "
                              "Choose the version to keep; everyone sees your choice after the next sync."));
  intro->setWordWrap(true);
  v->addWidget(intro);
  list_ = new QWidget;
  list_layout_ = new QVBoxLayout(list_);
  list_layout_->addStretch(1);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setWidget(list_);
  v->addWidget(scroll, 1);
}

void ConflictPanel::Wipe() {
  items_.clear();
  while (list_layout_->count() > 1) {
    QLayoutItem* item = list_layout_->takeAt(0);
    delete item->widget();
    delete item;
  }
}

void ConflictPanel::SetConflicts(std::vector<ConflictItem> items) {
  Wipe();
  items_ = std::move(items);
  if (items_.empty()) {
    auto* none = new QLabel(tr("Nothing needs a decision."));
    list_layout_->insertWidget(0, none);
    return;
  }
  int at = 0;
  for (const ConflictItem& item : items_) {
    auto* card = new QFrame;
    card->setObjectName("conflictCard");
    card->setFrameShape(QFrame::StyledPanel);
    auto* cv = new QVBoxLayout(card);
    auto* title = new QLabel("<b>" + Q(item.subject).toHtmlEscaped() + "</b> — " + Q(item.field).toHtmlEscaped());
    title->setWordWrap(true);
    cv->addWidget(title);
    auto* row = new QHBoxLayout;
    // The shown value and each distinct alternative (two people choosing the same is no conflict).
    std::vector<std::size_t> shown{0};
    for (const auto* alt : item.values.alternatives())
      shown.push_back(static_cast<std::size_t>(alt - item.values.candidates.data()));
    for (std::size_t index : shown) {
      const auto& cand = item.values.candidates[index];
      auto* box = new QFrame;
      box->setFrameShape(QFrame::Box);
      auto* bv = new QVBoxLayout(box);
      auto* value = new QLabel("<span style='font-size:large'>" + Q(cand.value).toHtmlEscaped() + "</span>");
      value->setWordWrap(true);
      auto* who = new QLabel(tr("by %1").arg(Q(AuthorForScreen(cand.author)).toHtmlEscaped()) +
                             (cand.at.empty() ? QString() : ", " + ScreenTime(cand.at)));
      who->setWordWrap(true);
      auto* keep = new QPushButton(tr("Keep this one"));
      keep->setObjectName(QString("keep:%1:%2").arg(at).arg(index));
      keep->setAccessibleName(tr("Keep %1 for %2").arg(Q(cand.value), Q(item.field)));
      const ConflictItem copy = item;
      connect(keep, &QPushButton::clicked, this, [this, copy, index] { emit resolveRequested(copy, index); });
      bv->addWidget(value);
      bv->addWidget(who);
      bv->addWidget(keep, 0, Qt::AlignLeft);
      row->addWidget(box, 1);
    }
    cv->addLayout(row);
    list_layout_->insertWidget(at++, card);
  }
}

}  // namespace casepack::desktop
