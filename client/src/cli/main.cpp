// casepack: the facilitator's command line. Messages follow age's style: "casepack: error: …" with an
// optional "casepack: hint: …", lower case, no trailing period. Exit 0 success, 1 failure, 2 usage.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli.h"


namespace {

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

int Run(int argc, char** argv) {
  casepack::InitCrypto();
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
    // CLI11 would echo every unexpected word, and one of them may be a passphrase typed as an argument:
    // name only the option-like words.
    std::string shown;
    std::size_t hidden = 0;
    for (const auto& word : app.remaining(true)) {
      if (!word.empty() && word[0] == '-' && word.find('=') == std::string::npos) shown += " " + word;
      else ++hidden;
    }
    std::fprintf(stderr, "casepack: error: unexpected argument(s):%s%s\n", shown.c_str(),
                 hidden > 0 ? (" and " + std::to_string(hidden) + " more word(s), not shown").c_str() : "");
    std::fprintf(stderr, "casepack: hint: passphrases are never taken as arguments; use --passphrase-file FILE\n");
    return 2;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "casepack: error: %s\n", e.what());
    std::fprintf(stderr, "casepack: hint: run 'casepack --help' or 'casepack COMMAND --help'\n");
    return 2;
  } catch (const casepack::cli::CommandFailed& f) {
    if (f.error.code == casepack::ErrorCode::kNoSpace) {
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
    PrintError(f.error);
    return f.error.code == casepack::ErrorCode::kInvalidArgument && f.error.message.rfind("usage:", 0) == 0 ? 2 : 1;
  }
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
