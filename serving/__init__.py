"""The publisher: builds the serving store (listing tables and trace documents) from the
warehouse at the end of a run and switches the API to it (`layout.py` is what the two share).
Imports DuckDB and SQLite only, never FastAPI or Dagster: the serving asset, the benchmarks and
the tests call it directly."""
