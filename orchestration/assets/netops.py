"""Ingestion assets of the `netops` source system: one per entity of the data contract, keyed
`["netops", <entity>]` like dagster-dbt's keys for `source('netops', <entity>)`."""

from __future__ import annotations

from orchestration.assets.ingestion import build_source_assets

ASSETS = build_source_assets("netops")
