"""Each cloud limit and real identifier the settings enforce: a value the cloud refuses fails at its key, its neighbour passes.

The expected limits are written here as literals from the AWS and GCP pages the models cite.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from config import compute_types, instance_types, locations, machine_types
from config.errors import ConfigError
from config.loader import settings_from_config
from config.settings import Settings
from policies import data as data_policies
from tdce.mock_cloud.aws import DEBIAN_12_ARM64_IMAGE_ID, DEBIAN_12_IMAGE_ID
from tdce.mock_cloud.gcp import DEBIAN_12_ARM64_IMAGE, DEBIAN_12_IMAGE
from tests.policy_harness import check_resource
from tests.support import frozen_at, of_type, only, plan_variant, stack_values, with_setting

SG = "sg-0123456789abcdef{}"
ACCOUNT = "123456789012"


def values_with(stack: str, changes: dict) -> tuple[dict[str, str], frozenset[str]]:
    values, secrets = stack_values(stack)
    for path, value in changes.items():
        values = with_setting(values, path, value)
    return values, secrets


def problems(stack: str, changes: dict) -> list[str]:
    values, secrets = values_with(stack, changes)
    try:
        settings_from_config(values, secrets)
    except ConfigError as error:
        return [str(problem) for problem in error.problems]
    return []


def accepted(stack: str, changes: dict) -> Settings:
    values, secrets = values_with(stack, changes)
    return settings_from_config(values, secrets)


def assert_refused(stack: str, changes: dict, key: str, *fragments: str) -> None:
    found = problems(stack, changes)
    at_key = [p for p in found if p.startswith(f"{key}: ")]
    assert at_key, f"no problem at {key}: {found}"
    assert any(all(fragment in p for fragment in fragments) for p in at_key), at_key


# (stack, refused change, key, message fragments, accepted change): the same setting either side of the limit.
RULES = {
    # Regions and zones: the dated list in config/cloud_locations.json.
    "aws region typo": (
        "aws-prod",
        {"region": "eu-west-9", "zones": ["eu-west-9a", "eu-west-9b"]},
        "tdce:region",
        ("an AWS region", "did you mean"),
        {"region": "eu-north-1", "zones": ["eu-north-1a", "eu-north-1b"]},
    ),
    "aws region with a non-ASCII digit": (
        "aws-dev",
        {"region": "us-east-١"},
        "tdce:region",
        ("an AWS region",),
        {"region": "us-east-2"},
    ),
    "gcp region typo": ("gcp-prod", {"region": "europe-north9"}, "tdce:region", ("a GCP region",), {"region": "europe-west4"}),
    "gcp region with a non-ASCII digit": (
        "gcp-prod",
        {"region": "europe-north١"},
        "tdce:region",
        ("a GCP region",),
        {"region": "europe-north2"},
    ),
    "aws zone twice": (
        "aws-prod",
        {"zones": ["eu-west-1a", "eu-west-1a"]},
        "tdce:zones[1]",
        ("listed twice",),
        {"zones": ["eu-west-1a", "eu-west-1c"]},
    ),
    "gcp zone twice": (
        "gcp-restore",
        {"zones": ["europe-north1-b", "europe-north1-b"]},
        "tdce:zones[1]",
        ("listed twice",),
        {"zones": ["europe-north1-b", "europe-north1-c"]},
    ),
    "aws zone of the wrong shape": (
        "aws-prod",
        {"zones": ["eu-west-1a", "eu-west-1-b"]},
        "tdce:zones[1]",
        ("such as 'eu-west-1a'",),
        {"zones": ["eu-west-1a", "eu-west-1b"]},
    ),
    "gcp zone of the wrong shape": (
        "gcp-restore",
        {"zones": ["europe-north1b"]},
        "tdce:zones[0]",
        ("such as 'europe-north1-a'",),
        {"zones": ["europe-north1-a"]},
    ),
    # eu-west-1 has a, b, c; us-east-1 has a to f ("AWS Availability Zones").
    "aws zone not in the region": (
        "aws-dev",
        {"zones": ["us-east-1a", "us-east-1g"]},
        "tdce:zones[1]",
        ("is not a zone of us-east-1",),
        {"zones": ["us-east-1a", "us-east-1f"]},
    ),
    # europe-west1 has b, c, d ("Regions and zones").
    "gcp zone not in the region": (
        "gcp-restore",
        {"region": "europe-west1", "zones": ["europe-west1-a"]},
        "tdce:zones[0]",
        ("is not a zone of europe-west1", "europe-west1-b, europe-west1-c, europe-west1-d"),
        {"region": "europe-west1", "zones": ["europe-west1-d"]},
    ),
    # Network: VPC /16 to /28 and subnets /16 to /28 on AWS (CreateVpc, CreateSubnet); subnets /8 to /29 on GCP.
    "aws vpc larger than /16": (
        "aws-dev",
        {"network.vpcCidr": "10.30.0.0/15"},
        "tdce:network.vpcCidr",
        ("/16 to /28",),
        {"network.vpcCidr": "10.30.0.0/16"},
    ),
    "aws vpc smaller than /28": (
        "aws-dev",
        {"network.vpcCidr": "10.30.0.0/29"},
        "tdce:network.vpcCidr",
        ("/16 to /28",),
        {"network.vpcCidr": "10.30.0.0/27", "network.subnetPrefixLength": 28},
    ),
    "aws vpc /32, which crashed after registering resources": (
        "aws-prod",
        {"network.vpcCidr": "10.20.0.0/32", "network.subnetCidrs": []},
        "tdce:network.vpcCidr",
        ("/16 to /28",),
        {"network.vpcCidr": "10.20.0.0/27", "network.subnetCidrs": [], "network.subnetPrefixLength": 28},
    ),
    "gcp vpc /32": (
        "gcp-restore",
        {"network.vpcCidr": "10.41.0.0/32"},
        "tdce:network.vpcCidr",
        ("/8 to /29",),
        {"network.vpcCidr": "10.41.0.0/28"},
    ),
    "aws subnet smaller than /28": (
        "aws-prod",
        {"network.subnetCidrs": ["10.20.0.0/24", "10.20.1.0/29"]},
        "tdce:network.subnetCidrs[1]",
        ("/16 to /28",),
        {"network.subnetCidrs": ["10.20.0.0/24", "10.20.1.0/28"]},
    ),
    "gcp subnet smaller than /29": (
        "gcp-prod",
        {"network.subnetCidrs": ["10.40.0.0/30"]},
        "tdce:network.subnetCidrs[0]",
        ("/8 to /29",),
        {"network.subnetCidrs": ["10.40.0.0/29"]},
    ),
    "aws vpc too small for a subnet per zone": (
        "aws-prod",
        {
            "zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            "network.subnetCidrs": [],
            "network.vpcCidr": "10.20.0.0/24",
            "network.subnetPrefixLength": 25,
        },
        "tdce:network.subnetPrefixLength",
        ("holds 2 subnet(s) of /25", "3 zones"),
        {
            "zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            "network.subnetCidrs": [],
            "network.vpcCidr": "10.20.0.0/24",
            "network.subnetPrefixLength": 26,
        },
    ),
    "gcp vpc over a range Google reserves": (
        "gcp-restore",
        {"network.vpcCidr": "169.254.0.0/16"},
        "tdce:network.vpcCidr",
        ("169.254.0.0/16", "link-local"),
        {"network.vpcCidr": "172.16.0.0/16"},
    ),
    "gcp vpc over the Private Google Access addresses": (
        "gcp-restore",
        {"network.vpcCidr": "199.36.152.0/22"},
        "tdce:network.vpcCidr",
        ("199.36.153.4/30",),
        {"network.vpcCidr": "199.36.148.0/22"},
    ),
    # Instance and machine types, by cloud.
    "gcp type on aws": (
        "aws-prod",
        {"server.instanceType": "n2-standard-4"},
        "tdce:server.instanceType",
        ("is a GCP machine type", "on aws"),
        {"server.instanceType": "m5.xlarge"},
    ),
    "aws type on gcp": (
        "gcp-prod",
        {"workers[0].instanceType": "c5.4xlarge"},
        "tdce:workers[0].instanceType",
        ("is an EC2 instance type", "on gcp"),
        {"workers[0].instanceType": "c2-standard-16"},
    ),
    "no EC2 type at all": (
        "aws-prod",
        {"workers[1].instanceType": "c5.9xlarg"},
        "tdce:workers[1].instanceType",
        ("EC2 instance type", "did you mean 'c5.9xlarge'"),
        {"workers[1].instanceType": "c7gn.16xlarge"},
    ),
    "no Compute Engine type at all": (
        "gcp-prod",
        {"server.instanceType": "n2-standard-6"},
        "tdce:server.instanceType",
        ("Compute Engine machine type",),
        {"server.instanceType": "n2-standard-48"},
    ),
    "mac instances": (
        "aws-dev",
        {"workers[0].instanceType": "mac2.metal"},
        "tdce:workers[0].instanceType",
        ("Mac instance",),
        {"workers[0].instanceType": "m7i-flex.large"},
    ),
    "windows on graviton": (
        "aws-prod",
        {"workers[0].os": "windows", "workers[0].instanceType": "c7g.4xlarge"},
        "tdce:workers[0].instanceType",
        ("os windows", "arm64"),
        {"workers[0].os": "windows", "workers[0].instanceType": "c7i.4xlarge"},
    ),
    "windows on a gcp arm series": (
        "gcp-restore",
        {"workers[1].instanceType": "t2a-standard-8"},
        "tdce:workers[1].instanceType",
        ("os windows", "Arm"),
        {"workers[1].instanceType": "c3-standard-8"},
    ),
    # C4, C4A, C4D and N4 attach Hyperdisk only; this stack's disks are pd-* (nextflow-io/nextflow#6614).
    "a gcp pool on a hyperdisk-only series": (
        "gcp-prod",
        {"workers[0].instanceType": "c4-standard-16"},
        "tdce:workers[0].instanceType",
        ("C4 machine", "Hyperdisk only"),
        {"workers[0].instanceType": "c3-standard-22"},
    ),
    "a gcp server on a hyperdisk-only series": (
        "gcp-prod",
        {"server.instanceType": "n4-standard-8"},
        "tdce:server.instanceType",
        ("N4 machine", "Hyperdisk only"),
        {"server.instanceType": "n2-standard-8"},
    ),
    # The server needs 4 vCPUs (the vendor's m5.xlarge), custom types included.
    "gcp custom server type below 4 vCPUs": (
        "gcp-prod",
        {"server.instanceType": "n2-custom-2-8192"},
        "tdce:server.instanceType",
        ("at least 4 vCPUs", "2 vCPUs"),
        {"server.instanceType": "n2-custom-4-16384"},
    ),
    "gcp n1 custom server type below 4 vCPUs": (
        "gcp-prod",
        {"server.instanceType": "custom-2-7680"},
        "tdce:server.instanceType",
        ("at least 4 vCPUs",),
        {"server.instanceType": "custom-4-15360"},
    ),
    "gcp shared-core server": (
        "gcp-prod",
        {"server.instanceType": "e2-custom-medium-4096"},
        "tdce:server.instanceType",
        ("shared-core",),
        {"server.instanceType": "e2-custom-4-8192"},
    ),
    # N2 custom: 0.5 to 8 GB per vCPU, more with -ext up to 624 GB; E2 has no -ext.
    "gcp custom memory beyond the per-vCPU maximum": (
        "gcp-prod",
        {"workers[0].instanceType": "n2-custom-4-33024"},
        "tdce:workers[0].instanceType",
        ("2048 to 32768 MB", "-ext"),
        {"workers[0].instanceType": "n2-custom-4-33024-ext"},
    ),
    "gcp custom vCPU count the series lacks": (
        "gcp-prod",
        {"workers[0].instanceType": "n2d-custom-6-12288"},
        "tdce:workers[0].instanceType",
        ("2, 4, 8, 16-96 (step 16) vCPUs",),
        {"workers[0].instanceType": "n2d-custom-8-12288"},
    ),
    # Disks: gp2 1-16,384 GiB, gp3 1-65,536 GiB (CreateVolume); Persistent Disk 10 GB to 64 TiB.
    "gp2 data disk beyond 16,384 GiB": (
        "aws-prod",
        {"server.dataDisk": {"sizeGb": 16385, "type": "gp2"}},
        "tdce:server.dataDisk.sizeGb",
        ("1 to 16384 GB for a gp2 disk",),
        {"server.dataDisk": {"sizeGb": 16384, "type": "gp2"}},
    ),
    "gp3 worker disk beyond 65,536 GiB": (
        "aws-prod",
        {"workers[0].disk": {"sizeGb": 65537, "type": "gp3"}},
        "tdce:workers[0].disk.sizeGb",
        ("1 to 65536 GB for a gp3 disk",),
        {"workers[0].disk": {"sizeGb": 65536, "type": "gp3"}},
    ),
    "pd-ssd data disk below 10 GB": (
        "gcp-prod",
        {"server.dataDisk.sizeGb": 9},
        "tdce:server.dataDisk.sizeGb",
        ("10 to 65536 GB for a pd-ssd disk",),
        {"server.dataDisk.sizeGb": 10},
    ),
    "pd-balanced worker disk beyond 64 TiB": (
        "gcp-prod",
        {"workers[0].disk": {"sizeGb": 65537, "type": "pd-balanced"}},
        "tdce:workers[0].disk.sizeGb",
        ("10 to 65536 GB for a pd-balanced disk",),
        {"workers[0].disk": {"sizeGb": 65536, "type": "pd-balanced"}},
    ),
    "pd-standard worker disk below 10 GB": (
        "gcp-restore",
        {"workers[0].disk": {"sizeGb": 9, "type": "pd-standard"}},
        "tdce:workers[0].disk.sizeGb",
        ("pd-standard",),
        {"workers[0].disk": {"sizeGb": 10, "type": "pd-standard"}},
    ),
    "aws root disk": (
        "aws-prod",
        {"server.rootDiskSizeGb": 9},
        "tdce:server.rootDiskSizeGb",
        ("≥ 10",),
        {"server.rootDiskSizeGb": 10},
    ),
    "gcp root disk": (
        "gcp-prod",
        {"server.rootDiskSizeGb": 1025},
        "tdce:server.rootDiskSizeGb",
        ("≤ 1024",),
        {"server.rootDiskSizeGb": 1024},
    ),
    # Workers: 5 security groups per network interface (Amazon VPC quotas), the worker group being one.
    "five extra security groups": (
        "aws-prod",
        {"workers[0].extraSecurityGroups": [SG.format(i) for i in range(5)]},
        "tdce:workers[0].extraSecurityGroups",
        ("at most 4", "5 security groups"),
        {"workers[0].extraSecurityGroups": [SG.format(i) for i in range(4)]},
    ),
    "the same extra security group twice": (
        "aws-prod",
        {"workers[0].extraSecurityGroups": [SG.format(1), SG.format(1)]},
        "tdce:workers[0].extraSecurityGroups",
        ("twice",),
        {"workers[0].extraSecurityGroups": [SG.format(1), SG.format(2)]},
    ),
    # A regional managed instance group holds at most 2,000 VMs (regionInstanceGroupManagers.insert).
    "gcp pool beyond a regional group": (
        "gcp-prod",
        {"workers[0].maxCount": 2001},
        "tdce:workers[0].maxCount",
        ("2000",),
        {"workers[0].maxCount": 2000},
    ),
    "aws pool beyond the project bound": (
        "aws-prod",
        {"workers[1].maxCount": 10001},
        "tdce:workers[1].maxCount",
        ("≤ 10000",),
        {"workers[1].maxCount": 10000},
    ),
    # Aurora: Serverless v2 majors 13-17 from 13.6, 14.3, 15.2, 16.1, 17.4; pausing from 13.15, 14.12, 15.7, 16.3, 17.4.
    "aurora version that is no version": (
        "aws-aurora",
        {"database.aurora.engineVersion": "16.x"},
        "tdce:database.aurora.engineVersion",
        ("aurora-postgresql version",),
        {"database.aurora.engineVersion": "16"},
    ),
    "aurora major serverless v2 lacks": (
        "aws-aurora",
        {"database.aurora.engineVersion": "12.9"},
        "tdce:database.aurora.engineVersion",
        ("13, 14, 15, 16, 17",),
        {"database.aurora.engineVersion": "13.6"},
    ),
    "aurora minor before serverless v2": (
        "aws-aurora",
        {"database.aurora.engineVersion": "16.0"},
        "tdce:database.aurora.engineVersion",
        ("16.1 or later",),
        {"database.aurora.engineVersion": "16.1"},
    ),
    "aurora pausing on a version that cannot": (
        "aws-aurora",
        {"database.aurora.engineVersion": "16.2", "database.aurora.minCapacity": 0},
        "tdce:database.aurora.minCapacity",
        ("cannot pause", "16.3"),
        {"database.aurora.engineVersion": "16.3", "database.aurora.minCapacity": 0},
    ),
    "aurora pausing on 13.14": (
        "aws-aurora",
        {"database.aurora.engineVersion": "13.14", "database.aurora.minCapacity": 0},
        "tdce:database.aurora.minCapacity",
        ("13.15",),
        {"database.aurora.engineVersion": "13.15", "database.aurora.minCapacity": 0},
    ),
    "aurora pausing on 15.6": (
        "aws-aurora",
        {"database.aurora.engineVersion": "15.6", "database.aurora.minCapacity": 0},
        "tdce:database.aurora.minCapacity",
        ("15.7",),
        # A major alone takes its newest minor, which pauses (tests/test_aws_database.py).
        {"database.aurora.engineVersion": "15", "database.aurora.minCapacity": 0},
    ),
    # Cloud SQL: PostgreSQL versions and tiers ("Instance settings").
    "cloud sql version that is not postgres": (
        "gcp-prod",
        {"database.cloudsql.databaseVersion": "MYSQL_8_0"},
        "tdce:database.cloudsql.databaseVersion",
        ("PostgreSQL version",),
        {"database.cloudsql.databaseVersion": "POSTGRES_17"},
    ),
    "cloud sql n1 tier, which postgres lacks": (
        "gcp-prod",
        {"database.cloudsql.tier": "db-n1-standard-2"},
        "tdce:database.cloudsql.tier",
        ("db-custom-CPUS-MEMORY_MB",),
        {"database.cloudsql.tier": "db-custom-2-7680"},
    ),
    "cloud sql custom tier with an odd vCPU count": (
        "gcp-prod",
        {"database.cloudsql.tier": "db-custom-3-7680"},
        "tdce:database.cloudsql.tier",
        ("1 or an even number",),
        {"database.cloudsql.tier": "db-custom-1-3840"},
    ),
    "cloud sql custom tier with too much memory": (
        "gcp-prod",
        {"database.cloudsql.tier": "db-custom-2-13568"},
        "tdce:database.cloudsql.tier",
        ("3840 to 13312 MB",),
        {"database.cloudsql.tier": "db-custom-2-13312"},
    ),
    "cloud sql custom tier below 3.75 GB": (
        "gcp-prod",
        {"database.cloudsql.tier": "db-custom-1-3584"},
        "tdce:database.cloudsql.tier",
        ("3840 to 6656 MB",),
        {"database.cloudsql.tier": "db-custom-1-6656"},
    ),
    "cloud sql enterprise plus tier size": (
        "gcp-prod",
        {"database.cloudsql.tier": "db-perf-optimized-N-6"},
        "tdce:database.cloudsql.tier",
        ("2, 4, 8, 16",),
        {"database.cloudsql.tier": "db-perf-optimized-N-8"},
    ),
    "cloud sql enterprise plus on postgres 11": (
        "gcp-prod",
        {"database.cloudsql.tier": "db-perf-optimized-N-8", "database.cloudsql.databaseVersion": "POSTGRES_11"},
        "tdce:database.cloudsql.databaseVersion",
        ("PostgreSQL 12 and later",),
        {"database.cloudsql.tier": "db-perf-optimized-N-8", "database.cloudsql.databaseVersion": "POSTGRES_12"},
    ),
    # Restore.
    "snapshot arn from another region": (
        "aws-restore",
        {"restore.databaseSnapshotIdentifier": f"arn:aws:rds:eu-west-1:{ACCOUNT}:cluster-snapshot:tdce-aurora-2026-11-01"},
        "tdce:restore.databaseSnapshotIdentifier",
        ("aws:eu-central-1", "aws:eu-west-1"),
        {"restore.databaseSnapshotIdentifier": f"arn:aws:rds:eu-central-1:{ACCOUNT}:cluster-snapshot:tdce-aurora-2026-11-01"},
    ),
    "snapshot arn from another partition": (
        "aws-restore",
        {"restore.databaseSnapshotIdentifier": f"arn:aws-cn:rds:eu-central-1:{ACCOUNT}:cluster-snapshot:tdce-aurora"},
        "tdce:restore.databaseSnapshotIdentifier",
        ("aws-cn:eu-central-1",),
        {"restore.databaseSnapshotIdentifier": f"arn:aws:rds:eu-central-1:{ACCOUNT}:cluster-snapshot:tdce-aurora"},
    ),
    "source instance in project:instance form": (
        "gcp-restore",
        {"restore.cloudsqlSourceInstance": "tdce-prod-example:tdce-db-0a1b2c3"},
        "tdce:restore.cloudsqlSourceInstance",
        ("instance ID alone",),
        {"restore.cloudsqlSourceInstance": "tdce-db-0a1b2c3"},
    ),
    "source instance name Cloud SQL refuses": (
        "gcp-restore",
        {"restore.cloudsqlSourceInstance": "Tdce_DB"},
        "tdce:restore.cloudsqlSourceInstance",
        ("Cloud SQL instance ID",),
        {"restore.cloudsqlSourceInstance": "tdce-db"},
    ),
    # "tdce-prod-example" (17) + ":" + 81 = 99 characters, one over the 98 Cloud SQL allows.
    "source instance name too long with its project": (
        "gcp-restore",
        {"restore.cloudsqlSourceInstance": "a" * 81},
        "tdce:restore.cloudsqlSourceInstance",
        ("98 characters",),
        {"restore.cloudsqlSourceInstance": "a" * 80},
    ),
    "point in time without an offset": (
        "gcp-restore",
        {"restore.cloudsqlPointInTime": "2026-11-01T03:00:00"},
        "tdce:restore.cloudsqlPointInTime",
        ("offset from UTC",),
        {"restore.cloudsqlPointInTime": "2026-11-01T03:00:00+02:00"},
    ),
    # Backup.
    "copy region that is not a region": (
        "aws-aurora",
        {"backup.copyToRegion": "eu-wset-1"},
        "tdce:backup.copyToRegion",
        ("AWS region", "did you mean 'eu-west-1'"),
        {"backup.copyToRegion": "eu-west-1"},
    ),
    "copy region that is the stack's own": (
        "aws-aurora",
        {"backup.copyToRegion": "eu-central-1"},
        "tdce:backup.copyToRegion",
        ("another region",),
        {"backup.copyToRegion": "eu-central-2"},
    ),
    "copy region in another partition": (
        "aws-aurora",
        {"backup.copyToRegion": "cn-north-1"},
        "tdce:backup.copyToRegion",
        ("partition aws",),
        {"backup.copyToRegion": "us-east-1"},
    ),
    "backup time in non-ASCII digits": (
        "aws-prod",
        {"backup.dailyAtUtc": "٠٢:٣٠"},
        "tdce:backup.dailyAtUtc",
        ("HH:MM",),
        {"backup.dailyAtUtc": "02:30"},
    ),
    # Tags and labels.
    "aws tag key with a character AWS refuses": (
        "aws-prod",
        {"tags": {"cost#center": "research"}},
        "tdce:tags.cost#center",
        ("letters, digits, spaces",),
        {"tags": {"cost center": "research/hpc=1"}},
    ),
    "aws tag value with a character AWS refuses": (
        "aws-prod",
        {"workers[0].tags": {"cost-center": "research*"}},
        "tdce:workers[0].tags.cost-center",
        ("tag values take",),
        {"workers[0].tags": {"cost-center": "research+hpc@2026"}},
    ),
    "aws tag value with the aws: prefix": (
        "aws-prod",
        {"tags": {"owner": "aws:me"}},
        "tdce:tags.owner",
        ("aws:",),
        {"tags": {"owner": "me:aws"}},
    ),
    "user tag over the project's stack tag": (
        "aws-prod",
        {"tags": {"tdce:stack": "other"}},
        "tdce:tags.tdce:stack",
        ("project's own",),
        {"tags": {"stack": "other"}},
    ),
    "pool tag over the project's pool tag": (
        "aws-prod",
        {"workers[0].tags": {"tdce:pool": "other"}},
        "tdce:workers[0].tags.tdce:pool",
        ("project's own",),
        {"workers[0].tags": {"pool": "other"}},
    ),
    "user label over the project's role label": (
        "gcp-prod",
        {"tags": {"tdce-role": "server"}},
        "tdce:tags.tdce-role",
        ("project's own",),
        {"tags": {"role": "server"}},
    ),
    # 50 tags per AWS resource; a pool's resources carry tdce:stack, tdce:role and tdce:pool too.
    "aws stack tags beyond 50 with the project's": (
        "aws-prod",
        {"tags": {f"key{i}": "v" for i in range(48)}, "workers[0].tags": {}},
        "tdce:tags",
        ("at most 47 tags", "would carry 51"),
        {"tags": {f"key{i}": "v" for i in range(47)}, "workers[0].tags": {}},
    ),
    "aws pool tags beyond 50 with the stack's and the project's": (
        "aws-prod",
        {"tags": {f"key{i}": "v" for i in range(40)}, "workers[0].tags": {f"pool{i}": "v" for i in range(8)}},
        "tdce:workers[0].tags",
        ("would carry 51",),
        {"tags": {f"key{i}": "v" for i in range(40)}, "workers[0].tags": {f"pool{i}": "v" for i in range(7)}},
    ),
    # 64 labels per GCP resource.
    "gcp labels beyond 64 with the project's": (
        "gcp-prod",
        {"tags": {f"key{i}": "v" for i in range(62)}},
        "tdce:tags",
        ("at most 61 labels", "would carry 65"),
        {"tags": {f"key{i}": "v" for i in range(61)}},
    ),
    # Access.
    "admin cidrs that cover the whole IPv4 internet together": (
        "aws-prod",
        {"access.adminCidrs": ["0.0.0.0/1", "128.0.0.0/1"]},
        "tdce:access.adminCidrs",
        ("whole internet together", "0.0.0.0/0"),
        {"access.adminCidrs": ["0.0.0.0/1", "128.0.0.0/2"]},
    ),
    "admin cidrs that cover the whole IPv6 internet together": (
        "gcp-prod",
        {"access.adminCidrs": ["::/1", "8000::/1"]},
        "tdce:access.adminCidrs",
        ("whole internet together", "::/0"),
        {"access.adminCidrs": ["::/1", "8000::/2"]},
    ),
    "user cidr listed twice": (
        "aws-prod",
        {"access.userCidrs": ["198.51.100.0/24", "203.0.113.0/24", "198.51.100.0/24"]},
        "tdce:access.userCidrs",
        ("198.51.100.0/24 twice", "items 0 and 2"),
        {"access.userCidrs": ["198.51.100.0/24", "203.0.113.0/24"]},
    ),
    "admin cidr listed twice in two spellings": (
        "gcp-prod",
        {"access.adminCidrs": ["2001:db8::/32", "2001:0db8:0::/32"]},
        "tdce:access.adminCidrs",
        ("2001:db8::/32 twice",),
        {"access.adminCidrs": ["2001:db8::/32", "2001:db9::/32"]},
    ),
    # The policy pack's numbers (config/safety_limits.py): 7 days of backups, rotation every 30 days.
    "backup retention the mandatory policy refuses (aws)": (
        "aws-prod",
        {"backup.retentionDays": 6},
        "tdce:backup.retentionDays",
        ("≥ 7",),
        {"backup.retentionDays": 7},
    ),
    "backup retention the mandatory policy refuses (gcp)": (
        "gcp-prod",
        {"backup.retentionDays": 3},
        "tdce:backup.retentionDays",
        ("≥ 7",),
        {"backup.retentionDays": 7},
    ),
    "aurora backup retention": (
        "aws-aurora",
        {"database.aurora.backupRetentionDays": 6},
        "tdce:database.aurora.backupRetentionDays",
        ("≥ 7",),
        {"database.aurora.backupRetentionDays": 7},
    ),
    "cloud sql backup retention": (
        "gcp-prod",
        {"database.cloudsql.backupRetentionDays": 6},
        "tdce:database.cloudsql.backupRetentionDays",
        ("≥ 7",),
        {"database.cloudsql.backupRetentionDays": 7},
    ),
    "aurora rotation": (
        "aws-aurora",
        {"database.aurora.rotationDays": 31},
        "tdce:database.aurora.rotationDays",
        ("≤ 30",),
        {"database.aurora.rotationDays": 30},
    ),
    # Cloud SQL "Maintenance window": a day of the week (1 = Monday … 7) and an hour, 0-23 UTC.
    "cloud sql maintenance hour": (
        "gcp-prod",
        {"database.cloudsql.maintenanceHourUtc": 24},
        "tdce:database.cloudsql.maintenanceHourUtc",
        ("23",),
        {"database.cloudsql.maintenanceHourUtc": 23},
    ),
    "cloud sql maintenance day": (
        "gcp-prod",
        {"database.cloudsql.maintenanceDay": 0},
        "tdce:database.cloudsql.maintenanceDay",
        ("1",),
        {"database.cloudsql.maintenanceDay": 1},
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_the_cloud_limit_refuses_one_side_and_accepts_the_other(rule):
    stack, refused, key, fragments, allowed = RULES[rule]
    assert_refused(stack, refused, key, *fragments)
    assert isinstance(accepted(stack, allowed), Settings)


# Point in time: gcp-restore clones at 2026-11-01T03:00:00Z.
def test_a_point_in_time_in_the_future_is_refused():
    with frozen_at(datetime(2026, 11, 1, 2, 59, tzinfo=UTC)):
        assert_refused("gcp-restore", {}, "tdce:restore.cloudsqlPointInTime", "must not be in the future", "2026-11-01T03:00:00")
    with frozen_at(datetime(2026, 11, 1, 3, 0, tzinfo=UTC)):
        assert accepted("gcp-restore", {}).restore.cloudsql_point_in_time == datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def test_the_worker_pool_cap_is_one_line_however_many_pools():
    pool = {"instanceType": "c5.xlarge", "maxCount": 1}
    for count in (51, 10_000):
        found = problems("aws-prod", {"workers": [{**pool, "name": f"p{i}"} for i in range(count)]})
        assert found == [f"tdce:workers: must list at most 50 worker pools (docs/settings-limits.md), got {count}"]
    assert len(accepted("aws-prod", {"workers": [{**pool, "name": f"p{i}"} for i in range(50)]}).workers) == 50


def test_the_bad_vpc_stops_the_plan_before_any_resource():
    with pytest.raises(ConfigError) as caught:
        plan_variant("aws-prod", {"network.vpcCidr": "10.20.0.0/32", "network.subnetCidrs": []})
    assert any(str(p).startswith("tdce:network.vpcCidr: ") for p in caught.value.problems)


# The data files and the type rules, against literals from the documentation.
def test_zone_letters_follow_the_documentation():
    assert locations.zones("aws", "us-east-1") == tuple(f"us-east-1{letter}" for letter in "abcdef")
    assert locations.zones("aws", "ca-central-1") == ("ca-central-1a", "ca-central-1b", "ca-central-1d")
    assert locations.zones("gcp", "us-central1") == ("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f")
    assert locations.zones("gcp", "europe-west1") == ("europe-west1-b", "europe-west1-c", "europe-west1-d")
    assert locations.partition("cn-northwest-1") == "aws-cn" and locations.partition("us-gov-west-1") == "aws-us-gov"


def test_every_listed_aws_region_is_one_botocore_knows_in_that_partition():
    import botocore

    partitions = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    known = {p["id"]: set(p["regions"]) for p in partitions["partitions"]}
    listed = json.loads(locations.DATA_FILE.path.read_text())["aws"]
    for partition, regions in listed.items():
        assert set(regions) <= known[partition], (partition, set(regions) - known[partition])


# "Amazon EC2 instance type naming conventions": `g` is AWS Graviton; a1 is the first Graviton.
@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("m6g.large", "arm64"),
        ("c7gn.xlarge", "arm64"),
        ("r8gd.2xlarge", "arm64"),
        ("t4g.micro", "arm64"),
        ("x2gd.medium", "arm64"),
        ("im4gn.large", "arm64"),
        ("is4gen.medium", "arm64"),
        ("hpc7g.4xlarge", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("a1.large", "arm64"),
        ("m5.xlarge", "x86_64"),
        ("c6i.4xlarge", "x86_64"),
        ("g5.xlarge", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("m7a.large", "x86_64"),
        ("c7i-flex.large", "x86_64"),
        ("u-6tb1.56xlarge", "x86_64"),
    ],
)
def test_aws_architecture_follows_the_naming_convention(instance_type, architecture):
    assert instance_types.is_instance_type(instance_type)
    assert instance_types.architecture(instance_type) == architecture


@pytest.mark.parametrize(
    ("machine_type", "architecture", "vcpus"),
    [
        ("t2a-standard-4", "arm64", 4),
        ("c4a-highcpu-72", "arm64", 72),
        ("n2-standard-4", "x86_64", 4),
        ("t2d-standard-60", "x86_64", 60),
        ("a2-highgpu-1g", "x86_64", 12),
        ("custom-6-23040", "x86_64", 6),
        ("n2d-custom-16-65536-ext", "x86_64", 16),
    ],
)
def test_gcp_machine_types_resolve_to_architecture_and_vcpus(machine_type, architecture, vcpus):
    found = machine_types.machine_type(machine_type)
    assert (found.architecture, found.vcpus) == (architecture, vcpus)


def test_the_ec2_model_lists_current_and_past_types():
    # A few from the EC2 "Instance types" pages, old and new; the list is botocore's, not ours.
    assert {
        "m5.xlarge",
        "c5.9xlarge",
        "m7g.large",
        "t2.micro",
        "c8g.48xlarge",
        "mac2.metal",
    } <= instance_types.ec2_instance_types()
    assert "m5.xlarg" not in instance_types.ec2_instance_types()
    assert compute_types.problems("aws", "m5.xlarge", "linux") == []


# The architecture the type runs on picks the image the default lookup asks for.
@pytest.fixture(scope="module")
def aws_graviton_plan():
    return plan_variant(
        "aws-aurora",
        {
            "server.instanceType": "m7g.xlarge",
            "workers": [
                {"name": "arm", "instanceType": "c7g.4xlarge", "maxCount": 2},
                {"name": "intel", "instanceType": "c6i.4xlarge", "maxCount": 2},
            ],
            # The policy pack's minimums, from the settings' side.
            "backup.retentionDays": 7,
            "database.aurora.backupRetentionDays": 7,
            "database.aurora.rotationDays": 30,
        },
    )


@pytest.fixture(scope="module")
def gcp_axion_plan():
    return plan_variant(
        "gcp-prod",
        {
            "server.instanceType": "t2a-standard-8",
            "workers": [
                {"name": "arm", "instanceType": "t2a-standard-8", "maxCount": 2},
                {"name": "intel", "instanceType": "n2-standard-8", "maxCount": 2},
            ],
            "backup.retentionDays": 7,
            "database.cloudsql.backupRetentionDays": 7,
        },
    )


def test_aws_default_images_follow_the_instance_type(aws_graviton_plan):
    plan = aws_graviton_plan
    assert only(plan, "aws:ec2/instance:Instance").inputs["ami"] == DEBIAN_12_ARM64_IMAGE_ID
    templates = {t.name: t for t in of_type(plan, "aws:ec2/launchTemplate:LaunchTemplate")}
    (arm,) = [t for name, t in templates.items() if "-arm" in name]
    (intel,) = [t for name, t in templates.items() if "-intel" in name]
    assert arm.inputs["imageId"] == DEBIAN_12_ARM64_IMAGE_ID
    assert intel.inputs["imageId"] == DEBIAN_12_IMAGE_ID


def test_gcp_default_images_follow_the_machine_type(gcp_axion_plan):
    plan = gcp_axion_plan
    server = only(plan, "gcp:compute/instance:Instance")
    assert server.inputs["bootDisk"]["initializeParams"]["image"].endswith(DEBIAN_12_ARM64_IMAGE)
    images = {
        t.inputs["machineType"]: t.inputs["disks"][0]["sourceImage"]
        for t in of_type(plan, "gcp:compute/instanceTemplate:InstanceTemplate")
    }
    assert images["t2a-standard-8"].endswith(DEBIAN_12_ARM64_IMAGE)
    assert images["n2-standard-8"].endswith(DEBIAN_12_IMAGE)


def test_the_settings_minimums_pass_the_mandatory_policies(aws_graviton_plan, gcp_axion_plan):
    checked = 0
    for plan in (aws_graviton_plan, gcp_axion_plan):
        for resource in plan.resources:
            for policy in (data_policies.backups_retained, data_policies.secret_rotation):
                violations = check_resource(policy, resource.type, resource.inputs, protect=True)
                assert violations == [], (policy.name, resource.type, violations)
            checked += resource.type in ("aws:backup/plan:Plan", "gcp:compute/resourcePolicy:ResourcePolicy")
    assert checked == 2


# Whatever a stack puts in the keys these rules read, the loader answers with settings or one line per problem.
LIMIT_KEYS = [
    ("aws-prod", "region"),
    ("aws-prod", "zones"),
    ("gcp-restore", "zones"),
    ("aws-prod", "server.instanceType"),
    ("gcp-prod", "server.instanceType"),
    ("gcp-restore", "workers[1].instanceType"),
    ("aws-prod", "network.vpcCidr"),
    ("gcp-prod", "network.subnetCidrs"),
    ("aws-prod", "access.adminCidrs"),
    ("aws-aurora", "database.aurora.engineVersion"),
    ("gcp-prod", "database.cloudsql.tier"),
    ("gcp-restore", "restore.cloudsqlPointInTime"),
    ("gcp-restore", "restore.cloudsqlSourceInstance"),
    ("aws-restore", "restore.databaseSnapshotIdentifier"),
    ("aws-aurora", "backup.copyToRegion"),
    ("aws-prod", "tags"),
    ("gcp-prod", "workers[0].tags"),
]
limit_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "eu-west-1a",
            "europe-north1-b",
            "10.0.0.0/33",
            "::/1",
            "c7g.xlarge",
            "n2-custom-4-9999999",
            "16.",
            "2026-13-01T00:00:00",
        ]
    ),
    st.lists(st.text(max_size=12) | st.sampled_from(["0.0.0.0/1", "128.0.0.0/1", "eu-west-1a", "eu-west-1a"]), max_size=4),
    st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=4),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.none(),
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.sampled_from(LIMIT_KEYS), limit_values)
def test_any_value_in_a_limited_key_gives_settings_or_config_error(where, value):
    stack, key = where
    try:
        accepted(stack, {key: value})
    except ConfigError as error:
        assert error.problems and all("\n" not in str(problem) for problem in error.problems)


@pytest.mark.parametrize("key", ["desiredCount", "minCount"])
def test_a_count_on_a_gcp_pool_the_dashboard_sizes_is_refused(key):
    # gcp-prod's linux-spot pool is dashboard-sized: on GCP that is a template without a group.
    from config.errors import ConfigError
    from tests.support import settings_of, stack_values, with_setting

    values, secrets = stack_values("gcp-prod")
    values = with_setting(values, "workers[0].maxCount", 40)
    with pytest.raises(ConfigError, match=rf"tdce:workers\[0\]\.{key}: has no effect on gcp"):
        settings_of(with_setting(with_setting(values, "workers[0].desiredCount", 2), "workers[0].minCount", 2), secrets)
    assert settings_of(with_setting(values, "workers[0].capacityOwner", "pulumi"), secrets)
