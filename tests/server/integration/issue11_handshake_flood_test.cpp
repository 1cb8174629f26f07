// Issue 11, item 8, against the real casepackd over TLS on loopback: 520 idle TCP connections that never
// start TLS made legitimate requests fail ("tls handshake failed: stream truncated") until the 10 s
// handshake timeout, renewably. Bounded flood: 560 idle connections, then more every 20 ms for 3 s, while a
// member's requests must succeed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>
#include <vector>

#include "harness.h"

namespace casepack::testing {
namespace {

class Issue11HandshakeFlood : public ServerFixture {
 protected:
  int Connect() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(server_->port());
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
};
INSTANTIATE_SERVER_TESTS(Issue11HandshakeFlood);

TEST_P(Issue11HandshakeFlood, ALegitimateRequestSucceedsDuringAFloodOfConnectionsThatNeverStartTls) {
  TestUser member = NewUser("facilitator");
  std::vector<int> idle;
  for (int i = 0; i < 560; ++i)
    if (const int fd = Connect(); fd >= 0) idle.push_back(fd);
  ASSERT_GE(idle.size(), 520u);
  std::atomic<bool> stop{false};
  std::vector<int> more;
  std::thread flood([&] {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!stop && std::chrono::steady_clock::now() < end && more.size() < 150) {
      if (const int fd = Connect(); fd >= 0) more.push_back(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  int ok = 0;
  std::string failure;
  for (int i = 0; i < 5; ++i) {
    auto me = member->Me();  // a fresh client each time would be fairer still; Me() reconnects when closed
    if (me.ok()) {
      ++ok;
    } else {
      failure = me.error().message;
    }
    auto fresh = Client(member.identity.get(), member.principal.device_id);
    auto cases = fresh->ListCases();
    if (cases.ok()) {
      ++ok;
    } else {
      failure = cases.error().message;
    }
  }
  stop = true;
  flood.join();
  for (int fd : idle) ::close(fd);
  for (int fd : more) ::close(fd);
  EXPECT_EQ(ok, 10) << "last failure: " << failure;
}

}  // namespace
}  // namespace casepack::testing
