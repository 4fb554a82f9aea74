"""Ingestion assets of the `crm` source system: one per entity of the data contract, keyed
`["crm", <entity>]` like dagster-dbt's keys for `source('crm', <entity>)`."""

from __future__ import annotations

from orchestration.assets.ingestion import build_source_assets

ASSETS = build_source_assets("crm")
