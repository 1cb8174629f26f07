#include "casepack/migrations.h"

namespace casepack {

namespace {
// Append only. See docs/store.md for what each table holds.
constexpr Migration kMigrations[] = {
    {1, "store metadata and device identity",
     R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- The device identity's secret keys. Only ever inside the encrypted database.
CREATE TABLE identity (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  x25519_secret  BLOB NOT NULL,
  ed25519_secret BLOB NOT NULL,
  created_at     TEXT NOT NULL
);
)sql"},
};
}  // namespace

std::span<const Migration> StoreMigrations() { return kMigrations; }

}  // namespace casepack
