"""A deployment looks its AWS account up once and takes its partition from its region (components/aws/account.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from tdce.mock_cloud import OfflineCloud
from tests.support import plan_variant

# The invoke tokens of pulumi_aws.get_caller_identity and get_partition (pulumi_aws/get_caller_identity.py,
# get_partition.py), written out here rather than taken from the module the program uses.
CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
PARTITION = "aws:index/getPartition:getPartition"


@pytest.fixture
def invokes(monkeypatch) -> Counter:
    asked: Counter = Counter()
    answer = OfflineCloud.call

    def counted(cloud, args):
        asked[args.token] += 1
        return answer(cloud, args)

    monkeypatch.setattr(OfflineCloud, "call", counted)
    return asked


def test_every_part_that_names_the_account_shares_one_lookup(invokes):
    # Each of these names the account: the flow-log role's trust, the worker secrets' ARNs, the
    # dashboard's policies, and with Aurora the application user's function role.
    plan_variant("aws-aurora", {"network.flowLogs": True, "workerSecrets": ["tdce/license-key"]})
    assert invokes[CALLER_IDENTITY] == 1
    assert invokes[PARTITION] == 0
