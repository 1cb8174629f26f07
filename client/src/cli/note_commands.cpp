// casepack note add | set | show | resolve, and comments: the event's notes, through the text CRDT.
#include <unistd.h>

#include <cstdio>

#include "case_cli.h"
#include "io.h"

namespace casepack::cli {

namespace {

using nlohmann::json;

struct NoteOptions {
  std::string case_id, section, file;
  bool json = false, comments = false, clear = false;
  std::size_t conflict = 1;
  std::optional<std::size_t> pick;
};

void AddNoteChange(CLI::App& parent, Context& ctx, NoteOptions& a) {
  for (const char* verb : {"add", "set"}) {
    const bool append = std::string_view(verb) == "add";
    auto* cmd = parent.add_subcommand(verb, append ? "add a paragraph to a section" : "replace a section's text (only what differs is changed)");
    cmd->add_option("CASE", a.case_id, "case id")->required();
    cmd->add_option("SECTION", a.section, "section key; see 'casepack case keys --type TYPE'")->required();
    cmd->add_option("--file", a.file, "read the text from FILE (default: standard input; Ctrl-C there keeps nothing)");
    if (!append) cmd->add_flag("--clear", a.clear, "empty the section (empty input is refused without this)");
    cmd->callback([&ctx, &a, append] {
      auto s = OpenCases(ctx, append ? "casepack note add" : "casepack note set", a.case_id);
      // The section first: a mistyped key must not cost the text typed after it.
      const auto d = Must(s.cases->GetCase(s.case_id));
      const NoteSectionDef* def = Must(FindNoteSection(d.record.event_type, a.section), "SECTION");
      // At the terminal, the section's questions from the guidance before the person types.
      if (a.file.empty() && ::isatty(0) && !a.clear) {
        const std::string prompt = SectionPrompt(ctx.lang, d.record.event_type, *def);
        std::fprintf(stderr, "%s%s%s\n", SectionTitle(ctx.lang, d.record.event_type, *def).c_str(), prompt.empty() ? "" : ": ",
                     prompt.c_str());
      }
      if (a.clear && !a.file.empty()) Fail(ErrorCode::kInvalidArgument, "usage: --clear takes no text: leave out --file");
      const std::string text = a.clear ? std::string() : ReadTextInput(a.file, "note");
      if (!a.clear && text.find_first_not_of(" \t\r\n") == std::string::npos)
        Fail(ErrorCode::kInvalidArgument, "the note is empty: nothing was changed",
             append ? "type the paragraph, or give --file FILE"
                    : "to empty the section on purpose: casepack note set CASE " + a.section + " --clear");
      Check(append ? s.cases->AppendNote(s.case_id, a.section, text) : s.cases->SetNote(s.case_id, a.section, text));
      std::printf("%s %s\n", append ? "added to" : a.clear ? "cleared" : "set", a.section.c_str());
    });
  }
}

void AddNoteShow(CLI::App& parent, Context& ctx, NoteOptions& a) {
  auto* note_show = parent.add_subcommand("show", "print a case's notes (all sections, or one)");
  note_show->add_option("CASE", a.case_id, "case id")->required();
  note_show->add_option("SECTION", a.section, "one section key");
  note_show->add_flag("--json", a.json, "machine-readable output");
  note_show->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack note show", a.case_id);
    const auto d = Must(s.cases->GetCase(s.case_id));
    if (!a.section.empty()) Must(FindNoteSection(d.record.event_type, a.section));
    // Paragraphs edited on two devices stay listed under their section until `note resolve`, named by
    // where they stand ("paragraph 4"), with the number `note resolve --conflict` takes.
    const std::vector<NoteConflict> all = Must(s.cases->TextConflicts(s.case_id));
    auto conflicts_of = [&](const NoteSectionDef& def) {
      std::vector<const NoteConflict*> out;
      for (const auto& c : all)
        if (c.section == def.key) out.push_back(&c);
      return out;
    };
    if (a.json) {
      json j = json::object();
      json conflicts = json::array();
      for (const NoteSectionDef& def : NoteSections(d.record.event_type)) {
        if (!a.section.empty() && def.key != a.section) continue;
        if (auto it = d.notes.find(def.key); it != d.notes.end()) j[std::string(def.key)] = it->second;
        for (const NoteConflict* n : conflicts_of(def)) {
          json c = ToJson(FieldConflict{n->title, ParagraphLabel(*n), n->versions});
          c["section"] = std::string(def.key);
          c["conflict"] = n->number;
          conflicts.push_back(std::move(c));
        }
      }
      if (!conflicts.empty()) j["conflicts"] = std::move(conflicts);
      PrintJson(j);
      return;
    }
    for (const NoteSectionDef& def : NoteSections(d.record.event_type)) {
      if (!a.section.empty() && def.key != a.section) continue;
      auto it = d.notes.find(def.key);
      std::printf("## %s  [%s]\n", SectionTitle(ctx.lang, d.record.event_type, def).c_str(), std::string(def.key).c_str());
      if (const std::string prompt = SectionPrompt(ctx.lang, d.record.event_type, def); !prompt.empty())
        std::printf("(%s)\n", prompt.c_str());
      std::printf("%s\n\n", it == d.notes.end() ? "(empty)" : it->second.c_str());
      for (const NoteConflict* n : conflicts_of(def)) {
        std::printf("conflict: %s was rewritten on two devices; the text above holds every version:\n",
                    ParagraphLabel(*n).c_str());
        for (std::size_t i = 0; i < n->versions.candidates.size(); ++i) {
          const auto& c = n->versions.candidates[i];
          std::printf("  version %zu by %s (%s):\n    %s\n", i + 1, c.author.c_str(), c.at.c_str(), c.value.c_str());
        }
        std::printf("  resolve: casepack note resolve CASE %s --conflict %zu --pick N (or --file F)\n\n",
                    std::string(def.key).c_str(), n->number);
      }
    }
  });
}

void AddNoteResolve(CLI::App& parent, Context& ctx, NoteOptions& a) {
  auto* note_resolve = parent.add_subcommand("resolve", "end a paragraph conflict: keep one author's version, or rewrite it");
  note_resolve->add_option("CASE", a.case_id, "case id")->required();
  note_resolve->add_option("SECTION", a.section, "section key (omit with --comments)");
  note_resolve->add_flag("--comments", a.comments, "the conflict is in the facilitator's comments");
  note_resolve->add_option("--conflict", a.conflict, "which conflict of the section: the number 'note show' gives after --conflict (default 1)");
  auto* pick = note_resolve->add_option("--pick", a.pick, "keep version N, as 'note show' or 'case show' number them");
  note_resolve->add_option("--file", a.file, "replace every version with this text")->excludes(pick);
  note_resolve->callback([&ctx, &a, note_resolve] {
    if (a.comments == !a.section.empty())
      Fail(ErrorCode::kInvalidArgument, "usage: give a SECTION or --comments", "'casepack note show CASE' lists the conflicts");
    if (!a.pick && note_resolve->count("--file") == 0)
      Fail(ErrorCode::kInvalidArgument, "usage: give --pick N or --file F", "--pick keeps one author's version");
    auto s = OpenCases(ctx, "casepack note resolve", a.case_id);
    std::optional<std::string> text;
    if (!a.pick) text = ReadTextInput(a.file, "paragraph");
    Check(s.cases->ResolveTextConflict(s.case_id, a.section, a.conflict, a.pick, text));
    std::printf("resolved paragraph %zu of %s\n", a.conflict, a.comments ? "the comments" : a.section.c_str());
  });
}

void AddComments(CLI::App& parent, Context& ctx, NoteOptions& a) {
  auto* comments = parent.add_subcommand("comments", "the facilitator's comments for the report (text from a file or standard input)");
  comments->add_option("CASE", a.case_id, "case id")->required();
  comments->add_option("--file", a.file, "read the text from FILE (default: standard input)");
  comments->callback([&ctx, &a] {
    auto s = OpenCases(ctx, "casepack comments", a.case_id);
    Check(s.cases->SetFacilitatorComments(s.case_id, ReadTextInput(a.file, "comments")));
    std::printf("comments set\n");
  });
}

}  // namespace

void RegisterNoteCommands(CLI::App& app, Context& ctx) {
  static NoteOptions options;
  auto* note = app.add_subcommand("note", "notes in the sections of the event type (text from a file or standard input)");
  note->require_subcommand(1);
  AddNoteChange(*note, ctx, options);
  AddNoteShow(*note, ctx, options);
  AddNoteResolve(*note, ctx, options);
  AddComments(app, ctx, options);
}

}  // namespace casepack::cli
