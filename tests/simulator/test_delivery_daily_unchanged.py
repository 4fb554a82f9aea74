"""The default delivery (one file per entity and business day) is byte for byte what the
simulator wrote before `--delivery-minutes` existed.

The digests below were taken from the code before the option was added (first 128 bits of each
file's SHA-256; `meta.json` without its two path keys, as sorted JSON). They also depend on the
DuckDB and pyarrow versions of `uv.lock` (Parquet records its writer); after an upgrade re-pin
them from a checkout of the simulator as it was, never from the code under test.
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
4f9bd0a88d9a4d9d6e54df4cd68ddc29  landing/crm/contacts/2026-03-02-1.jsonl
c53192af49ec8d62c78eda09c4a49c4b  landing/crm/contacts/2026-03-02-2.parquet
b0df8d46b4393b90cf5f43451b52c54e  landing/crm/contacts/2026-03-03-1.parquet
6533c54ca1ea5a16c11275074bed7b2c  landing/crm/contacts/2026-03-03-2.csv.gz
3bdf943a86f9cc7c40f843974f2bddba  landing/crm/customers/2026-03-02.csv
2449fda3c56eb6aa35067f5b11833484  landing/crm/customers/2026-03-03.jsonl
0a90ebb034c81bb67f77f1eca25d5f20  landing/netops/alarms/2026-03-02.parquet
3ba0064f4ff8d398cc7ad23b3d435d5b  landing/netops/alarms/2026-03-03.csv.gz
3015a9d018e1032c01f3ed4033b65a24  landing/netops/cell_kpi_hourly/2026-03-02.jsonl
e70ef073e94da8548fd76cf2c45e2ee7  landing/netops/cell_kpi_hourly/2026-03-03.parquet
6cad58b4b59a481d00ab7e86e5a1a1c4  landing/netops/cells/2026-03-02.csv
d0bc3c763fccc2fa7f83faa224c990bf  landing/netops/user_cell_sessions/2026-03-02.csv.gz
d0783fde22fde027a31ea6079aa9b977  landing/netops/user_cell_sessions/2026-03-03.jsonl.gz
241c630eebac71b7a9f77006fdffaade  landing/ticketing/surveys/2026-03-03.csv
535ed59cf425dfccf96576d2d6d01f77  landing/ticketing/ticket_events/2026-03-02.csv.gz
7d13eaa037113ddb6b64fe29b10730b4  landing/ticketing/ticket_events/2026-03-03.jsonl.gz
094a6919620cba87569cf47c587bd9ba  landing/ticketing/tickets/2026-03-02.parquet
7317dbc82cdd4bcfbea942398c12e030  landing/ticketing/tickets/2026-03-03.csv.gz
11e84bb87d99939a322eddd341ee3a77  truth/bad_rows.csv
36722ea2c7ed398a959adf85a6624aed  truth/expected_findings.csv
d6c6479efe65c465a4df995e5f30a99b  truth/meta.json
aee3464dad16e63a332b63c5e80cbd3c  truth/scenarios.csv
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
