"""Random delivery histories over one small simulated world, from a seed: the world's files
delivered in random batches and order, with the faults operators meet in between — a file
changed in place, the same bytes under another name, a file deleted after its load, a run
killed at a random moment and retried, a run that fails a blocking check and is retried after
the bad file is corrected. `play` carries a history out and reports what it did."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults import landing as lf
from tests.faults.pipeline import run

FAULTS = ("change_in_place", "same_bytes_again", "delete_after_load", "kill_and_retry",
          "blocking_then_corrected")
EVENTS = "ticketing/ticket_events/"
TICKETS = "ticketing/tickets/"


@dataclass
class Tally:
    sequences: int = 0
    steps: int = 0
    runs: int = 0
    kills: int = 0
    retries: int = 0
    blocked_runs: int = 0
    faults: Counter = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        for name in ("sequences", "steps", "runs", "kills", "retries", "blocked_runs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.faults.update(other.faults)


def world_files(world: Path) -> list[str]:
    return sorted(p.relative_to(world).as_posix() for p in world.rglob("*") if p.is_file())


def _business_date(rel: str) -> str:
    return rel.rsplit("/", 1)[-1][:10]


def _tickets_before_their_events(batches: list[list[str]]) -> list[list[str]]:
    """Move each events file into the batch that completes the tickets files up to its date:
    an event naming a ticket not yet delivered blocks a run by design (audit-rules, source
    integrity), so a history must not be made to block by its ordering alone."""
    where = {rel: i for i, batch in enumerate(batches) for rel in batch}
    tickets = [rel for rel in where if rel.startswith(TICKETS)]
    out = [[rel for rel in batch if not rel.startswith(EVENTS)] for batch in batches]
    for rel, i in where.items():
        if rel.startswith(EVENTS):
            needed = [where[t] for t in tickets if _business_date(t) <= _business_date(rel)]
            out[max([i, *needed])].append(rel)
    return [batch for batch in out if batch]


def play(seed: int, world: Path, work: Path, as_of: str, max_kill_seconds: float = 30.0
         ) -> tuple[Path, Path, Tally]:
    """Carry out history `seed`; returns (home, the final landing as a clean run must see it,
    tally). The final landing holds every file's last version, and the files deleted after
    their load too: their rows are kept by design (the manifest says `missing`)."""
    rng = random.Random(seed)
    landing, home, final = work / "landing", work / "home", work / "final"
    shutil.copytree(world, final)
    tally = Tally(sequences=1)
    files = world_files(world)
    rng.shuffle(files)  # later business days may come first: late files
    cuts = sorted(rng.sample(range(1, len(files)), k=min(2, len(files) - 1)))
    batches = _tickets_before_their_events(
        [files[a:b] for a, b in zip([0, *cuts], [*cuts, len(files)], strict=True)])
    delivered: list[str] = []

    def run_until_success() -> None:
        outcome = run(landing, home, as_of)
        tally.runs += 1
        assert outcome.returncode == 0, f"seed {seed}: run failed:\n{outcome.output[-4000:]}"

    for batch in batches:
        for rel in batch:
            lf.deliver(world, landing, rel)
        delivered += batch
        tally.steps += 1
        fault = rng.choice(FAULTS)
        tally.faults[fault] += 1
        if fault == "kill_and_retry":
            killed = run(landing, home, as_of, kill_after=rng.uniform(1.0, max_kill_seconds))
            tally.runs += 1
            tally.kills += killed.returncode is None
            tally.retries += 1
        elif fault == "blocking_then_corrected":
            events = [r for r in delivered if r.startswith(EVENTS)]
            if events:
                rel = rng.choice(events)
                original = (landing / rel).read_bytes()
                lf.rewrite(landing / rel, lf.event_of_unknown_ticket)
                blocked = run(landing, home, as_of)
                tally.runs += 1
                assert blocked.returncode == 1, f"seed {seed}: an unknown ticket's event " \
                    f"did not block:\n{blocked.output[-3000:]}"
                tally.blocked_runs += 1
                again = run(landing, home, as_of)  # retried unchanged: must block again
                tally.runs += 1
                assert again.returncode == 1, f"seed {seed}: a retry published past a " \
                    f"blocking check:\n{again.output[-3000:]}"
                tally.blocked_runs += 1
                (landing / rel).write_bytes(original)  # corrected
                tally.retries += 1
        run_until_success()
        if fault == "change_in_place":
            rel = rng.choice(delivered)
            change = rng.choice(lf.changes_for(rel))
            lf.rewrite(landing / rel, lf.CHANGES[change])
            shutil.copy2(landing / rel, final / rel)
            tally.faults[f"change_in_place:{change}"] += 1
        elif fault == "same_bytes_again":
            lf.copy_under_another_name(landing, rng.choice(delivered))
        elif fault == "delete_after_load":
            rel = rng.choice(delivered)
            (landing / rel).unlink()
            delivered.remove(rel)
    run_until_success()
    return home, final, tally
