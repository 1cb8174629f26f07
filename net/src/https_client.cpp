// The only client translation unit that includes Beast. A synchronous API over Asio's asynchronous
// operations (run on a private io_context), because only asynchronous operations honour the
// beast::tcp_stream timeouts.
#include <utility>  // before asio's awaitable.hpp under g++ 12

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "casepack/http_body.h"
#include "casepack/net_client.h"
#include "casepack/server_tls.h"

namespace casepack::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

class BeastHttpsClient final : public HttpsClient {
 public:
  BeastHttpsClient(Endpoint endpoint, std::string fingerprint, ClientOptions options)
      : endpoint_(std::move(endpoint)), fingerprint_(std::move(fingerprint)), options_(options),
        tls_(ssl::context::tls_client) {
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
    // Verification is the fingerprint pin after the handshake (CheckPin), not a CA chain.
    tls_.set_verify_mode(ssl::verify_none);
  }
  ~BeastHttpsClient() override { Disconnect(); }

  bool last_failure_was_stale_connection() const override { return last_failure_stale_; }

  void Disconnect() override {
    if (stream_) {
      beast::error_code ec;
      beast::get_lowest_layer(*stream_).socket().close(ec);
      stream_.reset();
    }
  }

  Result<HttpReply> Send(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view content_type,
                         const std::vector<std::pair<std::string, std::string>>& extra_headers) override {
    const http::verb verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) return MakeError(ErrorCode::kInvalidArgument, "unknown http method");
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, endpoint_.host);
    req.set(http::field::user_agent, "casepack");
    if (!body.empty() || method == "POST" || method == "PUT") req.set(http::field::content_type, content_type);
    for (const auto& [k, v] : extra_headers) req.set(k, v);
    // Bodies both ways in the deflate coding (casepack/http_body.h): replies always may be; a request only
    // once this server said it reads them. The signature in extra_headers is over `body` as given.
    req.set(http::field::accept_encoding, http_body::kDeflate);
    if (server_reads_deflate_ && body.size() >= http_body::kCompressFrom) {
      req.body() = http_body::Deflate(body);
      req.set(http::field::content_encoding, http_body::kDeflate);
    } else {
      req.body() = std::string(body);
    }
    req.keep_alive(true);
    req.prepare_payload();

    const bool reused = stream_.has_value();
    auto r = Attempt(req);
    // The failure is "stale": a kept-alive connection that died before any reply byte. The caller may
    // re-sign and resend at once (never the same signed bytes: the server may have seen them).
    last_failure_stale_ = !r.ok() && reused && r.error().code == ErrorCode::kUnavailable && !got_reply_bytes_;
    if (!r.ok()) Disconnect();
    return r;
  }

 private:
  // Runs the io_context until the pending operation completes.
  void RunIo() {
    io_.restart();
    io_.run();
  }

  Status Connect() {
    stream_.emplace(io_, tls_);
    beast::error_code ec;
    tcp::resolver resolver(io_);
    tcp::resolver::results_type results;
    resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                           [&](beast::error_code e, tcp::resolver::results_type res) {
                             ec = e;
                             results = std::move(res);
                           });
    RunIo();
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot resolve " + endpoint_.host + ": " + ec.message());
    auto& tcp_layer = beast::get_lowest_layer(*stream_);
    tcp_layer.expires_after(options_.connect_timeout);
    tcp_layer.async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunIo();
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot connect to server: " + ec.message());
    tcp_layer.socket().set_option(tcp::no_delay(true), ec);
    tcp_layer.expires_after(options_.connect_timeout);
    stream_->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    RunIo();
    if (ec) return MakeError(ErrorCode::kUnavailable, "tls handshake failed: " + ec.message());
    return CheckPin();
  }

  Status CheckPin() {
    X509* cert = SSL_get1_peer_certificate(stream_->native_handle());
    if (cert == nullptr) return MakeError(ErrorCode::kAuthFailed, "server sent no certificate");
    auto fingerprint = server::CertificateFingerprint(cert);
    X509_free(cert);
    if (!fingerprint.ok()) return MakeError(ErrorCode::kAuthFailed, "cannot hash server certificate");
    if (*fingerprint != fingerprint_) {
      return MakeError(ErrorCode::kAuthFailed, "server certificate does not match the pinned fingerprint",
                       "check the fingerprint printed by `casepackd fingerprint` on the server");
    }
    return Ok();
  }

  Result<HttpReply> Attempt(http::request<http::string_body>& req) {
    got_reply_bytes_ = false;
    if (!stream_) CP_RETURN_IF_ERROR(Connect());
    auto& tcp_layer = beast::get_lowest_layer(*stream_);
    beast::error_code ec;
    tcp_layer.expires_after(options_.request_timeout);
    http::async_write(*stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
    RunIo();
    if (ec) return MakeError(ErrorCode::kUnavailable, "sending request: " + ec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxReplyBytes);
    tcp_layer.expires_after(options_.request_timeout);
    http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    RunIo();
    got_reply_bytes_ = parser.got_some();
    if (ec) {
      buffer_.clear();
      return MakeError(ErrorCode::kUnavailable, "reading reply: " + ec.message());
    }
    auto res = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.content_type = std::string(res[http::field::content_type]);
    if (http_body::ListsCoding(std::string_view(res[http::field::accept_encoding]), http_body::kDeflate))
      server_reads_deflate_ = true;
    if (const std::string_view coding = res[http::field::content_encoding]; !coding.empty()) {
      if (!http_body::IsCoding(coding, http_body::kDeflate))
        return MakeError(ErrorCode::kCorrupt, "the server replied in a content coding this casepack does not read");
      auto plain = http_body::Inflate(res.body(), kMaxReplyBytes);
      if (!plain.ok()) return MakeError(ErrorCode::kCorrupt, "the server's reply does not inflate: " + plain.error().message);
      reply.body = std::move(*plain);
      reply.arrived_deflated = true;
    } else {
      reply.body = std::move(res.body());
    }
    if (auto t = wire::ParseTimeMs(std::string_view(res[wire::kHeaderServerTime]))) reply.server_time_ms = *t;
    if (!res.keep_alive()) Disconnect();
    return reply;
  }

  Endpoint endpoint_;
  std::string fingerprint_;
  ClientOptions options_;
  asio::io_context io_;
  ssl::context tls_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
  bool got_reply_bytes_ = false;
  bool last_failure_stale_ = false;
  bool server_reads_deflate_ = false;  // a reply said `Accept-Encoding: deflate` (RFC 7694)
  static constexpr std::size_t kMaxReplyBytes = 256u << 20;  // as received, and after inflating
};

}  // namespace

Result<std::unique_ptr<HttpsClient>> HttpsClient::Create(const Endpoint& endpoint, const ClientOptions& options) {
  CP_ASSIGN_OR_RETURN(std::string fp, server::NormaliseFingerprint(endpoint.fingerprint));
  return std::unique_ptr<HttpsClient>(new BeastHttpsClient(endpoint, std::move(fp), options));
}

}  // namespace casepack::net
