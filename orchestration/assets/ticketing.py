"""Ingestion assets of the `ticketing` source system: one per entity of the data contract, keyed
`["ticketing", <entity>]` like dagster-dbt's keys for `source('ticketing', <entity>)`."""

from __future__ import annotations

from orchestration.assets.ingestion import build_source_assets

ASSETS = build_source_assets("ticketing")
