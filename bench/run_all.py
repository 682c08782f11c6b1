"""Run every benchmark (``make bench``) and print one JSON line per figure.

Each ``bench_*.py`` prints JSON lines {"name", "value", "unit", "runs", "median_of"};
this runner passes them through (stdout), reports progress on stderr, and ends with the
machine the figures were measured on. Usage: python bench/run_all.py [--only extract,job]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["extract", "connector", "dispatcher", "job"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(ORDER))
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else ORDER
    failures = 0
    for name in chosen:
        script = HERE / f"bench_{name}.py"
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        proc = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("{"):
                print(line, flush=True)
        print(f"[bench] {name} finished in {time.monotonic() - started:.0f}s (exit {proc.returncode})",
              file=sys.stderr, flush=True)
        failures += proc.returncode != 0
    print(json.dumps({"name": "machine", "value": platform.processor() or platform.machine(), "unit": "",
                      "cores": os.cpu_count(), "python": platform.python_version(),
                      "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
