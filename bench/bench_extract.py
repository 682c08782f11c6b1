"""Benchmarks of the extraction library, printed as JSON lines.

    python bench/bench_extract.py [--articles 2000] [--runs 5]

* ``extract_articles_per_s``: single-core throughput of ``extract()`` over a synthetic corpus
  of 300-8000 character articles (median of the runs; the gazetteer is loaded beforehand),
  measured in CPU time of the process so that other load on the machine does not skew it;
* ``extract_articles_per_s_wall``: the same in wall-clock time;
* ``extract_chars_per_s``: CPU-time throughput in characters;
* ``extract_latency_p50_ms`` / ``extract_latency_p99_ms``: per-article latency (CPU time);
* ``gazetteer_warm_load_s``: loading the cached index in a fresh process (median);
* ``gazetteer_cold_build_s``: building the index from the GeoNames/pycountry data (one run,
  in a fresh process with an empty cache directory).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import corpus  # noqa: E402

_LOAD = ("import time; t = time.perf_counter(); from pipelines.gazetteer import Gazetteer; "
         "Gazetteer.load(); print(time.perf_counter() - t)")


def _timed_load(cache_dir: str) -> float:
    out = subprocess.run([sys.executable, "-c", _LOAD], capture_output=True, text=True, check=True,
                         env={"FRONTWATCH_CACHE": cache_dir, "PATH": "/usr/bin:/bin"},
                         cwd=Path(__file__).resolve().parent.parent)
    return float(out.stdout.strip())


def _emit(name: str, value: float, unit: str, runs: int, median_of: str) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, "runs": runs,
                      "median_of": median_of}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from pipelines.extract import extract
    from pipelines.gazetteer import Gazetteer
    Gazetteer.load()
    articles = corpus(args.articles)
    chars = sum(len(a) for a in articles)
    for text in articles[:50]:  # warm caches as a long-running stream job would have them
        extract(text)
    cpu_rates, wall_rates, latencies = [], [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for text in articles:
            t = time.process_time()
            extract(text)
            latencies.append(time.process_time() - t)
        cpu_rates.append(len(articles) / (time.process_time() - cpu))
        wall_rates.append(len(articles) / (time.perf_counter() - wall))
    median = statistics.median(cpu_rates)
    what = f"{args.runs} runs of {len(articles)} articles"
    _emit("extract_articles_per_s", median, "articles/s", args.runs, what)
    _emit("extract_articles_per_s_wall", statistics.median(wall_rates), "articles/s", args.runs, what)
    _emit("extract_chars_per_s", median * chars / len(articles), "chars/s", args.runs,
          f"{what}, mean article {chars // len(articles)} chars")
    latencies.sort()
    _emit("extract_latency_p50_ms", 1000 * latencies[len(latencies) // 2], "ms", args.runs, what)
    _emit("extract_latency_p99_ms", 1000 * latencies[int(len(latencies) * 0.99)], "ms", args.runs, what)

    with tempfile.TemporaryDirectory() as cache_dir:
        cold = _timed_load(cache_dir)
        _emit("gazetteer_cold_build_s", cold, "s", 1, "1 build into an empty cache")
        warm = statistics.median(_timed_load(cache_dir) for _ in range(args.runs))
        _emit("gazetteer_warm_load_s", warm, "s", args.runs, f"{args.runs} fresh processes")


if __name__ == "__main__":
    main()
