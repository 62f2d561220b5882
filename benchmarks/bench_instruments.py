"""Benchmark: batch scoring (`score_many`) against a per-response loop of the scalar scorer.

Run with `python benchmarks/bench_instruments.py`. Scores 1,000,000 seeded random PHQ-9 and PCL-5
responses with `score_many` (best of three runs) and times the scalar loop on a 20,000-response
subset, extrapolated as a rate. Prints rates, the ratio, peak memory and the machine; each target
prints PASS or MISS. Exits 0 unless something crashes.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from openkap.instruments import get_instrument, score, score_many

ROWS = 1_000_000
LOOP_ROWS = 20_000
SEED = 20_240_601
TARGET_RATE = 1_000_000
TARGET_RATIO = 50
TARGET_MEMORY_MB = 500


def _best_seconds(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _random_answers(instrument_id: str, rng: np.random.Generator) -> np.ndarray:
    instrument = get_instrument(instrument_id)
    scored = [item for item in instrument.items if item.required]
    high = max(item.max_value for item in scored)
    return rng.integers(0, high + 1, size=(ROWS, len(scored)), dtype=np.int8)


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def bench(instrument_id: str, rng: np.random.Generator) -> float:
    """Benchmark one instrument; return the tracemalloc peak (MB) of one batch call."""
    answers = _random_answers(instrument_id, rng)
    score_many(instrument_id, answers[:1000])  # warm-up
    batch_seconds = _best_seconds(lambda: score_many(instrument_id, answers), repeats=3)
    rows = answers[:LOOP_ROWS].tolist()
    loop_seconds = _best_seconds(lambda: [score(instrument_id, row) for row in rows], repeats=1)
    batch_rate = ROWS / batch_seconds
    loop_rate = LOOP_ROWS / loop_seconds
    ratio = batch_rate / loop_rate
    tracemalloc.start()
    score_many(instrument_id, answers)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"\n{instrument_id}: {ROWS:,} responses x {answers.shape[1]} items (int8, seed {SEED})")
    milliseconds = batch_seconds * 1000
    print(f"  score_many      {batch_rate:>14,.0f} responses/s  ({milliseconds:.0f} ms, best of 3)")
    print(
        f"  scalar loop     {loop_rate:>14,.0f} responses/s  "
        f"(timed on {LOOP_ROWS:,} responses, extrapolated as a rate)"
    )
    print(f"  ratio           {ratio:>14,.1f} x")
    print(f"  batch peak mem  {peak_mb:>14,.1f} MB (tracemalloc, one score_many call)")
    print(f"  [{_mark(batch_rate >= TARGET_RATE)}] score_many >= {TARGET_RATE:,} responses/s")
    print(f"  [{_mark(ratio >= TARGET_RATIO)}] score_many >= {TARGET_RATIO}x the scalar loop")
    return peak_mb


def main() -> int:
    """Run the benchmark for PHQ-9 and PCL-5 and print PASS/MISS per target."""
    rng = np.random.default_rng(SEED)
    print("OpenKAP instruments benchmark")
    print(
        f"machine: {platform.platform()}; {platform.processor() or platform.machine()}; "
        f"cpus: {os.cpu_count()}; python {sys.version.split()[0]}; numpy {np.__version__}"
    )
    peaks = [bench(instrument_id, rng) for instrument_id in ("phq9", "pcl5")]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (ru_maxrss): {rss_mb:,.0f} MB; batch peak: {max(peaks):,.1f} MB")
    print(f"[{_mark(rss_mb < TARGET_MEMORY_MB)}] peak memory < {TARGET_MEMORY_MB} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
