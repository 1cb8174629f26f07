// The window's language (docs/desktop.md, "Cymraeg and English"): the project's own Qt Linguist
// translations (desktop/translations/casepack_cy.ts, built to .qm by CMake and compiled in as resources),
// which also translate the standard buttons and dialogs Qt draws itself (Debian has no Welsh catalogue
// for Qt), and the domain's labels from the label catalogue (casepack/labels.h) in the same language.
#pragma once

#include <QCoreApplication>
#include <QString>

#include "casepack/labels.h"

// The translation context for strings in free functions (Q_OBJECT classes use their own tr()).
class Words {
  Q_DECLARE_TR_FUNCTIONS(Words)
};

namespace casepack::desktop {

// The language the window is showing.
Language UiLanguage();
// Installs the translators for `lang` (removing the previous ones) and remembers it. Widgets built
// afterwards speak it; MainWindow rebuilds itself when the person changes the language.
void SetUiLanguage(Language lang);
// The person's saved choice (QSettings "language"), else the system locale (LC_ALL, LC_MESSAGES, LANG).
Language InitialUiLanguage();
void SaveUiLanguage(Language lang);

// A domain label (labels.h) in the window's language.
inline QString L(const std::string& s) { return QString::fromStdString(s); }

}  // namespace casepack::desktop
