// Issue 16, rough edges of sharing (real casepack stores, real casepackd over TLS on loopback): a user is
// named by a unique prefix of their id, as `server users` shows it, and sharing a case the server has not
// yet received says to sync first instead of "server: not_found".
#include "cli/sync/sync_support.h"

namespace casepack::testing {
namespace {

TEST_F(ThreeLaptopsTest, Issue16ShareByIdPrefixAndBeforeTheFirstSync) {
  const std::string c = NewCase(bu_, "A.B.");
  // Before the first sync: the case is not on the server.
  auto early = bu_.Run({"case", "share", c, "--with", x_.user_id});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("casepack: error: case " + c.substr(0, 8) + " is not on the server yet"), std::string::npos) << early.err;
  EXPECT_NE(early.err.find("casepack: hint: run 'casepack sync' first"), std::string::npos) << early.err;
  EXPECT_EQ(early.err.find("not_found"), std::string::npos) << early.err;

  Sync(bu_);
  // Too short, or unknown: refused with the reason; a unique prefix works.
  auto unknown = bu_.Run({"case", "share", c, "--with", "zzzzzzzz"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no user zzzzzzzz on the server"), std::string::npos) << unknown.err;
  bu_.Ok({"case", "share", c, "--with", x_.user_id.substr(0, 8)});
  Sync(x_);
  EXPECT_EQ(x_.Run({"case", "show", c}).exit_code, 0) << "xena did not receive the case shared by a prefix of her id";
}

}  // namespace
}  // namespace casepack::testing
