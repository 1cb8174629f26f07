// Issue 16, the last rough edges of sync (real casepack stores, real casepackd over TLS on loopback):
// - conflicts named a store id ("device dea204d5") that no list shows: they name people, as the central
//   store knows them (the name given at enrolment), or "user 1a2b3c4d" as `server users` lists them;
// - `case share --with` takes a user's name (case-insensitive); two users of one name are listed;
// - a case imported from a pack, on the server but not shared with this user, made every later sync exit 1:
//   it is reported once, with what to do, and the rest syncs with exit 0.
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class Issue16People : public ThreeLaptopsTest {
 protected:
  // A facilitator's laptop: `init_name` for `casepack init --name` (empty: none), `enrol_name` for
  // `server add --name` (empty: none).
  Laptop Enrol(const std::string& dir, const std::string& init_name, const std::string& enrol_name) {
    Laptop l{dir, root() / dir, root() / "pass", {}};
    std::vector<std::string> init = {"init", "--insecure-test-kdf"};
    if (!init_name.empty()) init.insert(init.end(), {"--name", init_name});
    EXPECT_EQ(l.Run(init).exit_code, 0);
    const std::string code = Trim(bu_.Ok({"server", "invite", "--role", "facilitator"}));
    std::vector<std::string> add = {"server", "add", server_->url(), "--invite", code, "--fingerprint", server_->fingerprint()};
    if (!enrol_name.empty()) add.insert(add.end(), {"--name", enrol_name});
    l.Ok(add);
    l.user_id = l.Json({"server", "show", "--json"}).value("user_id", "");
    EXPECT_EQ(l.user_id.size(), 32u);
    return l;
  }
};

TEST_F(Issue16People, ConflictsNamePeopleAsTheServerKnowsThemNotStoreIds) {
  // A laptop whose store has no name: its edits carry "device <store id>", which no list shows.
  Laptop anon = Enrol("anon", "", "");
  const std::string c = NewCase(bu_, "C.D.");
  Sync(bu_);
  bu_.Ok({"case", "share", c, "--with", anon.user_id});
  Sync(anon);
  // Both set the event date while apart: a conflict.
  bu_.Ok({"case", "set", c, "--date", "event=" + DaysFromToday(3)});
  anon.Ok({"case", "set", c, "--date", "event=" + DaysFromToday(4)});
  Sync(anon);
  const json synced = Sync(bu_);
  const std::string anon_as_listed = "user " + anon.user_id.substr(0, 8);

  std::vector<std::string> authors;
  for (const auto& k : synced.value("cases", json::array()))
    for (const auto& f : k.value("conflicts", json::array()))
      for (const auto& v : f.value("values", json::array())) authors.push_back(v.value("author", ""));
  ASSERT_EQ(authors.size(), 2u) << synced.dump();
  EXPECT_NE(std::find(authors.begin(), authors.end(), "bea"), authors.end()) << synced.dump();
  EXPECT_NE(std::find(authors.begin(), authors.end(), anon_as_listed), authors.end()) << synced.dump();

  // The same names everywhere a conflict shows: `case show` (text and JSON), the report; never a store id.
  const std::string shown = bu_.Ok({"case", "show", c});
  EXPECT_NE(shown.find("(" + anon_as_listed + ")"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("device "), std::string::npos) << shown;
  EXPECT_NE(bu_.Ok({"case", "show", c, "--json"}).find(anon_as_listed), std::string::npos);
  const std::string report = bu_.Ok({"report", c, "--format", "md", "-o", "-"});
  EXPECT_NE(report.find(anon_as_listed), std::string::npos) << report;
  // …and the people `server users` lists: "bea" by name, the unnamed user by the id the conflict shows.
  const std::string users = bu_.Ok({"server", "users"});
  EXPECT_NE(users.find(anon.user_id), std::string::npos) << users;
  EXPECT_NE(users.find("bea"), std::string::npos) << users;
  EXPECT_NE(users.find("(no name)"), std::string::npos) << users;
}

TEST_F(Issue16People, ANameGivenAtEnrolmentIsTheStoresAndTheServersName) {
  // A store made without a name, enrolled as "Nia Evans": the server lists her by it, other users share
  // with her by it, and her edits carry it.
  Laptop n{"nia", root() / "nia", root() / "pass", {}};
  ASSERT_EQ(n.Run({"init", "--insecure-test-kdf"}).exit_code, 0);
  const std::string c = NewCase(n, "G.H.");
  const std::string code = Trim(bu_.Ok({"server", "invite", "--role", "facilitator"}));
  n.Ok({"server", "add", server_->url(), "--invite", code, "--fingerprint", server_->fingerprint(), "--name", "Nia Evans"});
  EXPECT_NE(bu_.Ok({"server", "users"}).find("Nia Evans"), std::string::npos);
  Sync(n);
  n.Ok({"case", "share", c, "--with", "bea"});
  Sync(bu_);
  bu_.Ok({"case", "set", c, "--date", "event=" + DaysFromToday(6)});
  n.Ok({"case", "set", c, "--date", "event=" + DaysFromToday(7)});
  Sync(bu_);
  Sync(n);
  const std::string shown = n.Ok({"case", "show", c});
  EXPECT_NE(shown.find("(Nia Evans)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("(bea)"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("device "), std::string::npos) << shown;
}

TEST_F(Issue16People, ShareTakesANameCaseInsensitiveAndListsTheCandidatesOfAnAmbiguousOne) {
  const std::string c = NewCase(bu_, "I.J.");
  Sync(bu_);
  const std::string shared = bu_.Ok({"case", "share", c, "--with", "XENA"});
  EXPECT_NE(shared.find("shared with xena (user " + x_.user_id.substr(0, 8) + ")"), std::string::npos) << shared;
  Sync(x_);
  EXPECT_EQ(x_.Run({"case", "show", c}).exit_code, 0) << "xena did not receive the case shared by her name";

  // A second "Xena": the name no longer says whom; both are listed on one line, and nothing is shared.
  Laptop other = Enrol("xena2", "Xena", "");
  auto r = bu_.Run({"case", "share", c, "--with", "xena"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const std::string line = r.err.substr(0, r.err.find('\n'));
  EXPECT_NE(line.find("casepack: error: 'xena' matches 2 users: "), std::string::npos) << r.err;
  EXPECT_NE(line.find(x_.user_id.substr(0, 8)), std::string::npos) << r.err;
  EXPECT_NE(line.find(other.user_id.substr(0, 8)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("casepack: hint: give the user id"), std::string::npos) << r.err;
  Sync(other);
  EXPECT_NE(other.Run({"case", "show", c}).exit_code, 0) << "an ambiguous name shared the case";
  // Unshare says whom it removed, by name.
  const std::string removed = bu_.Ok({"case", "unshare", c, "--user", x_.user_id.substr(0, 8)});
  EXPECT_NE(removed.find("removed " + x_.user_id + " (xena)"), std::string::npos) << removed;
}

TEST_F(Issue16People, APackCaseNotSharedWithThisUserIsReportedOnceAndTheRestSyncs) {
  // xena's case, on the server; a pack of it reaches yann, who is not a member.
  const std::string c = NewCase(x_, "K.L.");
  Sync(x_);
  const std::string pack = (root() / "c.age").string();
  x_.Ok({"pack", "seal", c, "-o", pack, "--from", "Health", "--to", Trim(y_.Ok({"identity"}))});
  y_.Ok({"pack", "open", pack});
  const std::string own = NewCase(y_, "M.N.");

  auto first = y_.Run({"sync"});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("case " + c.substr(0, 8) + " is on the central store but not shared with you: ask the case's owner"),
            std::string::npos) << first.out;
  EXPECT_EQ(first.err.find("error"), std::string::npos) << first.err;
  // The rest synced: yann's own case is on the server (sharing it works; before a sync it would not).
  EXPECT_EQ(y_.Run({"case", "share", own, "--with", "bea"}).exit_code, 0);

  // Said once: the next sync is quiet about it, and still exits 0 (text and JSON).
  auto second = y_.Run({"sync"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out.find("not shared with you"), std::string::npos) << second.out;
  const json again = Sync(y_);
  EXPECT_TRUE(again.value("ok", false)) << again.dump();
  for (const auto& k : again.value("cases", json::array())) EXPECT_TRUE(k["not_shared"].is_null()) << again.dump();

  // Once shared, it syncs like any case: yann's store takes xena's operations.
  x_.Ok({"case", "share", c, "--with", "yann"});
  const json shared = Sync(y_);
  EXPECT_TRUE(shared.value("ok", false)) << shared.dump();
  EXPECT_GT(shared.value("pulled", 0u), 0u) << shared.dump();
}

}  // namespace
}  // namespace casepack::testing
