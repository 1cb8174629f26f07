#include "i18n.h"

#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include <cstdlib>
#include <memory>

namespace casepack::desktop {

namespace {
Language g_language = Language::kEnglish;
std::unique_ptr<QTranslator> g_translator;
}  // namespace

Language UiLanguage() { return g_language; }

void SetUiLanguage(Language lang) {
  if (g_translator) {
    QCoreApplication::removeTranslator(g_translator.get());
    g_translator.reset();
  }
  g_language = lang;
  QLocale::setDefault(QLocale(lang == Language::kWelsh ? QLocale::Welsh : QLocale::English, QLocale::UnitedKingdom));
  if (lang == Language::kEnglish) return;  // the sources are English
  auto t = std::make_unique<QTranslator>();
  // Compiled in by qt_add_translations (desktop/CMakeLists.txt) under :/i18n.
  if (t->load(QStringLiteral(":/i18n/casepack_cy.qm"))) {
    QCoreApplication::installTranslator(t.get());
    g_translator = std::move(t);
  }
}

Language InitialUiLanguage() {
  const QString saved = QSettings("casepack", "casepack-desktop").value("language").toString();
  if (auto l = ParseLanguage(saved.toStdString()); l.ok()) return *l;
  return LanguageFromLocale(std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
}

void SaveUiLanguage(Language lang) {
  QSettings("casepack", "casepack-desktop").setValue("language", QString::fromUtf8(ToString(lang).data(), 2));
}

}  // namespace casepack::desktop
