// The desktop tests' main: one QApplication for every test (offscreen unless the run chose a platform,
// e.g. xcb under xvfb-run for screenshots), the optional high-contrast palette, and the kill test's
// typist child (kill_test.cpp) when started with --typist.
#include <gtest/gtest.h>

#include <QApplication>

#include <cstring>

#include "casepack/secret.h"
#include "main_window.h"

int RunTypist(int argc, char** argv);  // kill_test.cpp

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  casepack::InitCrypto();
  QApplication app(argc, argv);
  if (qEnvironmentVariable("CASEPACK_HIGH_CONTRAST") == "1") casepack::desktop::ApplyHighContrast();
  if (argc > 1 && std::strcmp(argv[1], "--typist") == 0) return RunTypist(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
