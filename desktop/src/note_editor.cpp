#include "note_editor.h"

#include <QTextBlock>
#include <QTextCursor>

#include "text_diff.h"

namespace casepack::desktop {

NoteEditor::NoteEditor(QString key, const QString& title, const QString& help, QWidget* parent)
    : QPlainTextEdit(parent), key_(std::move(key)) {
  setObjectName("note:" + key_);
  setAccessibleName(title);
  setAccessibleDescription(help);
  setPlaceholderText(help);
  setToolTip(help);  // the guidance's questions stay at hand once the text hides them
  setTabChangesFocus(true);  // Tab moves on, as in a form; typing a tab into notes is rarely wanted
  setLineWrapMode(QPlainTextEdit::WidgetWidth);
  save_timer_.setSingleShot(true);
  save_timer_.setInterval(kSaveDelay);
  connect(&save_timer_, &QTimer::timeout, this, &NoteEditor::Flush);
  connect(this, &QPlainTextEdit::textChanged, this, &NoteEditor::OnChanged);
}

void NoteEditor::OnChanged() {
  if (echo_guard_) return;
  dirty_ = true;
  if (!save_timer_.isActive()) save_timer_.start();  // not restarted: steady typing still saves
}

void NoteEditor::Flush() {
  save_timer_.stop();
  if (!dirty_) return;
  const QString text = toPlainText();
  dirty_ = false;
  const QString base = shadow_;
  shadow_ = text;
  emit saveRequested(key_, base, text);
}

void NoteEditor::ApplyStored(const QString& text) {
  if (!loaded_) {
    echo_guard_ = true;
    setPlainText(text);
    echo_guard_ = false;
    shadow_ = text;
    loaded_ = true;
    return;
  }
  if (text == shadow_) return;
  const QString screen = toPlainText();
  QString target = text;
  if (dirty_) {
    auto merged = Rebase(shadow_, DiffText(shadow_, screen), DiffText(shadow_, text));
    target = merged ? *merged : screen;
  }
  shadow_ = text;
  const TextSplice edit = DiffText(screen, target);
  if (edit.empty()) return;
  // One edit through a separate cursor: QTextDocument moves the user's cursor and selection with it.
  echo_guard_ = true;
  QTextCursor c(document());
  c.beginEditBlock();
  c.setPosition(static_cast<int>(edit.pos));
  c.setPosition(static_cast<int>(edit.pos + edit.removed), QTextCursor::KeepAnchor);
  c.insertText(edit.inserted);
  c.endEditBlock();
  echo_guard_ = false;
}

void NoteEditor::Wipe() {
  save_timer_.stop();
  echo_guard_ = true;
  // Overwrite before clearing so the old characters do not linger in the document's buffers.
  const int n = document()->characterCount();
  setPlainText(QString(n, QChar(' ')));
  clear();
  document()->clearUndoRedoStacks();
  echo_guard_ = false;
  shadow_.fill(QChar(0));
  shadow_.clear();
  loaded_ = false;
  dirty_ = false;
}

}  // namespace casepack::desktop
