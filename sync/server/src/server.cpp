// The only translation unit of the server that includes Beast (compile time: keep it that way).
#include <utility>  // before asio's awaitable.hpp under g++ 12 (see DESIGN.md)

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <csignal>
#include <map>
#include <mutex>
#include <thread>

#include "casepack/http_body.h"
#include "casepack/secret.h"
#include "casepack/server.h"
#include "casepack/wire.h"

namespace casepack::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

using Stream = beast::ssl_stream<beast::tcp_stream>;

HttpRequest ToHttpRequest(http::request<http::string_body>&& r) {
  HttpRequest out;
  out.method = std::string(r.method_string());
  out.target = std::string(r.target());
  for (const auto& field : r) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(r.body());
  return out;
}

// A live connection, as seen by the shutdown logic. `stream` and `busy` are touched only on the
// connection's strand; the registry map itself is guarded by its mutex.
struct Connection {
  asio::any_io_executor executor;
  Stream* stream = nullptr;
  bool busy = false;
  std::string peer;          // the remote address (no port)
  bool handshaking = false;  // GUARDED_BY(Shared::mu): counted in Shared::handshaking
};

struct Shared {
  Shared(Api& a, Metrics& m, const ServerOptions& o, ssl::context& t) : api(a), metrics(m), options(o), tls(t) {}
  Api& api;
  Metrics& metrics;
  const ServerOptions& options;
  ssl::context& tls;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::map<std::uint64_t, Connection*> connections;  // GUARDED_BY(mu)
  std::uint64_t next_id = 0;                           // GUARDED_BY(mu)
  std::size_t handshaking = 0;                         // GUARDED_BY(mu)
  std::map<std::string, std::size_t> handshaking_by_peer;  // GUARDED_BY(mu)
};

// REQUIRES: shared.mu held, conn->handshaking.
void EndHandshakeLocked(Shared& shared, Connection* conn) {
  conn->handshaking = false;
  --shared.handshaking;
  auto it = shared.handshaking_by_peer.find(conn->peer);
  if (--it->second == 0) shared.handshaking_by_peer.erase(it);
}

// Makes room for a new connection from `peer` among those still in the TLS handshake: closes the oldest
// one of that peer if it has its fill, else the oldest overall if all are taken. REQUIRES: shared.mu held.
void MakeHandshakeRoomLocked(Shared& shared, const std::string& peer) {
  const auto of_peer = shared.handshaking_by_peer.find(peer);
  const bool peer_full = of_peer != shared.handshaking_by_peer.end() &&
                         of_peer->second >= shared.options.max_handshaking_per_peer;
  if (!peer_full && shared.handshaking < shared.options.max_handshaking) return;
  for (auto& [id, conn] : shared.connections) {  // ids increase: the first match is the oldest
    if (!conn->handshaking || (peer_full && conn->peer != peer)) continue;
    EndHandshakeLocked(shared, conn);
    shared.metrics.ConnectionRejected();
    asio::post(conn->executor, [&shared, id = id] {
      std::lock_guard inner(shared.mu);
      auto it = shared.connections.find(id);
      if (it == shared.connections.end()) return;
      beast::error_code e;
      beast::get_lowest_layer(*it->second->stream).socket().close(e);
    });
    return;
  }
}

void LogRequest(const RequestLog& log, int status, double ms) {
  // key=value access log: ids, route template and outcome only. Never bodies, header values, codes,
  // signatures or blob ids (which a client chooses and might make meaningful).
  spdlog::info("event=request route=\"{}\" status={} ms={:.2f} user={} device={} case={} ops={} error={}{}{}",
               log.route, status, ms, log.user_id.empty() ? "-" : log.user_id,
               log.device_id.empty() ? "-" : log.device_id, log.case_id.empty() ? "-" : log.case_id, log.ops,
               log.error.empty() ? "-" : log.error, log.detail.empty() ? "" : " detail=\"",
               log.detail.empty() ? "" : log.detail + "\"");
}

// `deflate`: the request said it reads deflated bodies (docs/api.md "Compressed bodies"). Every response
// says that this server reads them too (RFC 7694), which is what lets a client compress its requests.
http::response<http::string_body> MakeResponse(const HttpResponse& r, unsigned version, bool keep_alive,
                                               std::int64_t now_ms, bool deflate = false) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "casepackd");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  res.set(http::field::accept_encoding, http_body::kDeflate);
  res.set(wire::kHeaderServerTime, std::to_string(now_ms));
  res.keep_alive(keep_alive);
  if (deflate && r.body.size() >= http_body::kCompressFrom) {
    res.body() = http_body::Deflate(r.body);
    res.set(http::field::content_encoding, http_body::kDeflate);
    res.set(http::field::vary, "Accept-Encoding");
  } else {
    res.body() = r.body;
  }
  res.prepare_payload();
  return res;
}

// A request body in a content coding is decoded here, within the route's limit, before anything reads it
// (the signature covers the decoded body). kUnsupported for a coding other than deflate, kNoSpace if it
// inflates beyond the limit, kInvalidArgument if it does not inflate.
Status DecodeRequestBody(HttpRequest& req, std::size_t limit) {
  const auto coding = req.Header("content-encoding");
  if (!coding || http_body::IsCoding(*coding, "") || http_body::IsCoding(*coding, "identity")) return Ok();
  if (!http_body::IsCoding(*coding, http_body::kDeflate))
    return MakeError(ErrorCode::kUnsupported, "request bodies are read as they are or deflated (Content-Encoding: deflate)");
  CP_ASSIGN_OR_RETURN(std::string body, http_body::Inflate(req.body, limit));
  Wipe(req.body);
  req.body = std::move(body);
  return Ok();
}

awaitable<void> WriteError(Stream& stream, Shared& shared, int status, std::string_view code, std::string_view msg,
                           const char* route) {
  RequestLog log;
  log.route = route;
  log.error = std::string(code);
  HttpResponse r{status, "application/json",
                 wire::ToJson(wire::ErrorBody{std::string(code), std::string(msg)})};
  auto res = MakeResponse(r, 11, false, shared.api.NowMs());
  beast::get_lowest_layer(stream).expires_after(shared.options.write_timeout);
  co_await http::async_write(stream, res, kTuple);
  shared.metrics.CountRequest(route, status, 0);
  LogRequest(log, status, 0);
}

awaitable<void> Session(tcp::socket socket, Shared& shared) {
  Stream stream(std::move(socket), shared.tls);
  // Not `Connection conn{co_await ...}`: g++ 12 destroys temporaries of a co_await inside a braced
  // initialiser twice (a strand use-after-free found by ASan).
  Connection conn;
  conn.executor = stream.get_executor();
  conn.stream = &stream;
  {
    beast::error_code e;
    const auto remote = beast::get_lowest_layer(stream).socket().remote_endpoint(e);
    conn.peer = e ? std::string("?") : remote.address().to_string();
  }
  std::uint64_t id;
  {
    std::lock_guard lock(shared.mu);
    MakeHandshakeRoomLocked(shared, conn.peer);
    id = shared.next_id++;
    shared.connections[id] = &conn;
    conn.handshaking = true;
    ++shared.handshaking;
    ++shared.handshaking_by_peer[conn.peer];
  }
  shared.metrics.ConnectionOpened();
  struct Unregister {
    Shared& s;
    std::uint64_t id;
    Connection& conn;
    ~Unregister() {
      {
        std::lock_guard lock(s.mu);
        if (conn.handshaking) EndHandshakeLocked(s, &conn);
        s.connections.erase(id);
      }
      s.metrics.ConnectionClosed();
    }
  } unregister{shared, id, conn};

  const auto& opt = shared.options;
  beast::get_lowest_layer(stream).expires_after(opt.handshake_timeout);
  auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
  {
    std::lock_guard lock(shared.mu);
    if (conn.handshaking) EndHandshakeLocked(shared, &conn);
  }
  if (hs_ec) {
    shared.metrics.TlsFailure();
    co_return;
  }

  beast::flat_buffer buffer;
  bool clean_close = true;
  while (!shared.stopping.load()) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    // Beast checks Content-Length against body_limit when the header completes, so the largest limit
    // is set first and the route's own limit is enforced below, once the request line is known.
    parser.body_limit(kMaxBlobBodyBytes);
    beast::get_lowest_layer(stream).expires_after(opt.idle_timeout);
    auto [hdr_ec, hdr_n] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (hdr_ec) {
      if (hdr_ec == http::error::header_limit) {
        co_await WriteError(stream, shared, 431, "too_large", "request headers too large", "(headers too large)");
      } else if (hdr_ec == http::error::body_limit) {
        co_await WriteError(stream, shared, 413, "too_large", "request body too large", "(body too large)");
      } else if (hdr_ec.category() == http::make_error_code(http::error::bad_target).category() &&
                 hdr_ec != http::error::end_of_stream && hdr_ec != http::error::partial_message) {
        co_await WriteError(stream, shared, 400, "bad_request", "malformed http request", "(malformed)");
      }
      clean_close = hdr_ec == http::error::end_of_stream;
      break;
    }
    conn.busy = true;
    const auto started = std::chrono::steady_clock::now();
    const std::size_t limit = Api::BodyLimitFor(std::string_view(parser.get().method_string()),
                                                std::string_view(parser.get().target()));
    if (parser.content_length() && *parser.content_length() > limit) {
      co_await WriteError(stream, shared, 413, "too_large", "request body too large", "(body too large)");
      break;
    }
    parser.body_limit(limit);  // for chunked bodies
    beast::get_lowest_layer(stream).expires_after(opt.request_timeout);
    auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (body_ec) {
      if (body_ec == http::error::body_limit) {
        co_await WriteError(stream, shared, 413, "too_large", "request body too large", "(body too large)");
      }
      clean_close = false;
      break;
    }
    const unsigned version = parser.get().version();
    const bool keep_alive = parser.get().keep_alive();
    HttpRequest req = ToHttpRequest(parser.release());
    if (Status decoded = DecodeRequestBody(req, limit); !decoded.ok()) {
      Wipe(req.body);
      const ErrorCode code = decoded.error().code;
      co_await WriteError(stream, shared, code == ErrorCode::kNoSpace ? 413 : code == ErrorCode::kUnsupported ? 415 : 400,
                          code == ErrorCode::kNoSpace ? "too_large" : code == ErrorCode::kUnsupported ? "unsupported_encoding" : "bad_request",
                          decoded.error().message, "(body coding)");
      clean_close = false;
      break;
    }
    const auto accept = req.Header("accept-encoding");
    const bool deflate = accept && http_body::ListsCoding(*accept, http_body::kDeflate);
    RequestLog log;
    HttpResponse r = shared.api.Handle(req, &log);
    // Case content must not linger in freed memory longer than needed.
    Wipe(req.body);
    // Counted before the reply is written, so a client that has its reply also sees it in /metrics.
    shared.metrics.CountRequest(
        log.route, r.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    const bool keep = keep_alive && !shared.stopping.load();
    auto res = MakeResponse(r, version, keep, shared.api.NowMs(), deflate);
    Wipe(r.body);
    beast::get_lowest_layer(stream).expires_after(opt.write_timeout);
    auto [wr_ec, wr_n] = co_await http::async_write(stream, res, kTuple);
    Wipe(res.body());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    LogRequest(log, r.status, ms);
    conn.busy = false;
    if (wr_ec) {
      clean_close = false;
      break;
    }
    if (!keep) break;
  }
  if (clean_close || shared.stopping.load()) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kTuple);
  }
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

awaitable<void> Accept(asio::io_context& io, tcp::acceptor& acceptor, Shared& shared) {
  while (!shared.stopping.load()) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || shared.stopping.load()) co_return;
      spdlog::warn("event=accept_failed error=\"{}\"", ec.message());
      continue;
    }
    if (static_cast<std::size_t>(shared.metrics.active_connections()) >= shared.options.max_connections) {
      shared.metrics.ConnectionRejected();
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    auto exec = socket.get_executor();
    asio::co_spawn(exec, Session(std::move(socket), shared), [](std::exception_ptr e) {
      if (e) spdlog::error("event=session_failed");
    });
  }
}

awaitable<void> StopOnSignal(asio::io_context& io, tcp::acceptor& acceptor, Shared& shared) {
  asio::signal_set signals(io, SIGTERM, SIGINT);
  auto [ec, signo] = co_await signals.async_wait(kTuple);
  if (ec) co_return;
  spdlog::info("event=shutdown signal={} in_flight={}", signo, shared.metrics.active_connections());
  shared.stopping.store(true);
  beast::error_code ignored;
  acceptor.close(ignored);
  const auto deadline = std::chrono::steady_clock::now() + shared.options.shutdown_grace;
  asio::steady_timer timer(io);
  while (true) {
    // Close connections that are waiting for a next request; busy ones finish their request first and
    // then see `stopping`.
    {
      std::lock_guard lock(shared.mu);
      for (auto& [id, conn] : shared.connections) {
        asio::post(conn->executor, [&shared, id = id] {
          std::lock_guard inner(shared.mu);
          auto it = shared.connections.find(id);
          if (it != shared.connections.end() && !it->second->busy) {
            beast::error_code e;
            beast::get_lowest_layer(*it->second->stream).socket().cancel(e);
          }
        });
      }
    }
    if (shared.metrics.active_connections() == 0 || std::chrono::steady_clock::now() >= deadline) break;
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(kTuple);
  }
  if (shared.metrics.active_connections() > 0) {
    spdlog::warn("event=shutdown_forced remaining={}", shared.metrics.active_connections());
  }
  io.stop();
}

Status ConfigureTls(ssl::context& ctx, const TlsFiles& files) {
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // TLS 1.2 only with forward-secret AEAD suites; TLS 1.3 (preferred, negotiated when both sides have it)
  // uses OpenSSL's defaults, which are all AEAD.
  SSL_CTX_set_cipher_list(native, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                                  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  beast::error_code ec;
  ctx.use_certificate_chain_file(files.cert_path, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot load certificate " + files.cert_path + ": " + ec.message());
  ctx.use_private_key_file(files.key_path, ssl::context::pem, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot load tls key " + files.key_path + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return MakeError(ErrorCode::kInvalidArgument, "tls key does not match certificate");
  }
  return Ok();
}

}  // namespace

Status RunServer(Api& api, Metrics& metrics, const ServerOptions& options,
                 const std::function<void(std::uint16_t)>& on_listening) {
  ssl::context tls(ssl::context::tls_server);
  CP_RETURN_IF_ERROR(ConfigureTls(tls, options.tls));

  // Declared before the io_context: coroutine frames still alive at a forced stop are destroyed with the
  // io_context and unregister themselves from `shared` as they go.
  Shared shared(api, metrics, options, tls);
  asio::io_context io(options.threads);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "not an ip address: " + options.host);
  // The acceptor is used by two coroutines (accept loop, signal handler): both run on this strand.
  auto acceptor_strand = asio::make_strand(io);
  tcp::acceptor acceptor(acceptor_strand);
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                                         ec.message());
  }
  const std::uint16_t port = acceptor.local_endpoint().port();

  // Signals first, so that a SIGTERM arriving right after on_listening is not lost.
  asio::co_spawn(acceptor_strand, StopOnSignal(io, acceptor, shared), asio::detached);
  asio::co_spawn(acceptor_strand, Accept(io, acceptor, shared), asio::detached);
  on_listening(port);
  spdlog::info("event=listening address={} port={} threads={}", options.host, port, options.threads);

  std::vector<std::thread> workers;
  for (int i = 1; i < options.threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : workers) t.join();
  spdlog::info("event=stopped");
  return Ok();
}

Result<HttpRequest> ParseRawHttpRequest(std::string_view raw) {
  http::request_parser<http::string_body> p;
  p.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
  p.body_limit(kMaxBlobBodyBytes);  // as in Session: the route's limit is applied after the header
  p.eager(false);
  beast::error_code ec;
  std::size_t off = 0;
  // Feeds the rest of `raw` until `done()`; at the end of the input the parser is told so (put_eof),
  // which turns an incomplete message into an error.
  auto pump = [&](auto done) {
    while (!done() && !ec) {
      if (off >= raw.size()) {
        p.put_eof(ec);
        break;
      }
      const std::size_t n = p.put(asio::buffer(raw.data() + off, raw.size() - off), ec);
      off += n;
      if (ec == http::error::need_more) {
        ec = {};
        if (n == 0) {
          p.put_eof(ec);
          break;
        }
      }
    }
  };
  pump([&] { return p.is_header_done(); });
  if (!ec && !p.is_header_done()) ec = http::error::partial_message;
  if (ec) {
    if (ec == http::error::header_limit) return MakeError(ErrorCode::kNoSpace, "headers too large");
    return MakeError(ErrorCode::kInvalidArgument, "malformed http request");
  }
  const std::size_t limit = Api::BodyLimitFor(std::string_view(p.get().method_string()), std::string_view(p.get().target()));
  if (p.content_length() && *p.content_length() > limit) return MakeError(ErrorCode::kNoSpace, "body too large");
  p.body_limit(limit);
  p.eager(true);
  pump([&] { return p.is_done(); });
  if (!ec && !p.is_done()) ec = http::error::partial_message;
  if (ec) {
    if (ec == http::error::body_limit) return MakeError(ErrorCode::kNoSpace, "body too large");
    return MakeError(ErrorCode::kInvalidArgument, "malformed http request");
  }
  HttpRequest req = ToHttpRequest(p.release());
  CP_RETURN_IF_ERROR(DecodeRequestBody(req, limit));
  return req;
}

}  // namespace casepack::server
