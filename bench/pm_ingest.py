"""3GPP PM XML ingest speed (issue #15): synthetic measCollecFiles of the day-scale network
(`--cells` cells, ~20 counters each, one file per quarter-hour and group of managed elements,
three cells to an element), loaded by the real loader into a fresh warehouse in a child
process; MB/s of uncompressed XML, counters/s and the peak RSS of the load (its worker
processes included), at two file sizes so a memory that grows with the file shows.

`python -m bench.pm_ingest [--cells N] [--quarters Q]`; `make bench` runs it at day scale on
four quarters (the rate is what is measured; a day is 96 quarters of the same files).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from connectors.standard.pm_xml import MEAS_COLLEC

COUNTERS = ("RRC.ConnEstabSucc", "RRC.ConnEstabAtt", "RRU.PrbUsedDl", "RRU.PrbAvailDl",
            "DRB.UEThpDl", "DRB.RelActNbr", "DRB.EstabSucc", "L1M.SS-RSRP.Good",
            "L1M.SS-RSRP.Samples", "DRB.PdcpSduVolumeDL", "DRB.MeanActiveUeDl",
            "RRU.PrbUsedUl", "RRU.PrbAvailUl", "DRB.UEThpUl", "DRB.PdcpSduVolumeUL",
            "RRC.ConnMean", "RRC.ConnMax", "MM.HoExeInterReq", "MM.HoExeInterSucc",
            "DRB.AirIfDelayDl")
CELLS_PER_ELEMENT = 3
# quarter-hours loaded per figure: enough that the pool's start-up (~1 s) is not the rate
STEADY_QUARTERS = 4
START = datetime(2026, 3, 2)


def write_quarter(path: Path, first_element: int, elements: int, end: datetime,
                  rng: random.Random) -> int:
    """One measCollecFile: `elements` managed elements of three NR cells; its size."""
    types = "".join(f'<measType p="{p}">{c}</measType>\n' for p, c in enumerate(COUNTERS, 1))
    stamp = end.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<measCollecFile xmlns="{MEAS_COLLEC}">\n'
             f'<fileHeader fileFormatVersion="32.435 V10.0" vendorName="ACME" '
             f'dnPrefix="SubNetwork=1"><fileSender localDn="OSS"/>'
             f'<measCollec beginTime="{stamp}"/></fileHeader>\n']
    for element in range(first_element, first_element + elements):
        parts.append(f'<measData><managedElement localDn="G{element}"/>\n<measInfo '
                     f'measInfoId="NRCellDU"><job jobId="1"/><granPeriod duration="PT900S" '
                     f'endTime="{stamp}"/>\n{types}')
        for cell in range(CELLS_PER_ELEMENT):
            values = "".join(f'  <r p="{p}">{rng.randrange(100_000)}</r>\n'
                             for p in range(1, len(COUNTERS) + 1))
            parts.append(f'<measValue measObjLdn="ManagedElement=G{element},GNBDUFunction=1,'
                         f'NRCellDU=C{element * CELLS_PER_ELEMENT + cell}">\n{values}'
                         f'</measValue>\n')
        parts.append("</measInfo></measData>\n")
    parts.append("</measCollecFile>\n")
    text = "".join(parts).encode()
    path.write_bytes(text)
    return len(text)


def write_landing(landing: Path, cells: int, quarters: int, cells_per_file: int) -> int:
    """The PM files of `quarters` quarter-hours of `cells` cells; their total size."""
    folder = landing / "netops" / "pm_xml"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(1)
    elements, per_file = cells // CELLS_PER_ELEMENT, cells_per_file // CELLS_PER_ELEMENT
    size = 0
    for q in range(quarters):
        end = START + timedelta(minutes=15 * (q + 1))
        for first in range(0, elements, per_file):
            name = f"A{end:%Y%m%d.%H%M}_{first:06d}.xml"
            size += write_quarter(folder / name, first, min(per_file, elements - first), end,
                                  rng)
    return size


def _load(landing: Path, warehouse: Path) -> None:
    """The child process: one load of the landing's PM files."""
    import duckdb

    from connectors import load_entity
    from connectors.standard.feeds import PM_XML

    start = time.perf_counter()  # the interpreter is up and the modules imported
    with duckdb.connect(str(warehouse)) as con:
        report = load_entity(con, landing, PM_XML, "UTC", "bench")
    print(json.dumps({"rows": report.rows_loaded, "failed": len(report.failed),
                      "seconds": time.perf_counter() - start}))


def measure(cells: int, quarters: int, cells_per_file: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "w.duckdb"
        size = write_landing(landing, cells, quarters, cells_per_file)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "bench.pm_ingest", "--load", str(landing),
                               str(warehouse)], capture_output=True, text=True, check=True)
        process_seconds = time.perf_counter() - start
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        loaded = json.loads(proc.stdout.strip().splitlines()[-1])
        files = len(list((landing / "netops" / "pm_xml").iterdir()))
        shutil.rmtree(landing)
    return {"cells": cells, "quarters": quarters, "cells_per_file": cells_per_file,
            "files": files, "xml_mb": round(size / 1e6, 1),
            # the load, from connecting to the warehouse to the last commit (worker processes'
            # start included); the child's own start-up and imports, a Dagster step's once
            # per run, are in process_seconds
            "seconds": round(loaded["seconds"], 2), "process_seconds": round(process_seconds, 2),
            "mb_per_s": round(size / 1e6 / loaded["seconds"], 1),
            "counters_per_s": round(loaded["rows"] / loaded["seconds"]), "counters": loaded["rows"],
            "failed_files": loaded["failed"], "peak_rss_mb_so_far": round(rss_mb, 1)}


def run(cells: int, quarters: int) -> list[dict]:
    """Smaller files first: the children's peak RSS only grows, so the second figure is the
    larger files' peak."""
    return [measure(cells, quarters, per_file) for per_file in (1_500, 12_000)]


def main() -> None:
    if sys.argv[1:2] == ["--load"]:
        _load(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--quarters", type=int, default=STEADY_QUARTERS)
    args = parser.parse_args()
    print(json.dumps(run(args.cells, args.quarters), indent=2))


if __name__ == "__main__":
    main()
