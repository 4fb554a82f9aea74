"""The default delivery (one file per entity and business day) is byte for byte what the
simulator wrote before `--delivery-minutes` existed.

The digests below were taken from the code before the option was added (first 128 bits of each
file's SHA-256; `meta.json` without its two path keys, as sorted JSON). They also depend on the
DuckDB and pyarrow versions of `uv.lock` (Parquet records its writer); after an upgrade re-pin
them from a checkout of the simulator as it was, never from the code under test. Re-pinned once
since, each time the simulated world changed on purpose (2026-12-01: the R1 scenarios, audit-rules
§11, shift the planting cycle and add R1 to the truth; then the O1/O2 step scenarios, §10,
every planted T1 timeout pausing once, and the policy plants of §8/§9 with their variant).
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
d5828a53106df10b48a68f4d613c77c8  landing/crm/contacts/2026-03-02-1.jsonl
26aa1663e0f4e6dc7ad95ce5c4a61e14  landing/crm/contacts/2026-03-02-2.parquet
9e42f1e9f337bc5e250bee603b82b6d1  landing/crm/contacts/2026-03-03-1.parquet
ca1fd94133bb40c238a194cfa53b5b27  landing/crm/contacts/2026-03-03-2.csv.gz
614de513bd3812c7fef6a942778b2fc4  landing/crm/customers/2026-03-02.csv
0091446fc986b138f453f77e3ccbc3dc  landing/crm/customers/2026-03-03.jsonl
bdc792a0173cac7db6b38e56e3da043c  landing/netops/alarms/2026-03-02.parquet
d9758a1c21a219389d6bdc1d826bf132  landing/netops/alarms/2026-03-03.csv.gz
3d8095c41deceae5445b4e915ac708ee  landing/netops/cell_kpi_hourly/2026-03-02.jsonl
d547030608a8cfe819a41cdd9fe8e5ca  landing/netops/cell_kpi_hourly/2026-03-03.parquet
6cad58b4b59a481d00ab7e86e5a1a1c4  landing/netops/cells/2026-03-02.csv
539a089b197c80b51e90f37f9ce000f2  landing/netops/user_cell_sessions/2026-03-02.csv.gz
5ead3c76f290cb036304ab4d3f0e94c3  landing/netops/user_cell_sessions/2026-03-03.jsonl.gz
d41174aa1af9ed1c87756079cc3c60a8  landing/ticketing/surveys/2026-03-03.csv
4957927ac6d0ed5bb5bf782348453fb7  landing/ticketing/ticket_events/2026-03-02.csv.gz
0395513d67daa2d20037669c9b615440  landing/ticketing/ticket_events/2026-03-03.jsonl.gz
ba30120788511a19efd893b5ff16ae56  landing/ticketing/tickets/2026-03-02.parquet
16ab9c59a8aeaf795ba7a912573a1aef  landing/ticketing/tickets/2026-03-03.csv.gz
45e2acac7edd7a06766f6b3c57e735ef  truth/bad_rows.csv
d691404f39ced78e521e389e13f30962  truth/expected_findings.csv
4c4bc325111a6558290c03af4081be8a  truth/meta.json
c15527791911ca7d7d39bad87427a6e0  truth/policy_variant/expected_findings.csv
5fc1d0075674d312440a67ef9ee273e4  truth/policy_variant/sla_policy.csv
df5acf4e433b169a77afd1a3471dd199  truth/scenarios.csv
"""
# a zone with daylight saving time, across its switch (2026-03-29 has 23 hours)
BERLIN = {"days": 2, "tickets_per_day": 40, "cells": 100, "seed": 11,
          "source_tz": "Europe/Berlin", "start": date(2026, 3, 28)}
BERLIN_SHA256 = """
489cf0dbb0f10ba457f2ef4b3fba7e5b  landing/crm/contacts/2026-03-28-1.jsonl
6290196be4588f12443d16b4f87de9d8  landing/crm/contacts/2026-03-28-2.parquet
e1774145e03f0b9222e25de841d3f8ed  landing/crm/contacts/2026-03-29-1.parquet
e6d2305968742acbdc572153d49870fc  landing/crm/contacts/2026-03-29-2.csv.gz
2686e27399b6b89b79b9ff9a06b1cc19  landing/crm/customers/2026-03-28.csv
93ef391902e71dcf2a68c7b6b1c3fa09  landing/netops/alarms/2026-03-28.parquet
5511275a9c6dc1f9cc7cc83f3112b0b9  landing/netops/alarms/2026-03-29.csv.gz
ad23c34e433159397b4761c0f22d7099  landing/netops/cell_kpi_hourly/2026-03-28.jsonl
526144f492020063662044111d72c984  landing/netops/cell_kpi_hourly/2026-03-29.parquet
535367bd612c355e80287b9d109e1059  landing/netops/cells/2026-03-28.csv
093ac5e5167aa2b49be701ac75a549de  landing/netops/user_cell_sessions/2026-03-28.csv.gz
ed4dc6d7ec7e257192b4d6490aac9971  landing/netops/user_cell_sessions/2026-03-29.jsonl.gz
0f9dcf49724df2201e7744479dd3608c  landing/ticketing/surveys/2026-03-28.jsonl.gz
584b2e10e99631e855fbfb5706f9a3f6  landing/ticketing/surveys/2026-03-29.csv
ae667fd64ab48af1f5165b2dd5f4c9cd  landing/ticketing/ticket_events/2026-03-28.csv.gz
0e28ab594b4b310489d0bbb7802c97b2  landing/ticketing/ticket_events/2026-03-29.jsonl.gz
7891b2860016125553997ec333fae039  landing/ticketing/tickets/2026-03-28.parquet
ddf057f771338b5407e57be167722372  landing/ticketing/tickets/2026-03-29.csv.gz
9da7892867f5b339223c9c0917408018  truth/bad_rows.csv
577df1943fd439ee3fa8f241cac11f2f  truth/expected_findings.csv
06c993d046d3fcb97e9731b1dfba8ec5  truth/meta.json
9691ad805992a9344606a010dc1a9a8d  truth/scenarios.csv
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
