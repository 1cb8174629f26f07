#include "casepack/trusted_clock.h"

#include <optional>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace casepack {

namespace {

bool ParseFixed(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  const char* b = s.data() + pos;
  for (std::size_t i = 0; i < len; ++i)
    if (b[i] < '0' || b[i] > '9') return false;
  return std::from_chars(b, b + len, out).ec == std::errc();
}

}  // namespace

Result<std::int64_t> ParseInstant(std::string_view text) {
  auto bad = [&] {
    return MakeError(ErrorCode::kInvalidArgument, "'" + std::string(text) + "' is not a time",
                     "expected YYYY-MM-DDTHH:MM:SSZ (UTC) or YYYY-MM-DD");
  };
  if (text.size() != 10 && text.size() != 20) return bad();
  auto date = ParseDate(text.substr(0, 10));
  if (!date.ok()) return bad();
  int h = 0, m = 0, s = 0;
  if (text.size() == 20) {
    if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z' || !ParseFixed(text, 11, 2, h) ||
        !ParseFixed(text, 14, 2, m) || !ParseFixed(text, 17, 2, s) || h > 23 || m > 59 || s > 59)
      return bad();
  }
  return (date->ToDayNumber() * 86400 + h * 3600 + m * 60 + s) * 1000;
}

std::string FormatInstant(std::int64_t millis) {
  std::int64_t secs = millis / 1000;
  if (millis < 0 && millis % 1000 != 0) --secs;
  std::int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const Date d = Date::FromDayNumber(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day, static_cast<int>(rem / 3600),
                static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

Date UtcDateOf(std::int64_t millis) {
  std::int64_t days = millis / 86400000;
  if (millis < 0 && millis % 86400000 != 0) --days;
  return Date::FromDayNumber(days);
}

namespace {

Result<std::optional<std::int64_t>> FakeNow() {
  const char* fake = std::getenv(kFakeNowVariable);
  if (fake == nullptr || *fake == '\0') return std::optional<std::int64_t>();
  auto t = ParseInstant(fake);
  if (!t.ok()) return t.error().Context(kFakeNowVariable);
  return std::optional<std::int64_t>(*t);
}

class FakeNowClock final : public Clock {
 public:
  std::int64_t NowMillis() const override {
    auto fake = FakeNow();
    return fake.ok() && fake->has_value() ? **fake : SystemClock().NowMillis();
  }
};

}  // namespace

const Clock& EnvironmentClock() {
  static const FakeNowClock clock;
  return clock;
}

Status CheckFakeNow() {
  CP_ASSIGN_OR_RETURN(auto fake, FakeNow());
  (void)fake;
  return Ok();
}

Result<std::int64_t> TrustedClock::ReadMeta(std::string_view key) {
  CP_ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT value FROM meta WHERE key = ?;"));
  st.Bind(1, key);
  CP_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::int64_t{0};
  const std::string v = st.Text(0);
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    return MakeError(ErrorCode::kCorrupt, "the store's recorded " + std::string(key) + " is not a number");
  return out;
}

// Writes max(stored, value): the recorded times only ever grow, whatever the caller passes.
Status TrustedClock::RaiseMeta(std::string_view key, std::int64_t value) {
  CP_ASSIGN_OR_RETURN(std::int64_t stored, ReadMeta(key));
  if (value <= stored) return Ok();
  CP_ASSIGN_OR_RETURN(Statement st, db_.Prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?);"));
  st.Bind(1, key).Bind(2, std::to_string(value));
  return st.Run();
}

Result<std::int64_t> TrustedClock::Peek() {
  // The testing aid keeps its contract: a malformed value is refused, never silently replaced.
  if (&clock_ == &EnvironmentClock()) CP_RETURN_IF_ERROR(CheckFakeNow());
  const std::int64_t system = clock_.NowMillis();
  CP_ASSIGN_OR_RETURN(std::int64_t server, ReadMeta(kServerKey));
  CP_ASSIGN_OR_RETURN(std::int64_t recorded, ReadMeta(kRecordedKey));
  return std::max({system, server, recorded});
}

Result<std::int64_t> TrustedClock::Advance() {
  CP_ASSIGN_OR_RETURN(std::int64_t now, Peek());
  CP_RETURN_IF_ERROR(RaiseMeta(kRecordedKey, now));
  return now;
}

Status TrustedClock::ObserveServerTime(std::int64_t server_millis) {
  CP_RETURN_IF_ERROR(RaiseMeta(kServerKey, server_millis));
  return RaiseMeta(kRecordedKey, server_millis);
}

Result<std::int64_t> TrustedClock::Recorded() { return ReadMeta(kRecordedKey); }
Result<std::int64_t> TrustedClock::LatestServerTime() { return ReadMeta(kServerKey); }

}  // namespace casepack
