"""Which Cloud SQL edition a tier runs, and how far back point-in-time recovery reaches.

Cloud SQL's documents: the db-perf-optimized-N tiers are Enterprise Plus ("Cloud SQL editions");
transaction logs are kept at most 7 days on Enterprise and 35 on Enterprise Plus ("About
point-in-time recovery").
"""

from __future__ import annotations

import pytest

from config.database import CloudSqlSettings


@pytest.mark.parametrize(
    ("tier", "retention", "edition", "log_days"),
    [
        ("db-custom-2-7680", 7, "ENTERPRISE", 7),
        ("db-custom-2-7680", 30, "ENTERPRISE", 7),
        ("db-f1-micro", 14, "ENTERPRISE", 7),
        ("db-perf-optimized-N-2", 7, "ENTERPRISE_PLUS", 7),
        ("db-perf-optimized-N-2", 30, "ENTERPRISE_PLUS", 30),
        ("db-perf-optimized-N-8", 90, "ENTERPRISE_PLUS", 35),
    ],
)
def test_the_tier_decides_the_edition_and_the_edition_caps_the_log_days(tier, retention, edition, log_days):
    settings = CloudSqlSettings.model_validate({"tier": tier, "backupRetentionDays": retention})
    assert (settings.edition, settings.transaction_log_retention_days) == (edition, log_days)
