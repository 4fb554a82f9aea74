"""The default delivery (one file per entity and business day) is byte for byte what the
simulator wrote before `--delivery-minutes` existed.

The digests below were taken from the code before the option was added (first 128 bits of each
file's SHA-256; `meta.json` without its two path keys, as sorted JSON). They also depend on the
DuckDB and pyarrow versions of `uv.lock` (Parquet records its writer); after an upgrade re-pin
them from a checkout of the simulator as it was, never from the code under test. Re-pinned once
since, when the simulated world changed on purpose (2026-12-01: the R1 scenarios, audit-rules
§11, shift the planting cycle and add R1 to the truth).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from complaint_trace.simulator import SimConfig, simulate

SHANGHAI = {"days": 2, "tickets_per_day": 60, "cells": 150, "planted_rate": 0.5, "seed": 3}
SHANGHAI_SHA256 = """
ff276aa31dd7577c991e881a2a7d8f42  landing/crm/contacts/2026-03-02-1.jsonl
f4cd364ab744caca7473be4abf9319ab  landing/crm/contacts/2026-03-02-2.parquet
9f4cb20abaab01219a7d43661b36b5c3  landing/crm/contacts/2026-03-03-1.parquet
2c3e2eb6b4b4f5812aa86e87255b77f1  landing/crm/contacts/2026-03-03-2.csv.gz
a45ea393ac2cffbbc0db59edaee43942  landing/crm/customers/2026-03-02.csv
b38a41f8477ecabdc925362c630987d6  landing/crm/customers/2026-03-03.jsonl
6009e35be73d8d38a900625c19312a28  landing/netops/alarms/2026-03-02.parquet
3864cd33328181146d8060555b493e97  landing/netops/alarms/2026-03-03.csv.gz
0408f77dcd79a372575615ba2f986321  landing/netops/cell_kpi_hourly/2026-03-02.jsonl
2e8f1488852266b5fe1239843d907039  landing/netops/cell_kpi_hourly/2026-03-03.parquet
6cad58b4b59a481d00ab7e86e5a1a1c4  landing/netops/cells/2026-03-02.csv
9dd65f615e1d10e6de0278b4c485170b  landing/netops/user_cell_sessions/2026-03-02.csv.gz
c097d858584495707d542b6aec552610  landing/netops/user_cell_sessions/2026-03-03.jsonl.gz
a895e2c26c6a09c45e6d7559f508498b  landing/ticketing/surveys/2026-03-03.csv
6d81a6cabfd16281008e7cc208a05be1  landing/ticketing/ticket_events/2026-03-02.csv.gz
5a2d3986d4ea400a66912673eeb65a5e  landing/ticketing/ticket_events/2026-03-03.jsonl.gz
70fff1f839291a6f4093e60188cf18d9  landing/ticketing/tickets/2026-03-02.parquet
005ed9c344d9703141fb648b44be7dfb  landing/ticketing/tickets/2026-03-03.csv.gz
97a9236f28253694ea06d4952635f29b  truth/bad_rows.csv
92923960c5a447845fe092227081ebd0  truth/expected_findings.csv
0029a08e8ff98a75517dd448095db552  truth/meta.json
61dd646fa0e6dee7a12ce34229f0b515  truth/scenarios.csv
"""
# a zone with daylight saving time, across its switch (2026-03-29 has 23 hours)
BERLIN = {"days": 2, "tickets_per_day": 40, "cells": 100, "seed": 11,
          "source_tz": "Europe/Berlin", "start": date(2026, 3, 28)}
BERLIN_SHA256 = """
aaf0d65bbc85feec46a0782e2ff6ce32  landing/crm/contacts/2026-03-28-1.jsonl
1ace180a10d434c6c19d671ef26bfb65  landing/crm/contacts/2026-03-28-2.parquet
68a142810386a83f7cec3a62b79ee10a  landing/crm/contacts/2026-03-29-1.parquet
13ceaacd8712020612a0b8416f89c852  landing/crm/contacts/2026-03-29-2.csv.gz
4535c194a636ca470a8960b6aa8c1266  landing/crm/customers/2026-03-28.csv
61ed0084b44170f013e8b99492441581  landing/crm/customers/2026-03-29.jsonl
95ede26f8b495b71eefdf433a3e94192  landing/netops/alarms/2026-03-28.parquet
f8efd841f1fbbb49adf373b167b2366d  landing/netops/alarms/2026-03-29.csv.gz
c3f0190c3b08453ac22e608e53fecf59  landing/netops/cell_kpi_hourly/2026-03-28.jsonl
bacc880b7beecd140e95085f0bb59c8b  landing/netops/cell_kpi_hourly/2026-03-29.parquet
5c710cfed8eb48ac36d21984b8ebdc7b  landing/netops/cells/2026-03-28.csv
69a32f7c79fbc2d3c6cebe3d590d4628  landing/netops/user_cell_sessions/2026-03-28.csv.gz
90e72dba4dd5598f7d14ed478e7432a4  landing/netops/user_cell_sessions/2026-03-29.jsonl.gz
798166ecc8a9200daaff1a7772d950b9  landing/ticketing/surveys/2026-03-28.jsonl.gz
8609bd246f48bbaf2e7305b24d814172  landing/ticketing/surveys/2026-03-29.csv
4be4599ab46fb3eebef8640d0fe55610  landing/ticketing/ticket_events/2026-03-28.csv.gz
d6c0883dd4c77f442cf2454d276abfc1  landing/ticketing/ticket_events/2026-03-29.jsonl.gz
0b5e29cfb0bde3ab05358f4a31077758  landing/ticketing/tickets/2026-03-28.parquet
a5258cdeff6cb3e8662668c3b8eaef23  landing/ticketing/tickets/2026-03-29.csv.gz
4db0bb6a21660c7a93c1a5a58e8dca9b  truth/bad_rows.csv
21195ec343662f944cb9f448250eda49  truth/expected_findings.csv
118842d09b7adb553cfd036d916b5f51  truth/meta.json
ad16b848674d644c7da0cc484bdfe957  truth/scenarios.csv
"""


def _digest(path: Path) -> str:
    data = path.read_bytes()
    if path.name == "meta.json":
        meta = {k: v for k, v in json.loads(data).items() if k not in ("out", "truth")}
        data = json.dumps(meta, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:32]


@pytest.mark.parametrize(("config", "pinned"), [(SHANGHAI, SHANGHAI_SHA256),
                                                (BERLIN, BERLIN_SHA256)],
                         ids=["shanghai", "berlin-dst"])
def test_default_delivery_writes_the_same_bytes_as_before(tmp_path: Path, config: dict,
                                                          pinned: str) -> None:
    simulate(SimConfig(out=tmp_path / "landing", truth=tmp_path / "truth", **config))
    written = {p.relative_to(tmp_path).as_posix(): _digest(p)
               for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    expected = {path: digest for digest, path in (line.split() for line in pinned.split("\n")
                                                  if line)}
    assert written == expected
