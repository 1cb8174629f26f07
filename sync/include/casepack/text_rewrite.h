// Replacing a whole text (a note section, the facilitator's comments) inside a Replica so that concurrent
// rewrites merge as a person would merge them, and paragraph-level conflicts stay visible until resolved.
//
// Lines are the unit (a paragraph is a line; its '\n' ends it): RewriteText turns a replacement into
// whole-line deletes and inserts, never edits inside a line, so no merge can split or interleave words.
// Every line of the old text that a rewrite deletes or replaces is recorded as a "kept" register named after
// the id of that line's '\n' (the id lives as long as the code point does, whatever happens around it),
// holding this device's version of that stretch of text. Two devices that edit one paragraph without having
// seen each other's edit write that register concurrently: a text conflict, listed by TextConflicts, with
// each author's version, until ResolveTextConflict (or another rewrite of the same register) supersedes it.
// The merged text meanwhile holds both versions, each whole. Format: docs/case-model.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "casepack/replica.h"
#include "casepack/result.h"

namespace casepack {

// One edit of a line-level diff: replace old lines [old_begin, old_end) by new lines [new_begin, new_end).
struct LineHunk {
  std::size_t old_begin = 0, old_end = 0, new_begin = 0, new_end = 0;
};

// Lines of `text`, each with its '\n' (the last may lack it).
std::vector<std::string_view> SplitLines(std::string_view text);
// A shortest line-level edit script from `from` to `to` (longest common subsequence of lines), in order.
std::vector<LineHunk> DiffLines(const std::vector<std::string_view>& from, const std::vector<std::string_view>& to);

// Makes `target`'s text equal to `next` by whole-line edits, recording each replaced paragraph.
// kInvalidArgument if next is not valid UTF-8 (nothing is changed then).
Status RewriteText(Replica& r, const Target& target, std::string_view next);

// A splice typed into `target` (a keystroke, a paste, a cut: CaseService::EditNote): removes `remove` code
// points at code point `pos`, then inserts `insert` there, as character operations (the cost of the edit,
// not of the text). Each line the splice touches is recorded first, as RewriteText records a replaced line
// (same register, same key: the id of the line's '\n', or "end"), holding the line's new version; so two
// devices typing in one paragraph while apart get a text conflict, whichever of the two paths each used.
// The merged paragraph holds both devices' characters until the conflict is resolved; typing in it again
// after seeing the merge supersedes the versions seen (it is a decision too). kInvalidArgument if the
// range leaves the text or `insert` is not UTF-8 (nothing is changed then).
Status SpliceText(Replica& r, const Target& target, std::uint64_t pos, std::uint64_t remove, std::string_view insert);

// A paragraph's version as a splice records it: the register (object "para:…", key) and the line's new
// version (or the whole new stretch when the splice adds or removes line breaks).
struct ParagraphVersion {
  Target paragraph;
  std::string value;
};
// SpliceText in two halves, for a caller that writes the versions itself (CaseService::EditNote holds them
// back while only its own replica has written the paragraph: docs/case-model.md "Typing without a version
// per keystroke"). SpliceVersions reads the touched lines and returns the versions SpliceText would record,
// in order, changing nothing; SpliceCharacters then makes the character operations. Same errors as
// SpliceText (SpliceVersions checks the range and the UTF-8; SpliceCharacters assumes they were checked).
Result<std::vector<ParagraphVersion>> SpliceVersions(const Replica& r, const Target& target, std::uint64_t pos,
                                                     std::uint64_t remove, std::string_view insert);
Status SpliceCharacters(Replica& r, const Target& target, std::uint64_t pos, std::uint64_t remove, std::string_view insert);
// True when every value `paragraph` shows was written by this replica (or it was never written): a new
// version of it supersedes only this replica's own, so writing it later (before any other replica's operation
// is applied) ends in the same state as writing it now.
bool OnlyThisReplicaWrote(const Replica& r, const Target& paragraph);

struct TextConflict {
  std::string key;                      // names the paragraph (for ResolveTextConflict)
  std::vector<RegisterValue> versions;  // each device's version of it (may be empty: removed), newest first
};
// The unresolved paragraph conflicts of `target` (every paragraph edited on two devices since their common
// version, even when both made the same change: a reader may treat equal versions as agreement), sorted
// by key.
std::vector<TextConflict> TextConflicts(const Replica& r, const Target& target);

// Where conflict `c`'s paragraph stands in the text now, as a 1-based line number (what a reader counts):
// the line ending with its own '\n' (edited in place), else the first line where one of its versions
// stands whole, else, for "end", the last line; 0 if nowhere.
std::size_t ConflictLine(const Replica& r, const Target& target, const TextConflict& c);

// Ends the conflict `key`: `chosen` (one of the versions, or a person's rewrite) replaces the paragraph.
// If the paragraph's own '\n' is still in the text (it was edited in place, by SpliceText), that line is
// replaced. Otherwise each version's lines are taken out of the text where still found as whole lines and
// `chosen` is put where the first of them was; for the last line ("end") found nowhere whole, the text's
// last line is replaced.
// kNotFound if there is no such unresolved conflict.
Status ResolveTextConflict(Replica& r, const Target& target, std::string_view key, std::string_view chosen);

// Puts a line break after this replica's version of a conflicting paragraph where the merge left it joined
// to the next text. Two devices that rewrite the last line of a text that has no final '\n' insert their
// versions at the same place, and no whole-line edit can separate them (neither has a '\n' to give): the
// merge read "…core group.Mam and Taid…". Only the author of the version that is followed by other text
// inserts the break (after its own code points), so replicas never add two. Returns whether it inserted
// one; callers run it after applying others' operations and push what it wrote.
Result<bool> SeparateJoinedVersions(Replica& r, const Target& target);

}  // namespace casepack
