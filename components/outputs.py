"""The outputs every deployment exports, under the same names and types on both clouds.

A user who moves a stack from AWS to GCP reads the same keys: the dashboard, the server's
addresses, the bucket, the network, the firewall groups and identities of the two machine
roles, the worker groups, the data disk and the admin password's secret. Each cloud adds
outputs of its own only for what the other has no counterpart of (`extra`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pulumi

from config.channels import MANAGEMENT, WEB, Channel
from config.exposure import OpenChannel


class _Server(Protocol):
    instance_id: pulumi.Input[str]
    public_ip: pulumi.Input[str]
    private_ip: pulumi.Input[str]
    data_disk_id: pulumi.Input[str]
    image: pulumi.Input[str]


def server_component_outputs(server: _Server) -> dict[str, pulumi.Input[str]]:
    """What both clouds' Server components register, under the same names."""
    return {
        "instanceId": server.instance_id,
        "publicIp": server.public_ip,
        "privateIp": server.private_ip,
        "dataDiskId": server.data_disk_id,
        "image": server.image,
    }


class _Network(Protocol):
    network_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]


class _Storage(Protocol):
    bucket_name: pulumi.Input[str]


class _Workers(Protocol):
    group_names: Mapping[str, pulumi.Input[str]]


class _Secret(Protocol):
    secret_id: pulumi.Input[str]


class _DataTierPart(Protocol):
    # The outputs only one cloud has (docs/outputs.md, "With a managed database", "With backups").
    stack_outputs: Mapping[str, Any]


class _Deployment(Protocol):
    """What both clouds' deployments are made of, under the same attribute names."""

    server: _Server
    network: _Network
    storage: _Storage
    workers: _Workers
    admin_password: _Secret
    database: _DataTierPart | None
    backup: _DataTierPart | None


@dataclass(frozen=True)
class DeploymentOutputs:
    server_public_ip: pulumi.Input[str]
    server_private_ip: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    # AWS: the VPC and subnet IDs; GCP: the network and subnetwork IDs.
    network_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    # What firewall rules name for each machine role: AWS security group IDs, GCP service account emails.
    server_firewall_group: pulumi.Input[str]
    worker_firewall_group: pulumi.Input[str]
    # Who each machine role runs as: AWS role ARNs, GCP service account emails.
    server_identity: pulumi.Input[str]
    worker_identity: pulumi.Input[str]
    # Pool name → auto scaling group (AWS) or managed instance group (GCP) name.
    worker_group_names: Mapping[str, pulumi.Input[str]]
    # AWS: the EBS volume ID; GCP: the disk's name. The one to snapshot.
    data_disk_id: pulumi.Input[str]
    # AWS: the AMI ID; GCP: the image's self link.
    server_image: pulumi.Input[str]
    # Where the admin password is kept (AWS: the secret's ARN; GCP: its resource name); never the password.
    dashboard_admin_password_secret: pulumi.Input[str]
    # What the server is told about its deployment, as JSON (components/deployment_document.py).
    deployment_document: pulumi.Input[str]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        deployment: _Deployment,
        *,
        firewall_groups: tuple[pulumi.Input[str], pulumi.Input[str]],
        identities: tuple[pulumi.Input[str], pulumi.Input[str]],
        deployment_document: pulumi.Input[str],
    ) -> DeploymentOutputs:
        """The outputs of a deployment, read from its components, which both clouds name alike.

        `firewall_groups` and `identities` are (server, workers): what each cloud calls them differs.
        """
        server = deployment.server
        return cls(
            server_public_ip=server.public_ip,
            server_private_ip=server.private_ip,
            bucket_name=deployment.storage.bucket_name,
            network_id=deployment.network.network_id,
            subnet_ids=deployment.network.subnet_ids,
            server_firewall_group=firewall_groups[0],
            worker_firewall_group=firewall_groups[1],
            server_identity=identities[0],
            worker_identity=identities[1],
            worker_group_names=deployment.workers.group_names,
            data_disk_id=server.data_disk_id,
            server_image=server.image,
            dashboard_admin_password_secret=deployment.admin_password.secret_id,
            deployment_document=deployment_document,
            extra={
                key: value
                for part in (deployment.database, deployment.backup)
                if part is not None
                for key, value in part.stack_outputs.items()
            },
        )

    def exported(self, channels: Sequence[OpenChannel]) -> dict[str, Any]:
        address = pulumi.Output.from_input(self.server_public_ip)
        return {
            **user_endpoints(address, channels),
            "serverPublicIp": self.server_public_ip,
            "serverPrivateIp": self.server_private_ip,
            "bucketName": self.bucket_name,
            "networkId": self.network_id,
            "subnetIds": list(self.subnet_ids),
            "serverFirewallGroup": self.server_firewall_group,
            "workerFirewallGroup": self.worker_firewall_group,
            "serverIdentity": self.server_identity,
            "workerIdentity": self.worker_identity,
            "workerGroupNames": dict(self.worker_group_names),
            "dataDiskId": self.data_disk_id,
            "serverImage": self.server_image,
            "dashboardAdminPasswordSecret": self.dashboard_admin_password_secret,
            "deploymentDocument": self.deployment_document,
            **self.extra,
        }


def _port(channels: Sequence[OpenChannel], channel: Channel) -> int:
    (ports,) = next(opened.ports for opened in channels if opened.channel is channel)
    return ports.first


def user_endpoints(address: pulumi.Output[str], channels: Sequence[OpenChannel]) -> dict[str, pulumi.Output[str]]:
    """`dashboardUrl` and `sdkEndpoint` for the server's public address (the management port follows its setting)."""
    web, management = _port(channels, WEB), _port(channels, MANAGEMENT)
    # A browser needs the port in the URL only when the web channel is not on its matrix port: that port
    # is also https's default port (RFC 9110 section 4.2.2), which is why the URL may leave it out.
    web_suffix = "" if web == WEB.ports[0].first else f":{web}"
    return {
        "dashboardUrl": address.apply(lambda ip: f"https://{ip}{web_suffix}/"),
        "sdkEndpoint": address.apply(lambda ip: f"{ip}:{management}"),
    }
