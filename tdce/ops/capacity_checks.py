"""Preflight: the account's quotas leave room for the stack at full size (vendor 001_ec271c3ff40761d0.txt 3.4, 4.6).

The vendor warns that nothing checks the EC2 quota when workers start: the dashboard asks for
more workers than the quota allows and they silently never come. Here every pool counts at its
`maxCount`, plus the server, against the vCPU quota of its purchase option.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from config.settings import Settings
from tdce.ops.clients import AwsClients, error_code
from tdce.ops.machines import Machine, machines, vcpus
from tdce.ops.report import Check, failed, passed, skipped

# Service Quotas codes (service code `ec2`); the Standard quotas are counted in vCPUs.
QUOTA_CODES = {
    # Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances
    "on-demand": "L-1216C47A",
    # All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests
    "spot": "L-34B43A08",
}
ELASTIC_IP_QUOTA = "L-0263D0A3"  # EC2-VPC Elastic IPs
# The families the Standard quotas cover; others (G, P, Inf, X, …) have quotas of their own.
_STANDARD_FAMILY_LETTERS = "acdhimrtz"
_OTHER_FAMILY_PREFIXES = ("inf", "hpc")


def capacity_checks(settings: Settings, clients: AwsClients, types: dict[str, dict[str, Any]]) -> list[Check]:
    # Types the region does not offer already failed among the reference checks.
    known = [machine for machine in machines(settings) if machine.instance_type in types]
    standard = [machine for machine in known if _standard(machine.instance_type)]
    checks = [
        skipped(m.key("instanceType"), f"{m.instance_type} is outside the Standard vCPU quotas: check its quota by hand")
        for m in known
        if m not in standard
    ]
    for purchase, code in QUOTA_CODES.items():
        checks.append(_vcpu_quota(purchase, code, [m for m in standard if m.purchase == purchase], clients, types))
    checks.append(_elastic_ip_quota(clients))
    return checks


def quota_value(clients: AwsClients, code: str) -> float:
    quotas = clients("service-quotas")
    try:
        return float(quotas.get_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]["Value"])
    except ClientError as error:
        # A quota never raised in this account may have no applied value; the default holds then.
        if error_code(error) != "NoSuchResourceException":
            raise
        return float(quotas.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]["Value"])


def _standard(instance_type: str) -> bool:
    family = instance_type.partition(".")[0]
    return family[:1] in _STANDARD_FAMILY_LETTERS and not family.startswith(_OTHER_FAMILY_PREFIXES)


def _vcpu_quota(purchase: str, code: str, counted: list[Machine], clients: AwsClients, types: dict[str, dict[str, Any]]) -> Check:
    name = f"{purchase} vCPU quota ({code})"
    if not counted:
        return skipped(name, f"nothing in the stack runs {purchase}")
    parts = [f"{m.label} {m.count} × {m.instance_type}" for m in counted]
    needed = sum(m.count * vcpus(types[m.instance_type]) for m in counted)
    quota = quota_value(clients, code)
    detail = f"needs {needed} vCPUs ({'; '.join(parts)}), quota {quota:g}"
    if needed > quota:
        return failed(name, f"{detail}: request an increase in Service Quotas, or lower maxCount")
    return passed(name, f"{detail}; instances already running in the account count against it too")


def _elastic_ip_quota(clients: AwsClients) -> Check:
    name = f"Elastic IP quota ({ELASTIC_IP_QUOTA})"
    allocated = len(clients("ec2").describe_addresses()["Addresses"])
    quota = quota_value(clients, ELASTIC_IP_QUOTA)
    detail = f"{allocated} of {quota:g} allocated in {clients.region}; the server needs one more"
    return failed(name, detail) if allocated + 1 > quota else passed(name, detail)
