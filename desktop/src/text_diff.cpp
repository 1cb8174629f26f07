#include "text_diff.h"

namespace casepack::desktop {

TextSplice DiffText(const QString& from, const QString& to) {
  qsizetype pre = 0;
  const qsizetype max_pre = std::min(from.size(), to.size());
  while (pre < max_pre && from[pre] == to[pre]) ++pre;
  if (pre > 0 && from[pre - 1].isHighSurrogate()) --pre;  // keep a pair whole
  qsizetype suf = 0;
  while (suf < from.size() - pre && suf < to.size() - pre && from[from.size() - 1 - suf] == to[to.size() - 1 - suf])
    ++suf;
  if (suf > 0 && from[from.size() - suf].isLowSurrogate()) --suf;
  return TextSplice{pre, from.size() - pre - suf, to.mid(pre, to.size() - pre - suf)};
}

QString ApplySplice(const QString& text, const TextSplice& s) {
  QString out = text;
  out.replace(s.pos, s.removed, s.inserted);
  return out;
}

std::optional<QString> Rebase(const QString& base, const TextSplice& local, const TextSplice& remote) {
  if (remote.empty()) return ApplySplice(base, local);
  if (local.empty()) return ApplySplice(base, remote);
  // Apply the later splice first so the earlier one's position still holds.
  if (remote.pos >= local.pos + local.removed && !(remote.pos == local.pos && local.removed == 0)) {
    return ApplySplice(ApplySplice(base, remote), local);
  }
  if (local.pos >= remote.pos + remote.removed && !(local.pos == remote.pos && remote.removed == 0)) {
    return ApplySplice(ApplySplice(base, local), remote);
  }
  if (local.removed == 0 && remote.removed == 0 && local.pos == remote.pos) {  // both typed at one place
    TextSplice mine = local;
    mine.pos += remote.inserted.size();
    return ApplySplice(ApplySplice(base, remote), mine);
  }
  return std::nullopt;
}

std::uint64_t CodePoints(QStringView s) {
  std::uint64_t n = 0;
  for (QChar c : s)
    if (!c.isLowSurrogate()) ++n;
  return n;
}

NoteEdit PlanNoteEdit(const QString& base, const QString& screen, const QString& stored) {
  QString target = screen;
  if (stored != base) target = Rebase(base, DiffText(base, screen), DiffText(base, stored)).value_or(screen);
  const TextSplice s = DiffText(stored, target);
  return NoteEdit{CodePoints(QStringView(stored).left(s.pos)), CodePoints(QStringView(stored).mid(s.pos, s.removed)),
                  s.inserted};
}

}  // namespace casepack::desktop
