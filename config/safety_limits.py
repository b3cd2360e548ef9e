"""The numbers the policy pack's mandatory rules enforce, in the one place the settings use too.

A stack the settings accept is then one the pack accepts: `backup.retentionDays: 3` is refused at
the key, not after a plan by `backups-retained`.
"""

from __future__ import annotations

# Backups are kept at least a week: long enough to notice a bad job or a deletion over a weekend
# (policy `backups-retained`, default of its `minDays`).
MIN_BACKUP_RETENTION_DAYS = 7
# The vendor rotates database passwords every 30 days (001_ec271c3ff40761d0.txt 4.8.2, 4.16.3)
# (policy `secret-rotation`, default of its `maxDays`).
MAX_ROTATION_DAYS = 30
