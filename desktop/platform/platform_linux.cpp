// Linux (freedesktop) platform: D-Bus screen-lock signals, KDE/Klipper's password hint, memfd viewer.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <QClipboard>
#include <QDBusConnection>
#include <QGuiApplication>
#include <QMimeData>
#include <QProcess>
#include <QTimer>

#include <cstdlib>
#include <vector>

#include "platform.h"

namespace casepack::desktop {

namespace {

class LinuxPlatform final : public Platform {
  Q_OBJECT
 public:
  ~LinuxPlatform() override {
    ClearSecret();
    ForgetViewed();
  }

  void WatchScreenLock() override {
    // Any sender: screen savers own the name, and the tests emit from their own connection.
    QDBusConnection session = QDBusConnection::sessionBus();
    for (const char* iface : {"org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.mate.ScreenSaver"}) {
      for (const char* path : {"/org/freedesktop/ScreenSaver", "/ScreenSaver", "/org/gnome/ScreenSaver"})
        session.connect(QString(), path, iface, "ActiveChanged", this, SLOT(OnActiveChanged(bool)));
    }
    QDBusConnection system = QDBusConnection::systemBus();
    system.connect("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                   "PrepareForSleep", this, SLOT(OnPrepareForSleep(bool)));
    // logind's Lock is sent on the session object; the session's path is not needed to match it.
    system.connect("org.freedesktop.login1", QString(), "org.freedesktop.login1.Session", "Lock", this,
                   SLOT(OnLock()));
  }

  void CopySecret(const QString& text, std::chrono::milliseconds clear_after) override {
    auto* mime = new QMimeData;
    mime->setText(text);
    mime->setData("x-kde-passwordManagerHint", "secret");  // Klipper and others keep no history of it
    QGuiApplication::clipboard()->setMimeData(mime, QClipboard::Clipboard);
    secret_ = text;
    QTimer::singleShot(clear_after, this, [this] { ClearSecret(); });
  }

  void ClearSecret() override {
    if (secret_.isEmpty()) return;
    QClipboard* cb = QGuiApplication::clipboard();
    if (cb != nullptr && cb->text(QClipboard::Clipboard) == secret_) cb->clear(QClipboard::Clipboard);
    secret_.fill(QChar(0));
    secret_.clear();
  }

  Status OpenInViewer(const std::string& name, const std::string& bytes) override {
    // An anonymous in-memory file (memfd) inherited by the viewer, which reads it through /proc.
    const int fd = ::memfd_create(name.c_str(), MFD_ALLOW_SEALING);
    if (fd < 0) return MakeError(ErrorCode::kIo, "could not make an in-memory file for the viewer");
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
      if (n <= 0) {
        ::close(fd);
        return MakeError(ErrorCode::kIo, "could not fill the in-memory file for the viewer");
      }
      off += static_cast<std::size_t>(n);
    }
    ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    viewed_.push_back(fd);
    const char* viewer = std::getenv("CASEPACK_VIEWER");
    const QString program = viewer != nullptr && *viewer != '\0' ? QString::fromLocal8Bit(viewer) : "xdg-open";
    const QString path = QString("/proc/%1/fd/%2").arg(::getpid()).arg(fd);
    if (!QProcess::startDetached(program, {path}))
      return MakeError(ErrorCode::kIo, "the document viewer could not be started",
                       "set CASEPACK_VIEWER to a program that opens documents");
    return Ok();
  }

  void ForgetViewed() override {
    for (int fd : viewed_) ::close(fd);
    viewed_.clear();
  }

 private slots:
  void OnActiveChanged(bool active) {
    if (active) emit screenLocked();
  }
  void OnPrepareForSleep(bool going) {
    if (going) emit screenLocked();
  }
  void OnLock() { emit screenLocked(); }

 private:
  QString secret_;
  std::vector<int> viewed_;
};

}  // namespace

std::unique_ptr<Platform> Platform::Create() { return std::make_unique<LinuxPlatform>(); }

}  // namespace casepack::desktop

#include "platform_linux.moc"
