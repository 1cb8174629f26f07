// casepack-desktop: the facilitator's window. Everything lives in casepack_desktop_gui; this only reads
// the command line and starts it.
#include <QApplication>
#include <QCommandLineParser>

#include <cstdlib>

#include "casepack/secret.h"
#include "src/i18n.h"
#include "src/main_window.h"

int main(int argc, char** argv) {
  casepack::InitCrypto();
  QApplication app(argc, argv);
  QApplication::setApplicationName("casepack-desktop");
  QApplication::setApplicationVersion(CASEPACK_VERSION);
  QGuiApplication::setDesktopFileName("org.casepack.desktop");  // the installed .desktop file: icon and name on Wayland
  // Before any text is made: the person's saved choice, else the system locale (Cymraeg or English).
  casepack::desktop::SetUiLanguage(casepack::desktop::InitialUiLanguage());
  QCommandLineParser cli;
  cli.setApplicationDescription("The casepack window for MAS, MAPF and MAPM facilitators.");
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption store({"s", "store"}, "The store folder (default: $CASEPACK_STORE, else $XDG_DATA_HOME/casepack).", "DIR");
  QCommandLineOption lock_after("lock-after", "Lock after this many idle minutes (default 5, or $CASEPACK_LOCK_AFTER_MINUTES).", "MINUTES");
  QCommandLineOption contrast("high-contrast", "Use a high-contrast palette.");
  cli.addOptions({store, lock_after, contrast});
  cli.process(app);

  casepack::desktop::WindowOptions o;
  QString dir = cli.value(store);
  if (dir.isEmpty()) dir = qEnvironmentVariable("CASEPACK_STORE");
  if (dir.isEmpty()) {
    const QString xdg = qEnvironmentVariable("XDG_DATA_HOME");
    dir = (xdg.isEmpty() ? qEnvironmentVariable("HOME") + "/.local/share" : xdg) + "/casepack";
  }
  o.store_dir = dir.toStdString();
  QString minutes = cli.value(lock_after);
  if (minutes.isEmpty()) minutes = qEnvironmentVariable("CASEPACK_LOCK_AFTER_MINUTES");
  bool ok = false;
  const int m = minutes.toInt(&ok);
  if (ok && m > 0) o.idle_lock = std::chrono::minutes(m);
  if (cli.isSet(contrast) || qEnvironmentVariable("CASEPACK_HIGH_CONTRAST") == "1") casepack::desktop::ApplyHighContrast();

  // Changing the language builds the window again (locked; everything typed was saved at the lock).
  for (;;) {
    bool rebuild = false;
    casepack::desktop::MainWindow window(o);
    QObject::connect(&window, &casepack::desktop::MainWindow::languageChanged, &window, [&] {
      rebuild = true;
      window.close();
    });
    window.show();
    const int code = app.exec();
    if (!rebuild) return code;
  }
}
