// What the client tests share: the passphrase of their stores, a fresh store, the first note section of
// a MAS event. One definition, so that the test files of a unity batch (tests/CMakeLists.txt) agree.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "casepack/clock.h"
#include "casepack/domain.h"
#include "casepack/kdf.h"
#include "casepack/store.h"

namespace casepack::testing {

inline constexpr std::string_view kPass = "correct horse battery staple";

// A new store in `dir` with cheap key derivation; `clock` is the device's time its services read.
inline std::unique_ptr<Store> MakeStore(const std::filesystem::path& dir, const Clock& clock = SystemClock()) {
  auto s = Store::Create(dir, kPass, KdfParams::CheapForTests(), "casepack init", clock);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

// The key of a MAS event's first note section.
inline std::string Section() { return std::string(NoteSections(EventType::kMas)[0].key); }

}  // namespace casepack::testing
