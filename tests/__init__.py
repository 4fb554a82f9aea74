"""The test suite: a package, so `tests/` is not put on `sys.path` and its `dbt` folder does not
shadow the dbt package."""
