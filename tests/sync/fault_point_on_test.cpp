// The test-only fault point as a test build has it: the Nth arrival at the named point acts, others pass.
#define CASEPACK_FAULT_POINTS
#include "casepack/fault_point.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

namespace casepack {
namespace {

TEST(FaultPoint, InATestBuildTheNthArrivalAtTheNamedPointThrowsWhenAsked) {
  ::setenv("CASEPACK_FAULT_AT", "unit-point:3", 1);
  ::setenv("CASEPACK_FAULT_ACTION", "throw", 1);
  EXPECT_NO_THROW(CASEPACK_FAULT_POINT("other-point"));
  EXPECT_NO_THROW(CASEPACK_FAULT_POINT("unit-point"));
  EXPECT_NO_THROW(CASEPACK_FAULT_POINT("unit-point"));
  EXPECT_THROW(CASEPACK_FAULT_POINT("unit-point"), std::runtime_error);
  EXPECT_NO_THROW(CASEPACK_FAULT_POINT("unit-point"));  // only the third
  ::unsetenv("CASEPACK_FAULT_AT");
  ::unsetenv("CASEPACK_FAULT_ACTION");
}

}  // namespace
}  // namespace casepack
