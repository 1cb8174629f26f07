#include "casepack/server_tls.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "casepack/encoding.h"
#include "casepack/hash.h"

namespace casepack::server {
namespace {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

// Opens a new file with the given mode (umask cannot widen it), truncating an old one.
Result<std::unique_ptr<FILE, FileClose>> CreateFile(const std::string& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot create " + path);
  ::fchmod(fd, mode);
  FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, "cannot open " + path);
  }
  return std::unique_ptr<FILE, FileClose>(f);
}

bool AddExt(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

}  // namespace

TlsFiles DefaultTlsFiles(const std::string& data_dir) {
  return TlsFiles{data_dir + "/tls/cert.pem", data_dir + "/tls/key.pem"};
}

Result<bool> EnsureSelfSignedCert(const TlsFiles& files) {
  std::error_code ec;
  if (std::filesystem::exists(files.cert_path, ec) && std::filesystem::exists(files.key_path, ec)) return false;
  const auto dir = std::filesystem::path(files.key_path).parent_path();
  if (!dir.empty()) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot create directory " + dir.string());
    ::chmod(dir.c_str(), 0700);
  }

  std::unique_ptr<EVP_PKEY, EvpPkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) return MakeError(ErrorCode::kIo, "cannot generate a tls key");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) return MakeError(ErrorCode::kNoSpace, "out of memory");
  X509_set_version(cert.get(), 2);
  // A random positive 120-bit serial number.
  {
    unsigned char serial[15];
    FILE* ur = std::fopen("/dev/urandom", "rb");
    if (ur == nullptr || std::fread(serial, 1, sizeof serial, ur) != sizeof serial) {
      if (ur) std::fclose(ur);
      return MakeError(ErrorCode::kIo, "cannot read /dev/urandom");
    }
    std::fclose(ur);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("casepackd"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  if (!AddExt(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
      !AddExt(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExt(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !AddExt(cert.get(), NID_ext_key_usage, "serverAuth")) {
    return MakeError(ErrorCode::kIo, "cannot build certificate extensions");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return MakeError(ErrorCode::kIo, "cannot sign certificate");

  {
    CP_ASSIGN_OR_RETURN(auto f, CreateFile(files.key_path, 0600));
    if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        std::fflush(f.get()) != 0 || ::fsync(::fileno(f.get())) != 0) {
      return MakeError(ErrorCode::kIo, "cannot write " + files.key_path);
    }
  }
  {
    CP_ASSIGN_OR_RETURN(auto f, CreateFile(files.cert_path, 0644));
    if (PEM_write_X509(f.get(), cert.get()) != 1 || std::fflush(f.get()) != 0 || ::fsync(::fileno(f.get())) != 0) {
      return MakeError(ErrorCode::kIo, "cannot write " + files.cert_path);
    }
  }
  return true;
}

Result<std::string> CertificateFingerprint(const std::string& cert_path) {
  std::unique_ptr<FILE, FileClose> f(std::fopen(cert_path.c_str(), "rb"));
  if (!f) return MakeError(ErrorCode::kIo, "cannot read certificate " + cert_path);
  std::unique_ptr<X509, X509Free> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return MakeError(ErrorCode::kCorrupt, "not a pem certificate: " + cert_path);
  return CertificateFingerprint(cert.get());
}

Result<std::string> CertificateFingerprint(X509* cert) {
  // The SHA-256 of the certificate's DER encoding: what X509_digest computes, and what `openssl x509
  // -fingerprint -sha256` prints.
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) return MakeError(ErrorCode::kIo, "cannot encode certificate");
  const auto digest = Sha256(std::span<const std::uint8_t>(der, static_cast<std::size_t>(n)));
  OPENSSL_free(der);
  return HexEncode(digest);
}

Result<std::string> NormaliseFingerprint(const std::string& text) {
  std::string t = text;
  if (t.rfind("sha256:", 0) == 0 || t.rfind("SHA256:", 0) == 0) t = t.substr(7);
  std::string out;
  for (char c : t) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return MakeError(ErrorCode::kInvalidArgument, "fingerprint must be hex");
    }
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (out.size() != 64) return MakeError(ErrorCode::kInvalidArgument, "fingerprint must be 32 bytes (64 hex digits)");
  return out;
}

}  // namespace casepack::server
