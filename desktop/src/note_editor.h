// A note section's editor bound to the store's text CRDT.
//
// - Typing: the editor's plain text is compared with a shadow copy of what the store holds; a save is
//   scheduled at the first keystroke and sent at most kSaveDelay later (so a crash loses at most that
//   much typing plus one save), without waiting for a pause in typing. The save carries the shadow (its
//   base) and the new text; their difference becomes one CaseService::EditNote (the keystroke path: it
//   costs the edit, not the note).
// - Remote text (after a sync): ApplyStored() splices only what changed into the document, so the
//   cursor and selection stay where they are; the change is not sent back (echo guard); typing not yet
//   saved is rebased over it.
#pragma once

#include <QPlainTextEdit>
#include <QTimer>

#include <chrono>

namespace casepack::desktop {

class NoteEditor : public QPlainTextEdit {
  Q_OBJECT
 public:
  static constexpr std::chrono::milliseconds kSaveDelay{100};

  NoteEditor(QString key, const QString& title, const QString& help, QWidget* parent = nullptr);

  const QString& key() const { return key_; }
  // Shows `text` from the store. The first call sets the text; later calls merge (see above).
  void ApplyStored(const QString& text);
  // Sends unsaved typing now (before a lock or a sync).
  void Flush();
  bool dirty() const { return dirty_; }
  // Overwrites and clears the document (lock).
  void Wipe();

 signals:
  void saveRequested(const QString& key, const QString& base, const QString& text);

 private:
  void OnChanged();
  QString key_;
  QString shadow_;  // what the store holds, as far as this editor knows
  bool loaded_ = false;
  bool dirty_ = false;
  bool echo_guard_ = false;
  QTimer save_timer_;
};

}  // namespace casepack::desktop
