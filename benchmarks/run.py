"""Performance benchmarks (make bench): not yet measured.

The benchmarks of docs/benchmarks.md (B1 year, B1w warm, B2 ingest, B3 national, B4 memory)
belong to the performance issue. Until they exist this script says so and reports no figure,
so that nothing is ever reported that was not measured.
"""

import sys

print("make bench: not yet measured -- the benchmark suite (B1-B4 in docs/benchmarks.md) is not built yet.")
sys.exit(0)
