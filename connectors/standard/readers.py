"""Which reader reads a standard feed's file (each returns its rows typed, its quarantined
records and how many records it read)."""

from __future__ import annotations

from complaint_trace.contract import Entity
from connectors.columns import FileRejected
from connectors.files import LandingFile
from connectors.standard.feeds import PM_XML
from connectors.standard.pm_xml import PmRead, read_pm_file

FeedRead = PmRead  # the shape every feed reader returns


def read_feed_file(entity: Entity, file: LandingFile) -> FeedRead:
    """Read `file` of the standard feed `entity`; `FileRejected` when it is unusable whole."""
    if entity == PM_XML:
        if file.format != "xml":
            raise FileRejected(f"{file.rel}: not a PM file (.xml or .xml.gz)")
        return read_pm_file(file.path, file.rel)
    raise FileRejected(f"{file.rel}: no reader for {entity.path}")
