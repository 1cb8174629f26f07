// Library errors in the window's language (docs/desktop.md "Errors in Welsh"). The libraries return their
// errors as values with English messages (the CLI prints them, and tests match them). The window translates
// the messages a person meets in it, matched as patterns so that the paths, names and numbers in them are
// kept; for any other message it says in Welsh what kind of problem it was and keeps the detail in English,
// marked as such, rather than showing an English sentence as if it were the whole answer.
#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

#include "i18n.h"
#include "session.h"

namespace casepack::desktop {

namespace {

constexpr const char* kContext = "LibraryMessages";

// The English of library messages and hints, with %1, %2 where the library puts a value.
const char* const kKnown[] = {
    QT_TRANSLATE_NOOP("LibraryMessages", "wrong passphrase for store %1"),
    QT_TRANSLATE_NOOP("LibraryMessages", "check the passphrase (it is case-sensitive); nothing was changed"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the passphrase is empty"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the passphrase is too short (%1 characters)"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the passphrase is too repetitive"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the passphrase is built on a well-known password"),
    QT_TRANSLATE_NOOP("LibraryMessages", "use at least 12 characters; four or more random words are easy to type and hard to guess"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the session is locked"),
    QT_TRANSLATE_NOOP("LibraryMessages", "unlock the store again"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the store is busy: %1 kept it for writing for more than %2 s; nothing was changed"),
    QT_TRANSLATE_NOOP("LibraryMessages", "try again when that command has finished"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the disk is full"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the disk is full: the store is open read only"),
    QT_TRANSLATE_NOOP("LibraryMessages", "cannot write %1: the disk is full"),
    QT_TRANSLATE_NOOP("LibraryMessages", "nothing was written"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the store is read-only"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the database is damaged"),
    QT_TRANSLATE_NOOP("LibraryMessages", "cannot connect to server: %1"),
    QT_TRANSLATE_NOOP("LibraryMessages", "this store is not enrolled with a central store"),
    QT_TRANSLATE_NOOP("LibraryMessages", "not a date: %1"),
    QT_TRANSLATE_NOOP("LibraryMessages", "write dates as YYYY-MM-DD, e.g. 2026-03-04"),
    QT_TRANSLATE_NOOP("LibraryMessages", "write dates as DD/MM/YYYY, e.g. 04/03/2026"),
    QT_TRANSLATE_NOOP("LibraryMessages", "the text is not valid UTF-8"),
    QT_TRANSLATE_NOOP("LibraryMessages", "case was purged from this device"),
    QT_TRANSLATE_NOOP("LibraryMessages", "no case '%1'"),
    QT_TRANSLATE_NOOP("LibraryMessages", "no unresolved paragraph conflict there"),
    QT_TRANSLATE_NOOP("LibraryMessages", "a legal hold needs a reason"),
    QT_TRANSLATE_NOOP("LibraryMessages", "case %1 is not on hold"),
    QT_TRANSLATE_NOOP("LibraryMessages", "chronology header: the period covered ends (%1) before it starts (%2)"),
    QT_TRANSLATE_NOOP("LibraryMessages", "check the dates of the time period covered"),
};

// What kind of problem it was, for a message the window has no translation of.
QString KindOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return QCoreApplication::translate("LibraryMessages", "Not found.");
    case ErrorCode::kCorrupt: return QCoreApplication::translate("LibraryMessages", "The data is damaged or not valid.");
    case ErrorCode::kAuthFailed: return QCoreApplication::translate("LibraryMessages", "A passphrase, key or signature did not match.");
    case ErrorCode::kConflict: return QCoreApplication::translate("LibraryMessages", "This clashes with what is already there.");
    case ErrorCode::kUnavailable: return QCoreApplication::translate("LibraryMessages", "Not possible just now; try again later.");
    case ErrorCode::kInvalidArgument: return QCoreApplication::translate("LibraryMessages", "What was entered is not valid.");
    case ErrorCode::kIo: return QCoreApplication::translate("LibraryMessages", "The computer refused to read or write a file.");
    case ErrorCode::kNoSpace: return QCoreApplication::translate("LibraryMessages", "The disk is full; nothing was changed.");
    case ErrorCode::kUnsupported: return QCoreApplication::translate("LibraryMessages", "This version of casepack does not understand it.");
  }
  return {};
}

// The translation of one library sentence, or a null QString if it is not a known one.
QString Translate(const std::string& english) {
  const QString text = QString::fromStdString(english);
  for (const char* known : kKnown) {
    const QString pattern = QString::fromUtf8(known);
    if (!pattern.contains(QLatin1Char('%'))) {
      if (text == pattern) return QCoreApplication::translate(kContext, known);
      continue;
    }
    // The literal parts escaped, each %N a lazy capture.
    QString re = QStringLiteral("^");
    const QStringList parts = pattern.split(QRegularExpression(QStringLiteral("%\\d")));
    for (qsizetype i = 0; i < parts.size(); ++i)
      re += (i > 0 ? QStringLiteral("(.+?)") : QString()) + QRegularExpression::escape(parts[i]);
    const QRegularExpressionMatch m = QRegularExpression(re + QStringLiteral("$")).match(text);
    if (!m.hasMatch()) continue;
    QString out = QCoreApplication::translate(kContext, known);
    for (int i = 1; i <= m.lastCapturedIndex(); ++i) out = out.arg(m.captured(i));
    return out;
  }
  return {};
}

QString Sentence(QString s) {
  if (s.isEmpty()) return s;
  s[0] = s[0].toUpper();
  if (!s.endsWith(QLatin1Char('.'))) s += QLatin1Char('.');
  return s;
}

}  // namespace

std::string Explain(const Error& e) {
  const QString message = Translate(e.message), hint = e.hint.empty() ? QString() : Translate(e.hint);
  const bool english = UiLanguage() == Language::kEnglish;
  if (english || (!message.isNull() && (e.hint.empty() || !hint.isNull()))) {
    QString out = Sentence(message.isNull() ? QString::fromStdString(e.message) : message);
    if (!e.hint.empty()) out += QLatin1Char(' ') + Sentence(hint.isNull() ? QString::fromStdString(e.hint) : hint);
    return out.toStdString();
  }
  // Welsh, and part of it has no translation: say what kind of problem it was, with the detail in English.
  std::string detail = e.message + (e.hint.empty() ? "" : "; " + e.hint);
  return (KindOf(e.code) + QLatin1Char(' ') +
          QCoreApplication::translate("LibraryMessages", "(The details, in English: %1.)").arg(QString::fromStdString(detail)))
      .toStdString();
}

}  // namespace casepack::desktop
