// casepackd's network front: HTTPS (TLS 1.2+, 1.3 preferred) on Boost.Beast, one coroutine per
// connection on its own strand, a timeout before every network operation, bounded headers and bodies,
// a cap on concurrent connections, and a graceful stop on SIGTERM/SIGINT. Requests are answered by Api
// (server_api.h); this layer only moves bytes and writes the access log. This header is Beast-free.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "casepack/result.h"
#include "casepack/server_api.h"
#include "casepack/server_tls.h"

namespace casepack::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, reported to on_listening
  TlsFiles tls;
  int threads = 8;  // handlers block on the store: more threads than cores let pushes share a commit
  std::size_t max_connections = 512;
  // Connections that have not finished the TLS handshake, overall and per peer address. When either is
  // full, the oldest such connection (of that peer, else overall) is closed to admit the new one: idle
  // connections that never start TLS cannot lock legitimate clients out (issue 11), and a real handshake
  // takes milliseconds, far less than it takes a flood to push it out.
  std::size_t max_handshaking = 128;
  std::size_t max_handshaking_per_peer = 32;
  std::chrono::milliseconds handshake_timeout{3000};
  std::chrono::milliseconds idle_timeout{30000};     // waiting for the next request on a kept-alive connection
  std::chrono::milliseconds request_timeout{60000};  // reading one request's headers and body
  std::chrono::milliseconds write_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};   // in-flight requests may finish within this
};

// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (at most
// shutdown_grace), closes idle connections and returns Ok. on_listening runs once with the bound port,
// before the first connection is accepted. kIo if the address cannot be bound or the TLS files are unusable.
Status RunServer(Api& api, Metrics& metrics, const ServerOptions& options,
                 const std::function<void(std::uint16_t)>& on_listening);

// Parses one raw HTTP/1.1 request with the server's limits (header and body size). For the fuzz target
// and tests. kInvalidArgument if malformed or incomplete, kNoSpace if over a limit.
Result<HttpRequest> ParseRawHttpRequest(std::string_view raw);

}  // namespace casepack::server
