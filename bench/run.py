"""Run every bench/bench_*.py and write its figures to bench/results/<name>.json.

Each benchmark measures capture against a reference (bare ffmpeg/ffprobe, cp...) in the same
run and reports ratios, so the numbers mean something on any machine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
    }


def main(selected: list[str]) -> int:
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        spec = importlib.util.spec_from_file_location(script.stem, script)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while defined
        spec.loader.exec_module(module)
        if getattr(module, "ON_REQUEST", False) and name not in selected:
            continue  # a long study, run only when named
        started = time.monotonic()
        figures = module.run()
        report = {
            "benchmark": name,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": _machine(),
            "seconds": round(time.monotonic() - started, 2),
            "figures": figures,
        }
        out = results_dir / f"{name}.json"
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"{name}: {json.dumps(figures)}\n  -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
