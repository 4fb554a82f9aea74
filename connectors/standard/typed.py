"""Which reader reads a typed feed's file (one with its own raw table, `feeds.TYPED_FEEDS`):
it spools the rows typed to a file and returns it with its quarantined records and how many it
read. Imported by the prefetch workers, so it imports only the readers."""

from __future__ import annotations

from pathlib import Path

from complaint_trace.contract import Entity
from connectors.columns import FileRejected
from connectors.files import LandingFile
from connectors.standard.feeds import PM_XML
from connectors.standard.pm_rows import PmRead
from connectors.standard.pm_xml import read_pm_file

FeedRead = PmRead  # the shape every typed feed's reader returns


def read_feed_file(entity: Entity, file: LandingFile, spool_dir: Path) -> FeedRead:
    """Read `file` of the typed feed `entity`, its rows spooled to a file in `spool_dir`;
    `FileRejected` when it is unusable whole."""
    if entity == PM_XML:
        if file.format != "xml":
            raise FileRejected(f"{file.rel}: not a PM file (.xml or .xml.gz)")
        return read_pm_file(file.path, file.rel, spool_dir)
    raise FileRejected(f"{file.rel}: no reader for {entity.path}")
