#include "casepack/blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "casepack/encoding.h"
#include "casepack/random.h"

namespace casepack {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "casepack-blob-1\n";  // 16 bytes
constexpr std::size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kABytes = crypto_secretstream_xchacha20poly1305_ABYTES;

struct EvpDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Associated data of every chunk: binds the blob to its case and id, so a blob cannot be moved to another
// case or renamed to stand in for another document unnoticed.
std::string AssociatedData(std::string_view case_id, std::string_view blob_id) {
  return std::string(kMagic) + std::string(case_id) + "\n" + std::string(blob_id);
}

Error FileError(std::string_view what, const fs::path& path, int err) {
  if (err == ENOSPC || err == EFBIG || err == EDQUOT)
    return MakeError(ErrorCode::kNoSpace, std::string(what) + " " + path.string() + ": the disk is full",
                     "free some space and try again; nothing was kept");
  return MakeError(ErrorCode::kIo, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

Status WriteAll(int fd, const std::uint8_t* data, std::size_t n, const fs::path& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return FileError("cannot write", path, errno);
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return Ok();
}

// Reads exactly n bytes unless the file ends; returns the count.
Result<std::size_t> ReadUpTo(int fd, std::uint8_t* data, std::size_t n, const fs::path& path) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, data + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return FileError("cannot read", path, errno);
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

Error Damaged(std::string_view why) {
  return MakeError(ErrorCode::kCorrupt, "the stored document is damaged (" + std::string(why) + ")",
                   "restore the store from a backup, or ask the sending agency for the document again");
}

}  // namespace

std::array<std::uint8_t, 32> Sha256(std::span<const std::uint8_t> bytes) {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

fs::path BlobStore::PathOf(std::string_view blob_id) const { return dir_ / (std::string(blob_id) + ".blob"); }

Status SealBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                      const ByteSource& source, const ByteSink& out, std::uint64_t max_size, BlobInfo& info) {
  if (key.size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) std::abort();
  const std::string ad = AssociatedData(case_id, blob_id);
  crypto_secretstream_xchacha20poly1305_state state;
  std::uint8_t header[kHeaderBytes];
  crypto_secretstream_xchacha20poly1305_init_push(&state, header, key.expose().data());
  CP_RETURN_IF_ERROR(out(AsBytes(kMagic)));
  CP_RETURN_IF_ERROR(out(std::span<const std::uint8_t>(header, sizeof header)));

  std::unique_ptr<EVP_MD_CTX, EvpDeleter> sha(EVP_MD_CTX_new());
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  info.size = 0;
  // Read one chunk ahead so the last chunk can carry the final tag.
  std::vector<std::uint8_t> cur(BlobStore::kChunkBytes), next(BlobStore::kChunkBytes),
      sealed(BlobStore::kChunkBytes + kABytes);
  auto fill = [&](std::vector<std::uint8_t>& buf) -> Result<std::size_t> {
    std::size_t got = 0;
    while (got < buf.size()) {
      CP_ASSIGN_OR_RETURN(std::size_t n, source(std::span(buf).subspan(got)));
      if (n == 0) break;
      got += n;
    }
    return got;
  };
  auto wipe = [&] {
    sodium_memzero(cur.data(), cur.size());
    sodium_memzero(next.data(), next.size());
  };
  auto cur_len = fill(cur);
  if (!cur_len.ok()) return cur_len.error();
  if (*cur_len == 0) return MakeError(ErrorCode::kInvalidArgument, "the document is empty");
  for (;;) {
    auto next_len = fill(next);
    if (!next_len.ok()) {
      wipe();
      return next_len.error();
    }
    info.size += *cur_len;
    if (info.size > max_size) {
      wipe();
      return MakeError(ErrorCode::kInvalidArgument,
                       "the document is larger than the limit of " + std::to_string(max_size / (1024 * 1024)) + " MiB");
    }
    EVP_DigestUpdate(sha.get(), cur.data(), *cur_len);
    const unsigned char tag = *next_len == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
    unsigned long long out_len = 0;
    crypto_secretstream_xchacha20poly1305_push(&state, sealed.data(), &out_len, cur.data(), *cur_len,
                                               reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), tag);
    if (Status s = out(std::span<const std::uint8_t>(sealed.data(), static_cast<std::size_t>(out_len))); !s.ok()) {
      wipe();
      return s;
    }
    if (*next_len == 0) break;
    std::swap(cur, next);
    cur_len = next_len;
  }
  wipe();
  unsigned int len = 0;
  EVP_DigestFinal_ex(sha.get(), info.sha256.data(), &len);
  return Ok();
}

Status OpenBlobStream(const SecretBytes& key, std::string_view case_id, std::string_view blob_id,
                      const ByteSource& source, const ByteSink& out) {
  if (key.size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) std::abort();
  auto read_up_to = [&](std::uint8_t* data, std::size_t n) -> Result<std::size_t> {
    std::size_t got = 0;
    while (got < n) {
      CP_ASSIGN_OR_RETURN(std::size_t r, source(std::span<std::uint8_t>(data + got, n - got)));
      if (r == 0) break;
      got += r;
    }
    return got;
  };
  std::uint8_t head[16 + kHeaderBytes];
  CP_ASSIGN_OR_RETURN(std::size_t n, read_up_to(head, sizeof head));
  if (n != sizeof head || std::memcmp(head, kMagic.data(), kMagic.size()) != 0) return Damaged("bad header");
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, head + kMagic.size(), key.expose().data()) != 0)
    return Damaged("bad header");
  const std::string ad = AssociatedData(case_id, blob_id);
  std::vector<std::uint8_t> in(BlobStore::kChunkBytes + kABytes), plain(BlobStore::kChunkBytes);
  for (;;) {
    CP_ASSIGN_OR_RETURN(std::size_t got, read_up_to(in.data(), in.size()));
    if (got < kABytes) return Damaged("truncated");
    unsigned long long out_len = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data(), &out_len, &tag, in.data(), got,
                                                   reinterpret_cast<const unsigned char*>(ad.data()), ad.size()) != 0)
      return MakeError(ErrorCode::kAuthFailed, "the stored document does not verify: it was altered or belongs elsewhere",
                       "restore the store from a backup, or ask the sending agency for the document again");
    Status s = out(std::span<const std::uint8_t>(plain.data(), static_cast<std::size_t>(out_len)));
    sodium_memzero(plain.data(), plain.size());
    CP_RETURN_IF_ERROR(s);
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      std::uint8_t extra = 0;
      CP_ASSIGN_OR_RETURN(std::size_t more, read_up_to(&extra, 1));
      if (more != 0) return Damaged("data after the final chunk");
      return Ok();
    }
    if (got < in.size()) return Damaged("truncated");
  }
}

Result<BlobInfo> BlobStore::Put(const SecretBytes& case_key, std::string_view case_id, const ByteSource& source,
                                std::uint64_t max_size, std::string_view wanted_id) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return FileError("cannot create", dir_, ec.value());

  BlobInfo info;
  info.blob_id = wanted_id.empty() ? RandomId() : std::string(wanted_id);
  if (info.blob_id.size() != 32 || !HexDecode(info.blob_id).ok())
    return MakeError(ErrorCode::kInvalidArgument, "a blob id must be 32 hex characters");
  const fs::path final_path = PathOf(info.blob_id);
  const fs::path tmp_path = dir_ / (info.blob_id + ".tmp");
  const int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("cannot create", tmp_path, errno);
  Status result = SealBlobStream(case_key, case_id, info.blob_id, source,
                                 [&](std::span<const std::uint8_t> b) { return WriteAll(fd, b.data(), b.size(), tmp_path); },
                                 max_size, info);
  if (result.ok() && ::fsync(fd) != 0) result = FileError("cannot write", tmp_path, errno);
  ::close(fd);
  if (result.ok() && ::rename(tmp_path.c_str(), final_path.c_str()) != 0) result = FileError("cannot write", final_path, errno);
  if (!result.ok()) {
    ::unlink(tmp_path.c_str());
    return result.error();
  }
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return info;
}

Status BlobStore::Get(const SecretBytes& case_key, std::string_view case_id, std::string_view blob_id,
                      const ByteSink& sink) const {
  const fs::path path = PathOf(blob_id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return MakeError(ErrorCode::kNotFound, "the document's stored bytes are not on this device",
                       "if it came from a colleague, run 'casepack sync' to fetch it");
    return FileError("cannot read", path, errno);
  }
  Status result = OpenBlobStream(case_key, case_id, blob_id,
                                 [&](std::span<std::uint8_t> buf) { return ReadUpTo(fd, buf.data(), buf.size(), path); },
                                 sink);
  ::close(fd);
  return result;
}

Status BlobStore::Remove(std::string_view blob_id) const {
  const fs::path path = PathOf(blob_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return FileError("cannot remove", path, errno);
  return Ok();
}

}  // namespace casepack
