"""The VPC network: custom subnets only, Private Google Access, and Cloud NAT for workers without public IPs."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from config.network import NetworkSettings

# Flow logs sample half the flows in 5-second windows: enough to trace a blocked channel at
# half the logging cost of sampling everything.
FLOW_LOG_CONFIG = {"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"}


class Network(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: NetworkSettings,
        region: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:gcp:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        # Auto mode would add a subnet in every region; this VPC holds only what the cluster uses.
        self.network = gcp.compute.Network(f"{name}-vpc", auto_create_subnetworks=False, opts=child)
        self.subnetwork = gcp.compute.Subnetwork(
            f"{name}-subnet",
            network=self.network.id,
            region=region,
            # One regional subnetwork serves every zone of the region.
            ip_cidr_range=settings.subnets_for(1)[0],
            # Workers reach Cloud Storage and the Google APIs without a public IP (the GCP counterpart of the S3 endpoint).
            private_ip_google_access=True,
            log_config=FLOW_LOG_CONFIG if settings.flow_logs else None,
            opts=child,
        )
        router = gcp.compute.Router(f"{name}-router", network=self.network.id, region=region, opts=child)
        gcp.compute.RouterNat(
            f"{name}-nat",
            router=router.name,
            region=region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[{"name": self.subnetwork.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
            # Only failed translations: a worker that cannot reach out is the case worth a log line.
            log_config={"enable": True, "filter": "ERRORS_ONLY"},
            opts=child,
        )

        self.network_id = self.network.id
        self.subnet_ids = [self.subnetwork.id]
        self.register_outputs({"networkId": self.network_id, "subnetIds": self.subnet_ids})
