"""Suite-wide hooks."""

import gc


def pytest_configure(config):
    # A worker holds both provider SDKs, moto, boto3 and Google's libraries, and every program run
    # adds thousands of objects that outlive a test (cached plans, resource records); with CPython's
    # default thresholds (700, 10, 10) the collector walked all of it again and again, 6 to 9 s of
    # each worker's run (measured with gc.callbacks). Collecting the youngest generation every
    # 100 000 allocations instead of every 700 leaves about 1 s, for a few hundred MiB more per
    # worker (README, Development).
    gc.set_threshold(100_000, 20, 100)


def pytest_unconfigure(config):
    # At exit CPython's last full collections walk all of the above, seconds per worker. Frozen,
    # they skip it (the `tdce` command exits the same way, tdce.cli.run).
    gc.freeze()
