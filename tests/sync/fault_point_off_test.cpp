// Without CASEPACK_FAULT_POINTS (a shipped build) a fault point is nothing: the variables are not read.
#include "casepack/fault_point.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace casepack {
namespace {

#ifdef CASEPACK_FAULT_POINTS
#error "sync_tests must compile this file as a shipped build would"
#endif

TEST(FaultPoint, WithoutTheOptionAFaultPointDoesNothing) {
  ::setenv("CASEPACK_FAULT_AT", "off-point", 1);
  ::setenv("CASEPACK_FAULT_ACTION", "throw", 1);
  EXPECT_NO_THROW(CASEPACK_FAULT_POINT("off-point"));
  ::unsetenv("CASEPACK_FAULT_AT");
  ::unsetenv("CASEPACK_FAULT_ACTION");
}

}  // namespace
}  // namespace casepack
