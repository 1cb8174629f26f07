// Plain-text splices for binding an editor to the text CRDT: the smallest single replacement turning
// one text into another (common prefix and suffix kept), never splitting a UTF-16 surrogate pair, and
// rebasing a remote change over a local one that has not been saved yet.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>

namespace casepack::desktop {

struct TextSplice {
  qsizetype pos = 0;
  qsizetype removed = 0;
  QString inserted;
  bool empty() const { return removed == 0 && inserted.isEmpty(); }
};

TextSplice DiffText(const QString& from, const QString& to);
QString ApplySplice(const QString& text, const TextSplice& s);

// `base` changed two ways: `local` (base -> what is on screen, not saved yet) and `remote` (base -> what
// the store now holds). Returns the screen text with both, or nullopt if the two touch the same place
// (the caller keeps the screen text; saving it then replaces the remote change in that place).
std::optional<QString> Rebase(const QString& base, const TextSplice& local, const TextSplice& remote);

// Unicode code points in `s` (a surrogate pair is one): the store counts positions in code points.
std::uint64_t CodePoints(QStringView s);

// A keystroke's edit for CaseService::EditNote, in code points of the stored text.
struct NoteEdit {
  std::uint64_t pos = 0;
  std::uint64_t remove = 0;
  QString insert;
  bool empty() const { return remove == 0 && insert.isEmpty(); }
};
// The edit that brings the store from `stored` to the typing that turned `base` into `screen`. Normally
// `stored` is `base`; if the store moved on (a sync landed after the keystroke), the typing is rebased
// over that change, or, where both touch the same place, the screen's text wins in that place.
NoteEdit PlanNoteEdit(const QString& base, const QString& screen, const QString& stored);

}  // namespace casepack::desktop
