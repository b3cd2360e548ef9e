"""Suite-wide hooks."""

import gc


def pytest_unconfigure(config):
    # Each worker ends holding both provider SDKs, moto, boto3 and Google's libraries; at exit
    # CPython's last full collections walk all of it, seconds per worker. Frozen, they skip it
    # (the `tdce` command exits the same way, tdce.cli.run).
    gc.freeze()
