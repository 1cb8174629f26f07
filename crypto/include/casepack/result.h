// Errors as values. Every library function that can fail for a reason outside the programmer's control
// returns Result<T>; programmer errors (broken preconditions) abort instead. Messages are for people and
// must never contain case content or secret material: callers add context as an error rises
// ("opening store: wrong passphrase"), and only the command line turns them into text on a terminal.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace casepack {

enum class ErrorCode {
  kNotFound,         // the thing asked for does not exist
  kCorrupt,          // stored or received bytes fail a structural or integrity check
  kAuthFailed,       // wrong passphrase/key, or a MAC/signature that does not verify
  kConflict,         // the operation clashes with current state (already exists, held by another writer)
  kUnavailable,      // temporarily impossible (offline, busy); retrying later may succeed
  kInvalidArgument,  // the caller's input is malformed or out of range
  kIo,               // the operating system refused (permissions, read-only, missing path)
  kNoSpace,          // the disk (or a size limit) is full; nothing was changed
  kUnsupported,      // a format version or feature this build does not understand
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // lower case, no trailing period, no secrets, no case content
  std::string hint;     // optional: what the person should try next

  // Returns a copy whose message is prefixed with `what` ("reading header: " + message).
  [[nodiscard]] Error Context(std::string_view what) const {
    Error e = *this;
    e.message = std::string(what) + ": " + message;
    return e;
  }
  [[nodiscard]] Error WithHint(std::string h) const {
    Error e = *this;
    e.hint = std::move(h);
    return e;
  }
};

[[nodiscard]] inline Error MakeError(ErrorCode code, std::string message, std::string hint = {}) {
  return Error{code, std::move(message), std::move(hint)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { Check(); return std::get<0>(v_); }
  const T& value() const& { Check(); return std::get<0>(v_); }
  T&& value() && { Check(); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const Error& error() const {
    if (ok()) std::abort();
    return std::get<1>(v_);
  }

 private:
  void Check() const {
    if (!ok()) std::abort();
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) std::abort();
    return error_;
  }

 private:
  Error error_{ErrorCode::kInvalidArgument, {}, {}};
  bool ok_ = true;
};

using Status = Result<void>;
inline Status Ok() { return Status(); }

}  // namespace casepack

// Propagates an error from an expression returning Result<...>/Status, else evaluates to nothing.
#define CP_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    auto cp_status_ = (expr);                    \
    if (!cp_status_.ok()) return cp_status_.error(); \
  } while (0)

#define CP_CONCAT_INNER_(a, b) a##b
#define CP_CONCAT_(a, b) CP_CONCAT_INNER_(a, b)
// `CP_ASSIGN_OR_RETURN(auto x, Foo());` declares x from a successful result, else returns the error.
#define CP_ASSIGN_OR_RETURN(decl, expr) CP_ASSIGN_OR_RETURN_IMPL_(CP_CONCAT_(cp_result_, __LINE__), decl, expr)
#define CP_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.error();               \
  decl = std::move(tmp).value()
