"""The VPC: public subnets in two or more zones, the internet route, the S3 gateway endpoint, a closed default group."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.aws.account import AwsAccount
from components.aws.flow_logs import FlowLogs
from config.network import NetworkSettings
from config.rules import ANYWHERE_IPV4
from config.settings import DEFAULT_ZONE_COUNT


class Network(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: NetworkSettings,
        zones: tuple[str, ...],
        account: AwsAccount,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        zone_names = self._zone_names(zones)
        # Zones looked up (no `tdce:zones`) are kept from the first `up`: the lookup runs on every
        # `up`, and a zone AWS adds, impairs or retires would shift the list, moving subnets (and the
        # server and data volume with them) to another zone. The subnets keep the zone they were
        # created in, and everything else reads the zone from its subnet.
        keep_zones = ["availabilityZone"] if not zones else []
        tags = dict(tags)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=settings.vpc_cidr,
            # The S3 and Secrets Manager endpoints resolve through the VPC's DNS.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags,
            opts=child,
        )
        # Adopting the default group strips its rules: nothing may use it to talk to anything.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-group", vpc_id=vpc.id, tags=tags, opts=child)
        gateway = aws.ec2.InternetGateway(f"{name}-gateway", vpc_id=vpc.id, tags=tags, opts=child)
        routes = aws.ec2.RouteTable(f"{name}-routes", vpc_id=vpc.id, tags=tags, opts=child)
        internet_route = aws.ec2.Route(
            f"{name}-internet", route_table_id=routes.id, destination_cidr_block=ANYWHERE_IPV4, gateway_id=gateway.id, opts=child
        )
        subnets, subnet_routes = [], []
        for index, (zone, cidr) in enumerate(zip(zone_names, settings.subnets_for(len(zone_names)), strict=True)):
            subnet = aws.ec2.Subnet(
                f"{name}-subnet-{index}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                # Each instance decides: the server has an Elastic IP, each worker pool its `publicIp`.
                map_public_ip_on_launch=False,
                tags=tags,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    ignore_changes=keep_zones,
                    # Lambda keeps the rotation function's network interfaces here for up to 45 minutes
                    # after the function is deleted; the subnet cannot go before they do
                    # (hashicorp/terraform-provider-aws#10329).
                    custom_timeouts=pulumi.CustomTimeouts(delete="60m"),
                ),
            )
            subnet_routes.append(
                aws.ec2.RouteTableAssociation(
                    f"{name}-subnet-{index}-routes", subnet_id=subnet.id, route_table_id=routes.id, opts=child
                )
            )
            subnets.append(subnet)
        s3_service = aws.ec2.get_vpc_endpoint_service_output(
            service="s3", service_type="Gateway", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        # Bundles go to S3 over the AWS network, not the internet gateway (vendor's TechilaS3Endpoint).
        s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=s3_service.service_name,
            vpc_endpoint_type="Gateway",
            route_table_ids=[routes.id],
            tags=tags,
            opts=child,
        )
        if settings.flow_logs:
            FlowLogs(f"{name}-flow-logs", vpc_id=vpc.id, account=account, tags=tags, opts=child)

        self.network_id = vpc.id
        # What an instance needs before it can reach the internet, for those that must wait for it.
        self.internet_gateway = gateway
        self.default_route = internet_route
        self.subnet_routes = subnet_routes
        # The zone each subnet is in, as created: the server's zone comes from here, not from the lookup.
        self.zones = [subnet.availability_zone for subnet in subnets]
        self.subnet_ids = [subnet.id for subnet in subnets]
        self.s3_prefix_list_id = s3_endpoint.prefix_list_id
        self.register_outputs(
            {"networkId": self.network_id, "subnetIds": self.subnet_ids, "s3PrefixListId": self.s3_prefix_list_id}
        )

    def _zone_names(self, configured: tuple[str, ...]) -> list[pulumi.Input[str]]:
        if configured:
            return list(configured)
        # Availability Zones only: a Local Zone or Wavelength Zone the account opts into would sort
        # before them (`us-east-1-bos-1a` < `us-east-1a`) and take a subnet ("Regions and Zones",
        # EC2 User Guide: opt-in-status of Availability Zones is opt-in-not-required).
        available = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        return [available.names[index] for index in range(DEFAULT_ZONE_COUNT)]
