"""A Secrets Manager interface endpoint in the VPC, reachable from the groups that read secrets.

Once it exists, private DNS sends every Secrets Manager call in the VPC through it, so each
group that reads secrets must be a client: the server and the workers here, and the database's
rotation function, whose component opens its own rule to `security_group_id`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.firewall import Peer, connect
from config.channels import SECRETS_ENDPOINT


class SecretsEndpoint(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        clients: Mapping[str, pulumi.Input[str]],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`clients` maps a stable slug (`workers`, `server`) to the security group allowed to call the endpoint."""
        super().__init__("tdce:aws:SecretsEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            f"{name}-group",
            vpc_id=vpc_id,
            description="TDCE Secrets Manager endpoint: HTTPS from the cluster",
            tags=dict(tags),
            opts=child,
        )
        # The matrix's secrets-endpoint channel, both ways: into the endpoint, and out of each client.
        endpoint = Peer("endpoint", group_id=group.id)
        for slug, client in clients.items():
            connect(
                name,
                channel=SECRETS_ENDPOINT,
                client=Peer(slug, group_id=client),
                target=endpoint,
                purpose="Secrets Manager",
                tags=tags,
                opts=child,
            )
        service = aws.ec2.get_vpc_endpoint_service_output(
            service="secretsmanager", service_type="Interface", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        endpoint = aws.ec2.VpcEndpoint(
            f"{name}-endpoint",
            vpc_id=vpc_id,
            service_name=service.service_name,
            vpc_endpoint_type="Interface",
            subnet_ids=list(subnet_ids),
            security_group_ids=[group.id],
            private_dns_enabled=True,
            tags=dict(tags),
            opts=child,
        )
        self.security_group_id = group.id
        self.endpoint_id = endpoint.id
        self.register_outputs({"securityGroupId": self.security_group_id, "endpointId": self.endpoint_id})
