#!/usr/bin/env bash
# Case-service benchmark: 1,000 cases; ListCases and Deadlines through the library and the real CLI (after
# unlock), and a 50 MB document import. Prints a table of medians. Extra arguments go to cases_bench
# (--cases N, --runs N, --dir PARENT for where the throwaway store is made).
set -euo pipefail
cd "$(dirname "$0")/../../.."
cmake --preset release >/dev/null
cmake --build --preset release -j 2 --target casepack cases_bench >/dev/null
exec build/release/tests/bench/cases/cases_bench build/release/client/casepack "$@"
