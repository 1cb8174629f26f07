// Writing decrypted content (a report, an exported document) to a file a person named, for callers that
// hold the whole content in memory (the desktop window; the CLI streams through cli::Output, which follows
// the same rules). docs/case-model.md "Where decrypted content may go".
#pragma once

#include <filesystem>
#include <string_view>

#include "casepack/result.h"

namespace casepack {

// Writes `bytes` to `path`. The content goes into an unnamed O_TMPFILE in the target's directory, is
// fsynced, and only then gets its name (linkat), so a failure or a kill at any moment leaves no decrypted
// byte under any name. On a file system without O_TMPFILE (vfat, some network mounts) it is written under
// `path` itself, never under another name, and removed if the write fails. An existing file is replaced
// only if `replace` (kConflict otherwise). Errors: kIo naming the path and the reason, kNoSpace.
[[nodiscard]] Status WriteExportFile(const std::filesystem::path& path, std::string_view bytes, bool replace);

}  // namespace casepack
