"""Calibrate the learned quantities of hw0-color-organ (parts c–i) over many training seeds.

Runs the course's training procedure (reference/color_organ_training.py), vectorised over
seeds, for the base variant and for the extreme variant scales, and prints each quantity's
learned/closed-form ratio interval in the form stored in problems/hw0_color_organ.py.

    .venv/bin/python bench/calibrate_color_organ.py [--seeds 100] [--extreme-seeds 50]
"""

from __future__ import annotations

import argparse
import datetime
import time

import numpy as np

from reference.color_organ_training import Settings, calibration_ratios, learned_values


def main() -> None:
    """Print the calibration figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=100, help="seeds at the base variant")
    ap.add_argument("--extreme-seeds", type=int, default=50, help="seeds at each extreme scale")
    ap.add_argument("--scales", type=float, nargs="*", default=[0.5, 2.0])
    args = ap.parse_args()
    base = Settings()
    runs: list[tuple[float, range]] = [(1.0, range(args.seeds))]
    start = args.seeds
    for k in args.scales:
        runs.append((k, range(start, start + args.extreme_seeds)))
        start += args.extreme_seeds
    merged: dict[str, list[np.ndarray]] = {}
    for k, seeds in runs:
        t0 = time.perf_counter()
        ratios = calibration_ratios(base.scaled(k), seeds)
        took = time.perf_counter() - t0
        span = f"seeds {seeds.start}..{seeds.stop - 1}"
        print(f"scale {k:g}: {span} ({len(seeds)} runs) {took:.1f} s")
        for key, vals in ratios.items():
            merged.setdefault(key, []).append(vals)
            stats = f"min {vals.min():.5f} mean {vals.mean():.5f} max {vals.max():.5f}"
            print(f"  {key:10s} ratio {stats}")
    values = learned_values(base, range(min(args.seeds, 20)))
    print("\nbase variant, learned values (first 20 seeds):")
    for key, vals in values.items():
        print(f"  {key:10s} {vals.min():10.3f} .. {vals.max():10.3f}  (mean {vals.mean():.3f})")
    total = sum(len(s) for _, s in runs)
    print(
        f"\n# {total} runs ({args.seeds} base seeds + {args.extreme_seeds} at each of "
        f"scales {args.scales}), {datetime.date.today().isoformat()}"
    )
    print("CALIBRATION_RATIOS: dict[str, tuple[float, float]] = {")
    for key, chunks in merged.items():
        allv = np.concatenate(chunks)
        print(f'    "{key}": ({allv.min():.5f}, {allv.max():.5f}),')
    print("}")


if __name__ == "__main__":
    main()
