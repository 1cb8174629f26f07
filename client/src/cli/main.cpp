// casepack: the facilitator's command line. Messages follow age's style: "casepack: error: …" with an
// optional "casepack: hint: …", lower case, no trailing period. Exit 0 success, 1 failure, 2 usage.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

#include "casepack/operation.h"
#include "cli.h"


namespace {

// Edit distance with adjacent transpositions ("shwo" is one edit from "show"): for suggesting a command.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// Where a command was expected but the word names none ("casepack case shwo"): the nearest command, if one
// is close enough that the word was surely a slip for it (a word that is not close is never echoed: it
// might be a passphrase typed in the wrong place). Returns the two lines to print, or nothing.
bool LooksLikePassphrase(std::string_view word);

std::optional<std::pair<std::string, std::string>> SuggestCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path = "casepack";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.rfind("-", 0) == 0) {
      const auto* opt = word.find('=') == std::string::npos ? at->get_option_no_throw(word) : nullptr;
      if (opt != nullptr && opt->get_items_expected_min() > 0) ++i;  // its value
      continue;
    }
    const auto subs = at->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;  // a command's own arguments
    CLI::App* next = nullptr;
    std::string best;
    std::size_t best_distance = 3;  // at most two edits
    for (CLI::App* sub : subs) {
      if (sub->get_name() == word) next = sub;
      const std::size_t dist = EditDistance(word, sub->get_name());
      if (dist < best_distance && dist * 2 < std::max<std::size_t>(word.size(), 2)) {
        best_distance = dist;
        best = sub->get_name();
      }
    }
    if (next != nullptr) {
      at = next;
      path += " " + word;
      continue;
    }
    // A word far from every command is not echoed: it may be a passphrase typed in the wrong place.
    if (best.empty())
      return std::make_pair("'" + path + "' has no command by that name",
                            LooksLikePassphrase(word) ? "passphrases are never taken as arguments; use --passphrase-file FILE"
                                                      : "'" + path + " --help' lists them");
    return std::make_pair("'" + path + "' has no command '" + word + "'",
                          "did you mean '" + path + " " + best + "'? ('" + path + " --help' lists them)");
  }
  return std::nullopt;
}

// A word that may be a passphrase: several words with spaces, or a long mix of letters, digits and signs.
// Only then does the "never taken as arguments" hint make sense.
bool LooksLikePassphrase(std::string_view word) {
  if (word.empty() || word[0] == '-') return false;
  if (std::count(word.begin(), word.end(), ' ') >= 2) return true;
  bool lower = false, upper = false, digit = false, sign = false;
  for (const char c : word) {
    const auto u = static_cast<unsigned char>(c);
    lower |= std::islower(u) != 0;
    upper |= std::isupper(u) != 0;
    digit |= std::isdigit(u) != 0;
    sign |= std::ispunct(u) != 0;
  }
  return word.size() >= 10 && (lower + upper + digit + sign) >= 3;
}

void HardenProcess() {
  // No core dumps: a crash must not write decrypted case content or keys to disk.
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // A file-size limit must surface as a write error ("disk full"), not kill us mid-transaction.
  std::signal(SIGXFSZ, SIG_IGN);
  // Everything casepack writes (store, exports) is for this user only.
  umask(077);
}


void PrintError(const casepack::Error& e) {
  std::fprintf(stderr, "casepack: error: %s\n", e.message.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "casepack: hint: %s\n", e.hint.c_str());
}

// One line for everything a full disk stopped while the command ran.
void PrintFullDiskNotes(const casepack::cli::Context& ctx) {
  if (ctx.full_disk_notes.empty()) return;
  std::string line;
  for (const auto& n : ctx.full_disk_notes) line += (line.empty() ? "" : "; ") + n;
  std::fprintf(stderr, "casepack: warning: the disk is full: %s; free some space\n", line.c_str());
}

int Run(int argc, char** argv) {
  casepack::InitCrypto();
  // Every word must be UTF-8: text goes into the store, its JSON and packs, and a file's name becomes a
  // document's name. An outside test's subject "A\xff\xfeB" was stored, and afterwards `case list --json`
  // and `pack seal` failed. The word is not shown (it may be a passphrase typed in the wrong place).
  for (int i = 1; i < argc; ++i) {
    if (!casepack::Utf8Length(argv[i]).ok()) {
      std::fprintf(stderr, "casepack: error: word %d of the command is not valid UTF-8 text; nothing was changed\n", i);
      std::fprintf(stderr, "casepack: hint: type it again (a file's name too: rename the file)\n");
      return 2;
    }
  }
  CLI::App app{"casepack: encrypted case packs for multi-agency child-protection reviews", "casepack"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "casepack " CASEPACK_VERSION);
  casepack::cli::Context ctx;
  app.add_option("--store", ctx.store_dir, "store directory (default: $CASEPACK_STORE or $XDG_DATA_HOME/casepack)")
      ->envname("CASEPACK_STORE");
  app.add_option("--passphrase-file", ctx.passphrase_file,
                 "read the store passphrase from the first line of FILE instead of the terminal")
      ->envname("CASEPACK_PASSPHRASE_FILE");
  ctx.lang = casepack::LanguageFromLocale(std::getenv("LC_ALL"), std::getenv("LC_MESSAGES"), std::getenv("LANG"));
  app.add_option_function<std::string>(
         "--lang", [&ctx](const std::string& v) { ctx.lang = *casepack::ParseLanguage(v); },
         "language of labels and reports: cy (Cymraeg) or en (default: from LC_ALL, LC_MESSAGES, LANG)")
      ->check(CLI::IsMember({"cy", "en"}));
  casepack::cli::RegisterStoreCommands(app, ctx);
  casepack::cli::RegisterCaseCommands(app, ctx);
  casepack::cli::RegisterReportCommands(app, ctx);
  casepack::cli::RegisterPackCommands(app, ctx);
  casepack::cli::RegisterSyncCommands(app, ctx);
  casepack::cli::RegisterRetentionCommands(app, ctx);
  casepack::cli::RegisterRetentionServerCommands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError&) {
    if (const auto suggestion = SuggestCommand(app, argc, argv)) {
      std::fprintf(stderr, "casepack: error: %s\ncasepack: hint: %s\n", suggestion->first.c_str(), suggestion->second.c_str());
      return 2;
    }
    // CLI11 would echo every unexpected word, and one of them may be a passphrase typed as an argument:
    // name only the option-like words.
    std::string shown;
    std::size_t hidden = 0;
    bool passphrase_like = false;
    for (const auto& word : app.remaining(true)) {
      if (!word.empty() && word[0] == '-' && word.find('=') == std::string::npos) shown += " " + word;
      else ++hidden;
      passphrase_like |= LooksLikePassphrase(word) || word.find("pass") != std::string::npos;
    }
    std::fprintf(stderr, "casepack: error: unexpected argument(s):%s%s\n", shown.c_str(),
                 hidden > 0 ? (" and " + std::to_string(hidden) + " more word(s), not shown").c_str() : "");
    if (passphrase_like)
      std::fprintf(stderr, "casepack: hint: passphrases are never taken as arguments; use --passphrase-file FILE\n");
    else
      std::fprintf(stderr, "casepack: hint: run 'casepack COMMAND --help' for the options a command takes\n");
    return 2;
  } catch (const CLI::ParseError& e) {
    if (const auto suggestion = SuggestCommand(app, argc, argv)) {
      std::fprintf(stderr, "casepack: error: %s\ncasepack: hint: %s\n", suggestion->first.c_str(), suggestion->second.c_str());
      return 2;
    }
    std::fprintf(stderr, "casepack: error: %s\n", e.what());
    std::fprintf(stderr, "casepack: hint: run 'casepack --help' or 'casepack COMMAND --help'\n");
    return 2;
  } catch (const casepack::cli::CommandFailed& f) {
    if (f.error.code == casepack::ErrorCode::kNoSpace) {
      // The error says the disk is full and nothing changed: what the full disk stopped on the way is not
      // said again.
      // Every write is one transaction (or an unnamed file linked only when complete): a full disk
      // changes nothing, and the person needs to hear both that and what to do.
      casepack::Error e = f.error;
      if (e.hint.rfind("nothing was", 0) == 0) {
        e.message += "; " + e.hint;
        e.hint.clear();
      } else if (e.message.find("nothing was") == std::string::npos) {
        e.message += "; nothing was changed";
      }
      if (e.hint.empty()) e.hint = "free some space on the disk that holds the store (and any output), then run the command again";
      PrintError(e);
      return 1;
    }
    PrintFullDiskNotes(ctx);
    PrintError(f.error);
    return f.error.code == casepack::ErrorCode::kInvalidArgument && f.error.message.rfind("usage:", 0) == 0 ? 2 : 1;
  }
  PrintFullDiskNotes(ctx);
  // Output that never arrived (a full disk behind a redirect, a closed pipe) is a failure, not success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    PrintError(casepack::MakeError(casepack::ErrorCode::kIo, "cannot write to standard output"));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  HardenProcess();
  // Whatever escapes (a library bug, an allocation failure) ends as one line and exit 1, never an abort
  // with a core or a trace. The exception's text is not shown: it may quote the input that caused it.
  try {
    return Run(argc, argv);
  } catch (const std::exception&) {
  } catch (...) {
  }
  std::fprintf(stderr, "casepack: error: internal error: the command stopped unexpectedly\n");
  std::fprintf(stderr, "casepack: hint: the store keeps only completed changes; please report this\n");
  return 1;
}
