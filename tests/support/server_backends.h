// The server store's conformance suite runs every test against both backends: SQLite (a file in a temp
// directory) and PostgreSQL (a fresh database in the throwaway PostgreSQL 15 cluster that ctest starts
// once for the whole run, tests/support/pg_cluster.sh, as the fixture "pg_cluster"; its socket directory
// is in CASEPACK_TEST_PG_DIR).
//
//   class FooTest : public ::testing::TestWithParam<testing::Backend> { … SetUp(): db_.Open(GetParam()) … };
//   INSTANTIATE_TEST_SUITE_P(Backends, FooTest, testing::AllBackends(), testing::BackendName);
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "casepack/random.h"
#include "casepack/server_store.h"
#include "support/process.h"

namespace casepack::testing {

enum class Backend { kSqlite, kPostgres };

// gtest prints the parameter in ctest's test names ("… # GetParam() = PostgreSQL").
inline void PrintTo(Backend b, std::ostream* os) { *os << (b == Backend::kSqlite ? "SQLite" : "PostgreSQL"); }

inline auto AllBackends() { return ::testing::Values(Backend::kSqlite, Backend::kPostgres); }
inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

inline constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";

// The test cluster's socket directory, or empty with `why` set when there is none.
inline std::string PgTestDir(std::string* why) {
  if (!std::filesystem::exists(std::string(kPgBin) + "/initdb")) {
    *why = "PostgreSQL 15 is not installed (no " + std::string(kPgBin) +
           "/initdb; packaging/install-deps.sh installs postgresql-15)";
    return {};
  }
  const char* dir = std::getenv("CASEPACK_TEST_PG_DIR");
  if (dir == nullptr || *dir == '\0') {
    *why = "no PostgreSQL test cluster: run through ctest (fixture pg_cluster), or start one with "
           "tests/support/pg_cluster.sh start DIR and set CASEPACK_TEST_PG_DIR=DIR";
    return {};
  }
  if (!std::filesystem::exists(std::string(dir) + "/.s.PGSQL.5432")) {
    *why = std::string("the PostgreSQL test cluster in ") + dir + " is not running (see " + dir + "/log)";
    return {};
  }
  return dir;
}

// A libpq URL for database `db` of the test cluster.
inline std::string PgUrl(const std::string& dir, const std::string& db) {
  return "postgresql://postgres@/" + db + "?host=" + dir;
}

// Runs one SQL command on the test cluster's maintenance database; the error message if it failed.
inline std::string PgAdmin(const std::string& dir, const std::string& sql) {
  PGconn* c = PQconnectdb(PgUrl(dir, "postgres").c_str());
  std::string err;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) err = PQerrorMessage(c);
    PQclear(r);
  }
  PQfinish(c);
  return err;
}

// One test's database: a SQLite file in a fresh temp directory, or a fresh PostgreSQL database (dropped,
// with every connection to it, at the end).
class TestDatabase {
 public:
  TestDatabase() = default;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase() { Drop(); }

  // Empty on success, else why the backend is unavailable (the caller skips with it).
  std::string Create(Backend backend) {
    backend_ = backend;
    dir_ = std::filesystem::temp_directory_path() / ("casepack-server-" + RandomId());
    std::filesystem::create_directories(dir_);
    if (backend == Backend::kSqlite) {
      database_ = (dir_ / "s.db").string();
      return {};
    }
    std::string why;
    pg_dir_ = PgTestDir(&why);
    if (pg_dir_.empty()) return why;
    pg_name_ = "t_" + RandomId().substr(0, 16);
    if (auto err = PgAdmin(pg_dir_, "CREATE DATABASE " + pg_name_); !err.empty()) return "creating a database: " + err;
    database_ = PgUrl(pg_dir_, pg_name_);
    return {};
  }

  // What casepackd --database takes: the SQLite file's path or the postgresql:// URL.
  const std::string& database() const { return database_; }
  const std::filesystem::path& dir() const { return dir_; }
  Backend backend() const { return backend_; }

  Result<std::unique_ptr<server::ServerStore>> Open() const {
    return backend_ == Backend::kSqlite ? server::OpenSqliteStore(database_) : server::OpenPostgresStore(database_, 4);
  }

  // Whether `needle` is anywhere in the stored data: every file of the SQLite data directory (database,
  // WAL), or PostgreSQL's whole database as pg_dump writes it.
  bool Contains(const std::string& needle) const {
    if (backend_ == Backend::kSqlite) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
        if (!e.is_regular_file()) continue;
        if (ReadFile(e.path()).find(needle) != std::string::npos) return true;
      }
      return false;
    }
    const std::string dump = PgDump();
    EXPECT_FALSE(dump.empty());
    // bytea columns are dumped as hex: look for the needle's hex too.
    return dump.find(needle) != std::string::npos || dump.find(Hex(needle)) != std::string::npos;
  }

  // Leaves the directory and database in place (a failed test's, for inspection).
  void Keep() {
    pg_name_.clear();
    dir_.clear();
  }

  std::string PgDump() const {
    auto r = RunProcess({std::string(kPgBin) + "/pg_dump", "--no-owner", "-d", database_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

 private:
  static std::string Hex(const std::string& s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
      out += d[c >> 4];
      out += d[c & 15];
    }
    return out;
  }
  void Drop() {
    if (!pg_name_.empty()) (void)PgAdmin(pg_dir_, "DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
    pg_name_.clear();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }

  Backend backend_ = Backend::kSqlite;
  std::filesystem::path dir_;
  std::string database_;
  std::string pg_dir_;
  std::string pg_name_;
};

}  // namespace casepack::testing
