// The desktop tests' main: one QApplication for every test (offscreen unless the run chose a platform,
// e.g. xcb under xvfb-run for screenshots), the optional high-contrast palette, and the kill test's
// typist child (kill_test.cpp) when started with --typist.
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

#include <cstring>

#include "casepack/secret.h"
#include "i18n.h"
#include "main_window.h"

int RunTypist(int argc, char** argv);  // kill_test.cpp

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  casepack::InitCrypto();
  QApplication app(argc, argv);
  QStandardPaths::setTestModeEnabled(true);  // settings (the language choice) go to a test location
  if (qEnvironmentVariable("CASEPACK_HIGH_CONTRAST") == "1") casepack::desktop::ApplyHighContrast();
  // The window in Welsh for a whole run (the Welsh screenshots); English otherwise, whatever the locale.
  casepack::desktop::SetUiLanguage(qEnvironmentVariable("CASEPACK_TEST_LANGUAGE") == "cy" ? casepack::Language::kWelsh
                                                                                          : casepack::Language::kEnglish);
  if (argc > 1 && std::strcmp(argv[1], "--typist") == 0) return RunTypist(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
