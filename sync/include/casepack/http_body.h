// HTTP bodies in the "deflate" content coding (RFC 9110 §8.4.1.2: the zlib format), both ways: a push
// carries its sealed batch as base64 in JSON, a third larger than the batch, and deflate takes most of that
// back (docs/api.md "Compressed bodies"). The client compresses a request only to a server that said it
// reads them (RFC 7694: `Accept-Encoding: deflate` on a response), so an older casepackd is never sent one.
// What is signed is the body itself, before the coding: the server decodes, then checks the signature.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "casepack/result.h"

namespace casepack::http_body {

inline constexpr std::string_view kDeflate = "deflate";
// Smaller bodies go as they are: the coding would save nothing worth a header.
inline constexpr std::size_t kCompressFrom = 1024;

// Deterministic (zlib at level 6). Never fails.
std::string Deflate(std::string_view body);
// The body, at most `max_size` bytes: kNoSpace if it would inflate beyond (refused without inflating
// further), kInvalidArgument for anything that is not one whole zlib stream (truncated, trailing bytes).
Result<std::string> Inflate(std::string_view coded, std::size_t max_size);
// Whether an Accept-Encoding value lists `coding` as acceptable (case-insensitive tokens separated by
// commas, each optionally with ";q=…"; q=0 means not acceptable).
bool ListsCoding(std::string_view header_value, std::string_view coding);
// Whether a Content-Encoding value is exactly `coding` (one token, case-insensitive, spaces around allowed):
// a body in several codings, or with parameters, is not read.
bool IsCoding(std::string_view header_value, std::string_view coding);

}  // namespace casepack::http_body
