// Private helper for the strict FromJson<T> parsers: reads an object's members by name, records which
// were read, and reports any member nobody asked for. Errors name the member, never echo its value.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "casepack/domain.h"
#include "casepack/result.h"

namespace casepack::internal {

inline Error JsonError(std::string_view key, std::string what) {
  return MakeError(ErrorCode::kInvalidArgument, std::string(key) + ": " + what);
}

// Runs `body` and prefixes any error with the type's name, so a nested failure reads
// "case: subject: area: expected a string".
template <typename T, typename F>
Result<T> Named(std::string_view name, F body) {
  Result<T> r = body();
  if (!r.ok()) return r.error().Context(name);
  return r;
}

class ObjectReader {
 public:
  explicit ObjectReader(const nlohmann::json& j) : j_(j) {}

  // kInvalidArgument unless the value is a JSON object.
  [[nodiscard]] Status CheckObject() const {
    if (!j_.is_object()) return MakeError(ErrorCode::kInvalidArgument, "expected a JSON object");
    return Ok();
  }

  // nullptr if absent (or null, which we treat as absent).
  const nlohmann::json* Get(std::string_view key) {
    seen_.insert(std::string(key));
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  Status String(std::string_view key, std::string* out, bool required = true) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    if (!v->is_string()) return JsonError(key, "expected a string");
    *out = v->get<std::string>();
    return Ok();
  }

  Status Bool(std::string_view key, bool* out, bool required = true) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    if (!v->is_boolean()) return JsonError(key, "expected true or false");
    *out = v->get<bool>();
    return Ok();
  }

  Status OptionalBool(std::string_view key, std::optional<bool>* out) {
    const auto* v = Get(key);
    if (!v) return Ok();
    if (!v->is_boolean()) return JsonError(key, "expected true or false");
    *out = v->get<bool>();
    return Ok();
  }

  Status Uint64(std::string_view key, std::uint64_t* out, bool required = true) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    if (!v->is_number_unsigned()) return JsonError(key, "expected a non-negative integer");
    *out = v->get<std::uint64_t>();
    return Ok();
  }

  Status Int(std::string_view key, int* out, bool required = true) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    if (!v->is_number_integer()) return JsonError(key, "expected an integer");
    const auto n = v->get<std::int64_t>();
    if (n < -1000000 || n > 1000000) return JsonError(key, "integer out of range");
    *out = static_cast<int>(n);
    return Ok();
  }

  template <typename E>
  Status Enum(std::string_view key, E* out, Result<E> (*parse)(std::string_view), bool required = true) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    if (!v->is_string()) return JsonError(key, "expected a string");
    auto r = parse(v->get<std::string>());
    if (!r.ok()) return r.error().Context(key);
    *out = *r;
    return Ok();
  }

  template <typename T>
  Status Parsed(std::string_view key, T* out, bool required = true) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    auto r = FromJson<T>(*v);
    if (!r.ok()) return r.error().Context(key);
    *out = std::move(r).value();
    return Ok();
  }

  template <typename T>
  Status OptionalParsed(std::string_view key, std::optional<T>* out) {
    const auto* v = Get(key);
    if (!v) return Ok();
    auto r = FromJson<T>(*v);
    if (!r.ok()) return r.error().Context(key);
    *out = std::move(r).value();
    return Ok();
  }

  template <typename T>
  Status Array(std::string_view key, std::vector<T>* out, bool required = false) {
    const auto* v = Get(key);
    if (!v) return required ? JsonError(key, "missing") : Ok();
    if (!v->is_array()) return JsonError(key, "expected an array");
    out->clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
      auto r = FromJson<T>((*v)[i]);
      if (!r.ok()) return r.error().Context(std::string(key) + "[" + std::to_string(i) + "]");
      out->push_back(std::move(r).value());
    }
    return Ok();
  }

  // kInvalidArgument naming the first member that no getter asked for (catches typos in hand-written
  // JSON; a newer format version must be introduced deliberately, not slip through).
  [[nodiscard]] Status Finish() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (!seen_.count(it.key())) {
        return MakeError(ErrorCode::kInvalidArgument, "unknown field '" + ShortKey(it.key()) + "'");
      }
    }
    return Ok();
  }

 private:
  static std::string ShortKey(const std::string& k) {
    std::string out;
    for (char c : k.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    return k.size() > 40 ? out + "..." : out;
  }

  const nlohmann::json& j_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace casepack::internal
