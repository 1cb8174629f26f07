// TLS material for casepackd: a self-signed certificate made on first start, and certificate
// fingerprints. Clients pin the server by the SHA-256 of its DER certificate instead of trusting a CA,
// so the fingerprint printed here is what an administrator hands to facilitators.
#pragma once

#include <string>

#include "casepack/result.h"

struct x509_st;  // OpenSSL's X509

namespace casepack::server {

struct TlsFiles {
  std::string cert_path;
  std::string key_path;
};

// The default location inside a data directory: DIR/tls/cert.pem and DIR/tls/key.pem.
TlsFiles DefaultTlsFiles(const std::string& data_dir);

// Makes an EC P-256 key and a self-signed certificate (CN=casepackd, SAN localhost/127.0.0.1/::1,
// valid 10 years) unless both files exist. The key file is created with mode 0600 before a byte is
// written. Returns true if it made new files. kIo if the files cannot be written.
Result<bool> EnsureSelfSignedCert(const TlsFiles& files);

// Lower-case hex SHA-256 of the certificate's DER encoding (64 characters, no separators).
// kIo if unreadable, kCorrupt if not a PEM certificate.
Result<std::string> CertificateFingerprint(const std::string& cert_path);
// The same for a parsed certificate (the client checks the server's against its pin). kIo if it cannot
// be encoded. Does not take ownership.
Result<std::string> CertificateFingerprint(x509_st* cert);

// Normalises a fingerprint typed by a person ("AB:CD:…", "sha256:abcd…") to 64 lower-case hex.
// kInvalidArgument if it is not 32 bytes of hex.
Result<std::string> NormaliseFingerprint(const std::string& text);

}  // namespace casepack::server
