"""`make soak`: play many seeded delivery histories (tests/faults/sequences.py) against one
clean run each and write the tally to `bench/results/soak-<time>.md`.

    python -m tests.faults.soak --sequences 20 [--first-seed N] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.faults.pipeline import differences, published_state, run
from tests.faults.sequences import Tally, play
from tests.faults.world import simulate_world

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def soak(sequences: int, first_seed: int, work: Path) -> tuple[Tally, list[str], float]:
    started = time.monotonic()
    world, as_of = simulate_world(work)
    total, mismatches = Tally(), []
    for seed in range(first_seed, first_seed + sequences):
        history = work / f"history-{seed}"
        tally = Tally()
        try:
            home, final, tally = play(seed, world, history, as_of)
            total.add(tally)
            clean = run(final, history / "clean", as_of)
            if clean.returncode != 0:
                mismatches.append(f"seed {seed}: the clean run failed")
            else:
                found = differences(published_state(home), published_state(history / "clean"))
                mismatches += [f"seed {seed}: {d}" for d in found]
        except AssertionError as exc:
            mismatches.append(f"seed {seed}: {str(exc).splitlines()[0]}")
        print(f"seed {seed}: done, {dict(tally.faults)}; {len(mismatches)} mismatches so far",
              *mismatches[-3:], sep="\n  ", flush=True)
        if not any(m.startswith(f"seed {seed}:") for m in mismatches):
            shutil.rmtree(history, ignore_errors=True)  # kept to look into when it mismatched
    return total, mismatches, time.monotonic() - started


def report(tally: Tally, mismatches: list[str], seconds: float, first_seed: int) -> str:
    lines = [
        f"# Delivery-history soak, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
        f"Seeds {first_seed}–{first_seed + tally.sequences - 1}; {seconds / 60:.1f} min.", "",
        "| measure | count |", "|---|---|",
        f"| sequences tried | {tally.sequences} |", f"| delivery steps | {tally.steps} |",
        f"| runs | {tally.runs} |", f"| runs killed (SIGKILL) | {tally.kills} |",
        f"| retries | {tally.retries} |",
        f"| runs blocked as they must be | {tally.blocked_runs} |",
        f"| **mismatches with a clean run** | **{len(mismatches)}** |", "",
        "| fault | times |", "|---|---|",
        *(f"| {name} | {count} |" for name, count in sorted(tally.faults.items())),
    ]
    if mismatches:
        lines += ["", "## Mismatches", *(f"- {m}" for m in mismatches)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="soak-"))
    tally, mismatches, seconds = soak(args.sequences, args.first_seed, work)
    text = report(tally, mismatches, seconds, args.first_seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"soak-{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}.md"
    out.write_text(text, encoding="utf-8")
    print(text, f"\nwritten to {out}", sep="")
    raise SystemExit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
