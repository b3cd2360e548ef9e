"""What the Techila Server is told about its deployment: everything it needs to start workers into it, nothing secret.

One JSON document per stack (AWS: an SSM parameter the server role alone may read; GCP: instance
metadata), also written to `/etc/tdce/deployment.env` on first boot and exported as the stack
output `deploymentDocument`. Both clouds fill the same record; `docs/deployment-document.md`
describes every key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from config.channels import DATA, SIGNAL

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

    def as_json(self) -> pulumi.Output[str]:
        key, value = self.deployment_tag
        return pulumi.Output.json_dumps(
            {
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
                "server": {
                    "privateIp": self.server_private_ip,
                    "signalPort": SIGNAL.ports[0].first,
                    "dataPort": DATA.ports[0].first,
                },
                "allowedExtra": {k: list(v) for k, v in self.allowed_extra.items()},
                **self.extra,
            }
        )
