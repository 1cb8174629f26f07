// The SQL form of the local store, as an ordered list of migrations. Migration N (1-based) moves a store
// from schema version N-1 to N; applied migrations are never edited, only appended to, because stores in
// the field carry every earlier version. The client applies them in one transaction each.
#pragma once

#include <span>
#include <string_view>

namespace casepack {

struct Migration {
  int version;            // the schema version after this migration
  std::string_view name;  // short description, for logs and `casepack status`
  std::string_view sql;   // one or more statements; SQLite 3.15 dialect (no UPSERT, no RETURNING)
};

std::span<const Migration> StoreMigrations();
inline int LatestStoreSchemaVersion() { return static_cast<int>(StoreMigrations().size()); }

}  // namespace casepack
