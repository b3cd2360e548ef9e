"""What the Techila Server is told about its deployment: everything it needs to start workers into it, nothing secret.

One JSON document per stack (AWS: an SSM parameter the server role alone may read; GCP: instance
metadata), also written to `/etc/tdce/deployment.env` on first boot and exported as the stack
output `deploymentDocument`. Both clouds fill the same record; `docs/deployment-document.md`
describes every key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from config.channels import DATA, SIGNAL

# The deployment.env line naming the secret that holds the dashboard admin password (AWS: the
# Secrets Manager secret's ARN; GCP: the Secret Manager secret's resource name). The password itself
# is never in the file: the installer reads it from the secret.
ADMIN_PASSWORD_SECRET_LINE = "TDCE_ADMIN_PASSWORD_SECRET"

# Bumped when a key changes meaning, so a dashboard can refuse a document it does not understand.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class DeploymentDocument:
    cloud: str
    stack: str
    region: str
    # The tag (AWS) or label (GCP) every resource of the deployment carries, and the server must put
    # on everything it makes: `tdce teardown` finds them by it.
    deployment_tag: tuple[str, str]
    network_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    # AWS: the worker security group ID; GCP: the worker service account (firewall rules target it).
    worker_firewall_group: pulumi.Input[str]
    # AWS: the worker instance profile ARN; GCP: the worker service account email.
    worker_identity: pulumi.Input[str]
    bucket: pulumi.Input[str]
    server_private_ip: pulumi.Input[str]
    # Names of everything the server makes start with this (GCP grants are conditioned on it).
    name_prefix: str
    # The identities and groups the dashboard may give an end user's workers instead (vendor 4.17, 4.19).
    allowed_extra: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # Cloud-specific keys (zones, the server's own identity, …), documented per cloud.
    extra: Mapping[str, pulumi.Input[object]] = field(default_factory=dict)

    def contents(self) -> dict[str, Any]:
        """The document as a dict of its inputs (plain values in, plain values out)."""
        key, value = self.deployment_tag
        return {
            "schemaVersion": SCHEMA_VERSION,
            "cloud": self.cloud,
            "stack": self.stack,
            "region": self.region,
            "deploymentTag": {"key": key, "value": value},
            "namePrefix": self.name_prefix,
            "networkId": self.network_id,
            "subnetIds": list(self.subnet_ids),
            "workerFirewallGroup": self.worker_firewall_group,
            "workerIdentity": self.worker_identity,
            "bucket": self.bucket,
            "server": {"privateIp": self.server_private_ip, **ports()},
            "allowedExtra": {k: list(v) for k, v in self.allowed_extra.items()},
            **self.extra,
        }

    def as_json(self) -> pulumi.Output[str]:
        return pulumi.Output.json_dumps(self.contents())

    def boot_env(self, extra: Mapping[str, pulumi.Input[str]] | None = None) -> pulumi.Output[dict[str, str]]:
        """The lines of /etc/tdce/deployment.env, less the server's own address (the boot script asks the
        instance metadata for it: the instance cannot be told its address before it exists).

        `extra` adds cloud-specific lines; the cloud-specific keys of the document (`extra`) stay out,
        since some of them exist only after the server.
        """
        key, value = self.deployment_tag
        known: dict[str, pulumi.Input[Any]] = {
            "TDCE_CLOUD": self.cloud,
            "TDCE_STACK": self.stack,
            "TDCE_REGION": self.region,
            "TDCE_DEPLOYMENT_TAG": f"{key}={value}",
            "TDCE_NAME_PREFIX": self.name_prefix,
            "TDCE_NETWORK_ID": self.network_id,
            "TDCE_SUBNET_IDS": pulumi.Output.all(*self.subnet_ids).apply(",".join),
            "TDCE_WORKER_FIREWALL_GROUP": self.worker_firewall_group,
            "TDCE_WORKER_IDENTITY": self.worker_identity,
            "TDCE_BUCKET": self.bucket,
            **{f"TDCE_{_upper_snake(name)}": str(port) for name, port in ports().items()},
            **{f"TDCE_ALLOWED_{_upper_snake(k)}": ",".join(v) for k, v in self.allowed_extra.items()},
            **(extra or {}),
        }
        return pulumi.Output.all(**known).apply(lambda resolved: {k: str(v) for k, v in resolved.items()})


def ports() -> dict[str, int]:
    """The two ports a worker dials the server on (config/channels.py)."""
    return {"signalPort": SIGNAL.ports[0].first, "dataPort": DATA.ports[0].first}


def _upper_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()
