"""Suite-wide hooks."""

import pytest

from tdce.collector import collect_rarely, skip_the_exit_collections

# The moto fixtures' module is a plugin of the ops tests (`pytest_plugins`) and imported by them as
# well; named here, before any test module imports it, its asserts are rewritten like a test's.
pytest.register_assert_rewrite("tests.ops_support")


def pytest_configure(config):
    # A worker holds both provider SDKs, moto, boto3 and Google's libraries, and every program run
    # adds thousands of objects that outlive a test (cached plans, resource records); with CPython's
    # default thresholds (700, 10, 10) the collector walked all of it again and again, 6 to 9 s of
    # each worker's run (measured with gc.callbacks). With the thresholds `tdce` uses
    # (tdce/collector.py) about 1 s is left, for a few hundred MiB more per worker (README, Development).
    collect_rarely()


def pytest_unconfigure(config):
    # At exit CPython's last full collections walk all of the above, seconds per worker. Frozen,
    # they skip it (the `tdce` command exits the same way, tdce.cli.run).
    skip_the_exit_collections()
