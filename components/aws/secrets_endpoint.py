"""A Secrets Manager interface endpoint in the VPC, in the security group the firewall made for it.

Once it exists, private DNS sends every Secrets Manager call in the VPC through it, so every
group that reads secrets is a source of the matrix's `secrets-endpoint` channel: the server,
the workers and the database's rotation function. The firewall opens those rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws


class SecretsEndpoint(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        security_group_id: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:SecretsEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        service = aws.ec2.get_vpc_endpoint_service_output(
            service="secretsmanager", service_type="Interface", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        endpoint = aws.ec2.VpcEndpoint(
            f"{name}-endpoint",
            vpc_id=vpc_id,
            service_name=service.service_name,
            vpc_endpoint_type="Interface",
            subnet_ids=list(subnet_ids),
            security_group_ids=[security_group_id],
            private_dns_enabled=True,
            tags=dict(tags),
            opts=child,
        )
        self.endpoint_id = endpoint.id
        self.register_outputs({"endpointId": self.endpoint_id})
