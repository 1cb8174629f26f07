// Plain-text splices for binding an editor to the text CRDT: the smallest single replacement turning
// one text into another (common prefix and suffix kept), never splitting a UTF-16 surrogate pair, and
// rebasing a remote change over a local one that has not been saved yet.
#pragma once

#include <QString>

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

}  // namespace casepack::desktop
