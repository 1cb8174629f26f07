// The server commands through the real CLI against a real casepackd: `server add`'s address parsing and
// fingerprint normalisation, `server users`, `server revoke-device`, `server revoke-user` and
// `case unshare`. (The sync-trust tests add their fault cases.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

using nlohmann::json;

class ServerCliTest : public SyncTest {
 protected:
  // A refused command: exit 1, one error line (plus at most a hint), nothing on stdout.
  static void ExpectRefused(const Laptop& l, const std::vector<std::string>& args, const std::string& message) {
    auto r = l.Run(args);
    EXPECT_EQ(r.exit_code, 1) << Laptop::Join(args) << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("casepack: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << Laptop::Join(args) << "\n" << r.err;
    EXPECT_LE(Count(r.err, "\n"), 2u) << r.err;
    EXPECT_EQ(r.out, "");
  }
  const json* User(const json& users, const std::string& id) {
    for (const auto& u : users)
      if (u.value("user_id", "") == id) return &u;
    return nullptr;
  }
};

TEST_F(ServerCliTest, ServerAddParsesTheAddressAndNormalisesTheFingerprint) {
  Laptop l = NewLaptop("lee");
  const std::string fp = server_->fingerprint();
  const std::string port = std::to_string(server_->port());
  ExpectRefused(l, {"server", "add", "http://127.0.0.1:" + port, "--invite", bu_code_, "--fingerprint", fp}, "must start with https://");
  ExpectRefused(l, {"server", "add", "127.0.0.1:" + port, "--invite", bu_code_, "--fingerprint", fp}, "must start with https://");
  ExpectRefused(l, {"server", "add", "https://127.0.0.1:99999", "--invite", bu_code_, "--fingerprint", fp}, "not host:port");
  ExpectRefused(l, {"server", "add", "https://127.0.0.1:", "--invite", bu_code_, "--fingerprint", fp}, "invalid port");
  ExpectRefused(l, {"server", "add", "https://127.0.0.1:84x3", "--invite", bu_code_, "--fingerprint", fp}, "invalid port");
  ExpectRefused(l, {"server", "add", "https://:" + port, "--invite", bu_code_, "--fingerprint", fp}, "not host:port");
  ExpectRefused(l, {"server", "add", "https://host/path:" + port, "--invite", bu_code_, "--fingerprint", fp}, "not host:port");
  ExpectRefused(l, {"server", "add", server_->url(), "--invite", bu_code_, "--fingerprint", fp.substr(2)}, "64 hex digits");
  ExpectRefused(l, {"server", "add", server_->url(), "--invite", bu_code_, "--fingerprint", "g" + fp.substr(1)}, "64 hex digits");
  ExpectRefused(l, {"server", "add", server_->url(), "--invite", bu_code_, "--fingerprint", "sha1:" + fp}, "64 hex digits");
  // None of those enrolled the store.
  EXPECT_EQ(l.Run({"server", "show"}).exit_code, 1);
  // The form a person copies from a certificate viewer: prefix, upper case, colons; and trailing slashes.
  std::string typed = "SHA256:";
  for (std::size_t i = 0; i < fp.size(); i += 2)
    typed += (i ? ":" : "") + std::string{static_cast<char>(std::toupper(fp[i])), static_cast<char>(std::toupper(fp[i + 1]))};
  l.Ok({"server", "add", server_->url() + "//", "--invite", bu_code_, "--fingerprint", typed});
  const json shown = l.Json({"server", "show", "--json"});
  EXPECT_EQ(shown.value("url", ""), "https://127.0.0.1:" + port);
  EXPECT_EQ(shown.value("fingerprint", ""), fp);
  EXPECT_EQ(shown.value("role", ""), "business-unit");
  Sync(l);  // the pinned fingerprint is the server's: TLS connects
}

// Issue 17: a store knows several servers of one central store and fails over between them. The first
// listed here answers nobody (a port just freed): enrolment, case creation and sync all go through the
// second. A store enrolled with one URL (every other test here) reads and syncs as before.
TEST_F(ServerCliTest, Issue17SeveralServerUrlsFailOverToOneThatAnswers) {
  std::string dead;
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    dead = "https://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    ::close(fd);  // nothing listens there now
  }
  Laptop l = NewLaptop("lee");
  l.Ok({"server", "add", dead, "--also", server_->url(), "--invite", bu_code_, "--fingerprint", server_->fingerprint()});
  const json shown = l.Json({"server", "show", "--json"});
  EXPECT_EQ(shown.value("url", ""), dead);
  EXPECT_EQ(shown.value("urls", json::array()), json::array({dead, server_->url()}));
  NewCase(l, "Failover");
  EXPECT_GT(Sync(l).value("pushed", 0u), 0u);
  ExpectRefused(l, {"server", "add-url", server_->url()}, "already one of this store's servers");
  ExpectRefused(l, {"server", "add-url", "http://x"}, "must start with https://");
  l.Ok({"server", "add-url", "https://127.0.0.2:9"});
  EXPECT_EQ(l.Json({"server", "show", "--json"}).value("urls", json::array()).size(), 3u);
  Sync(l);
}

TEST_F(ServerCliTest, UsersRevokeDeviceRevokeUserAndUnshare) {
  Laptop bu = EnrolBusinessUnit("bea");
  Laptop f1 = EnrolFacilitator(bu, "alex");
  Laptop f2 = EnrolFacilitator(bu, "sam");
  const std::string f1_device = f1.Json({"server", "show", "--json"}).value("device_id", "");
  const std::string f2_device = f2.Json({"server", "show", "--json"}).value("device_id", "");

  // server users: every user once, with role and device, none revoked.
  json users = bu.Json({"server", "users", "--json"});
  ASSERT_EQ(users.size(), 3u) << users.dump(2);
  for (const Laptop* l : {&bu, &f1, &f2}) {
    const json* u = User(users, l->user_id);
    ASSERT_NE(u, nullptr) << l->name;
    EXPECT_EQ(u->value("role", ""), l == &bu ? "business-unit" : "facilitator");
    EXPECT_FALSE(u->value("revoked", true));
    ASSERT_EQ((*u)["devices"].size(), 1u);
    EXPECT_FALSE((*u)["devices"][0].value("revoked", true));
  }
  // Only a Business Unit revokes users; another user's device does not exist for a facilitator.
  ExpectRefused(f1, {"server", "revoke-user", f2.user_id}, "only the business unit can revoke users");
  ExpectRefused(f1, {"server", "revoke-device", f2_device}, "not found");
  const std::string text = bu.Ok({"server", "users"});
  EXPECT_NE(text.find(f1.user_id), std::string::npos) << text;
  EXPECT_EQ(text.find("REVOKED"), std::string::npos) << text;

  // case unshare: sam stops receiving the case; alex still does.
  const std::string c = NewCase(bu, "U.S.");
  Sync(bu);
  bu.Ok({"case", "share", c, "--with", f1.user_id});
  bu.Ok({"case", "share", c, "--with", f2.user_id});
  Sync(bu);
  Sync(f1);
  Sync(f2);
  ASSERT_EQ(f2.Run({"case", "show", c}).exit_code, 0) << "sam never received the case";
  const std::string out = bu.Ok({"case", "unshare", c, "--user", f2.user_id});
  EXPECT_NE(out.find("removed " + f2.user_id), std::string::npos) << out;
  bu.Ok({"note", "add", c, "story"}, "Written after sam left the case.\n");
  Sync(bu);
  Sync(f1);
  f2.Run({"sync"});
  EXPECT_NE(f1.Json({"case", "show", c, "--json"})["notes"].value("story", "").find("after sam left"), std::string::npos);
  const auto f2_view = f2.Run({"case", "show", c, "--json"});
  EXPECT_EQ(f2_view.out.find("after sam left"), std::string::npos) << "an unshared member received later content";

  // revoke-device: alex's laptop stops syncing at once, and users shows it revoked.
  const std::string rd = bu.Ok({"server", "revoke-device", f1_device});
  EXPECT_EQ(rd, "revoked " + f1_device + "\n");
  EXPECT_EQ(f1.Run({"sync"}).exit_code, 1);
  users = bu.Json({"server", "users", "--json"});
  ASSERT_NE(User(users, f1.user_id), nullptr);
  EXPECT_TRUE((*User(users, f1.user_id))["devices"][0].value("revoked", false)) << users.dump(2);

  // revoke-user: sam and sam's devices.
  bu.Ok({"server", "revoke-user", f2.user_id});
  EXPECT_EQ(f2.Run({"sync"}).exit_code, 1);
  users = bu.Json({"server", "users", "--json"});
  ASSERT_NE(User(users, f2.user_id), nullptr);
  EXPECT_TRUE(User(users, f2.user_id)->value("revoked", false)) << users.dump(2);
  EXPECT_NE(bu.Ok({"server", "users"}).find("REVOKED"), std::string::npos);
  // The Business Unit itself is untouched.
  Sync(bu);
}

}  // namespace
}  // namespace casepack::testing
