// The few things the window needs from the operating system, behind one small interface so that a
// Windows or macOS port replaces this folder only (platform_linux.cpp today).
#pragma once

#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "casepack/result.h"

namespace casepack::desktop {

class Platform : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  ~Platform() override = default;
  static std::unique_ptr<Platform> Create();

  // Emits screenLocked() when the desktop locks the screen or the machine is about to sleep.
  virtual void WatchScreenLock() = 0;

  // Puts `text` on the clipboard marked as a secret (password managers' hint, so clipboard histories
  // skip it) and clears it after `clear_after` if it is still ours. ClearSecret clears it now.
  virtual void CopySecret(const QString& text, std::chrono::milliseconds clear_after) = 0;
  virtual void ClearSecret() = 0;

  // Shows document bytes in the system viewer ($CASEPACK_VIEWER, else xdg-open) from memory: the bytes
  // never reach a disk. ForgetViewed() (at lock) closes every such in-memory file.
  [[nodiscard]] virtual Status OpenInViewer(const std::string& name, const std::string& bytes) = 0;
  virtual void ForgetViewed() = 0;

 signals:
  void screenLocked();
};

}  // namespace casepack::desktop
