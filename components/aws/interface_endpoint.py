"""An AWS service's interface endpoint in the VPC, in the security group the firewall made for it.

With private DNS on, every call to that service from inside the VPC resolves to the endpoint,
so the firewall's rules for the endpoint's channel decide who in the VPC reaches the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws


class InterfaceEndpoint(pulumi.ComponentResource):
    """Subclasses name the component type and the service (`com.amazonaws.<region>.<service>`)."""

    TYPE: str
    SERVICE: str

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
        super().__init__(self.TYPE, name, None, opts)
        service = aws.ec2.get_vpc_endpoint_service_output(
            service=self.SERVICE, service_type="Interface", opts=pulumi.InvokeOutputOptions(parent=self)
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
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoint = endpoint
        self.endpoint_id = endpoint.id
        self.register_outputs({"endpointId": self.endpoint_id})
