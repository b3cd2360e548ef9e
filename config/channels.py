"""The TDCE network channels as data: the one place a port number is written down.

Components turn these rows into security-group or firewall rules, the policy pack
checks deployed rules against them, and `tdce ports` prints them. Sources:
`000_8bca743440dfe33c.txt` (port tables per install type), `001_ec271c3ff40761d0.txt`
section 4.9 (direction of initiation) and `003_d348c65316696df7.txt` (interconnect).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    """Who sits at one end of a channel."""

    WORKERS = "workers"
    SERVER = "server"
    USERS = "users"
    ADMINS = "admins"
    LICENSE_HOST = "license-host"
    CLOUD_API = "cloud-api"
    OBJECT_STORAGE = "object-storage"
    EXTERNAL_DATA = "external-data"
    DATABASE = "database"
    SECRETS_ENDPOINT = "secrets-endpoint"
    SECRET_ROTATION = "secret-rotation"
    RDS_ENDPOINT = "rds-endpoint"

    @property
    def inside_cluster(self) -> bool:
        # Everything the deployment places in its own network and guards with its own firewall.
        return self in (Role.WORKERS, Role.SERVER, Role.DATABASE, Role.SECRETS_ENDPOINT, Role.RDS_ENDPOINT)


class Direction(StrEnum):
    """Which firewall side a channel lands on, seen from the cluster."""

    INGRESS = "ingress"  # the target is the server or the workers
    EGRESS = "egress"  # the target is outside the cluster


# The TCP/UDP port space. Port 0 is reserved (IANA's registry; no connection is made to it), so a
# channel's ports start at LOWEST_USABLE_PORT, and a rule from port 0 or from LOWEST_USABLE_PORT up
# to HIGHEST_PORT opens every port: "all ports".
LOWEST_PORT, HIGHEST_PORT = 0, 65535
LOWEST_USABLE_PORT = LOWEST_PORT + 1


class Span(Protocol):
    """A first-to-last port span: a `PortRange`, or a deployed rule's ports (which may start at port 0)."""

    @property
    def first(self) -> int: ...

    @property
    def last(self) -> int: ...


@dataclass(frozen=True)
class PortRange:
    first: int
    last: int

    def __post_init__(self) -> None:
        if not LOWEST_USABLE_PORT <= self.first <= self.last <= HIGHEST_PORT:
            raise ValueError(f"bad port range {self.first}-{self.last}")

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def within(self, span: Span) -> bool:
        """Every port of this range is in `span`."""
        return span.first <= self.first and self.last <= span.last


def port(number: int) -> PortRange:
    return PortRange(number, number)


@dataclass(frozen=True)
class Channel:
    """One row of the matrix.

    `enabled_by` names the boolean setting (a dotted path into the settings) that
    switches an optional channel on; `None` means the channel always exists.
    `exists_with` says, for channels to parts that not every deployment has (the managed
    database, the Secrets Manager endpoint), which settings bring that part in: such a
    channel exists wherever its target and one of its sources do.
    `alternative_ports` are ports the vendor allows in place of `ports` (the
    management channel may move to 25002); a setting picks one.
    """

    name: str
    protocol: str
    ports: tuple[PortRange, ...]
    sources: tuple[Role, ...]
    target: Role
    enabled_by: str | None
    initiated_by: Role
    purpose: str
    vendor_reference: str
    alternative_ports: tuple[PortRange, ...] = ()
    # The setting that picks one of `port_choices`, where the vendor allows a choice.
    port_setting: str | None = None
    exists_with: str | None = None

    @property
    def direction(self) -> Direction:
        return Direction.INGRESS if self.target.inside_cluster else Direction.EGRESS

    @property
    def required(self) -> bool:
        """Every deployment opens it: no switch, and its ends are in every deployment."""
        return self.enabled_by is None and self.exists_with is None

    @property
    def condition(self) -> str:
        """When the channel exists, in the stack file's words."""
        if self.enabled_by is not None:
            return f"when {self.enabled_by} is true"
        if self.exists_with is not None:
            return f"when {self.exists_with}"
        return "always"

    @property
    def port_choices(self) -> tuple[PortRange, ...]:
        return self.ports + self.alternative_ports

    @property
    def ports_label(self) -> str:
        return ", ".join(str(p) for p in self.ports)


SIGNAL = Channel(
    name="signal",
    protocol="tcp",
    ports=(port(20001),),
    sources=(Role.WORKERS,),
    target=Role.SERVER,
    enabled_by=None,
    initiated_by=Role.WORKERS,
    purpose="commands and responses between server and workers; always open, bidirectional",
    vendor_reference="000_8bca743440dfe33c.txt (Required1); 001_ec271c3ff40761d0.txt 4.9",
)

DATA = Channel(
    name="data",
    protocol="tcp",
    ports=(port(20002),),
    sources=(Role.WORKERS,),
    target=Role.SERVER,
    enabled_by=None,
    initiated_by=Role.WORKERS,
    purpose="bundles, input and output data; open only during a transfer",
    vendor_reference="000_8bca743440dfe33c.txt (Required2); 001_ec271c3ff40761d0.txt 4.9",
)

MANAGEMENT = Channel(
    name="management",
    protocol="tcp",
    ports=(port(25001),),
    alternative_ports=(port(25002),),
    port_setting="access.managementPort",
    sources=(Role.USERS,),
    target=Role.SERVER,
    enabled_by=None,
    initiated_by=Role.USERS,
    purpose="Techila SDK: HTTPS + XML-RPC to manage computations",
    vendor_reference="000_8bca743440dfe33c.txt (Required3); 001_ec271c3ff40761d0.txt 4.9",
)

WEB = Channel(
    name="web",
    protocol="tcp",
    ports=(port(443),),
    sources=(Role.USERS,),
    target=Role.SERVER,
    enabled_by=None,
    initiated_by=Role.USERS,
    purpose="Techila Dashboard in a browser, over TLS",
    vendor_reference="000_8bca743440dfe33c.txt (Required4); 001_ec271c3ff40761d0.txt 4.9",
)

SSH = Channel(
    name="ssh",
    protocol="tcp",
    ports=(port(22),),
    sources=(Role.ADMINS,),
    target=Role.SERVER,
    enabled_by="access.ssh",
    initiated_by=Role.ADMINS,
    purpose="SSH/SFTP to the server, for troubleshooting only",
    vendor_reference="000_8bca743440dfe33c.txt (Optional5, marketplace installs)",
)

WORKER_SSH = Channel(
    name="worker-ssh",
    protocol="tcp",
    ports=(port(22),),
    sources=(Role.SERVER,),
    target=Role.WORKERS,
    enabled_by="access.workerSsh",
    initiated_by=Role.SERVER,
    purpose="SSH to Linux workers, routed through the server",
    vendor_reference="001_ec271c3ff40761d0.txt 4.10 (WorkerSecurityGroup IngressSSH)",
)

WORKER_RDP = Channel(
    name="worker-rdp",
    protocol="tcp",
    ports=(port(3389),),
    sources=(Role.SERVER,),
    target=Role.WORKERS,
    enabled_by="access.workerRdp",
    initiated_by=Role.SERVER,
    purpose="Remote Desktop to Windows workers, routed through the server",
    vendor_reference="001_ec271c3ff40761d0.txt 4.10 (WorkerSecurityGroup IngressRDP)",
)

INTERCONNECT = Channel(
    name="interconnect",
    protocol="tcp",
    ports=(PortRange(1024, HIGHEST_PORT),),
    sources=(Role.WORKERS,),
    target=Role.WORKERS,
    enabled_by="access.interconnect",
    initiated_by=Role.WORKERS,
    purpose="jobs of one project talking to each other",
    vendor_reference="000_8bca743440dfe33c.txt (Optional8); 003_d348c65316696df7.txt",
)

LICENSE = Channel(
    name="license",
    protocol="tcp",
    ports=(port(80), port(443)),
    sources=(Role.SERVER,),
    target=Role.LICENSE_HOST,
    enabled_by="access.licenseServer",
    initiated_by=Role.SERVER,
    purpose="the vendor's license server; marketplace installs bill through the marketplace",
    vendor_reference="000_8bca743440dfe33c.txt (Required6, on-premises and hybrid)",
)

CLOUD_API = Channel(
    name="cloud-api",
    protocol="tcp",
    ports=(port(443),),
    sources=(Role.SERVER,),
    target=Role.CLOUD_API,
    enabled_by=None,
    initiated_by=Role.SERVER,
    purpose="the server starts and stops workers through the compute API",
    vendor_reference="000_8bca743440dfe33c.txt (Required8, Required11)",
)

# The vendor leaves the workers' own outbound traffic to the application ("External Storage",
# application specific). Workers here reach HTTPS data sources and the cloud's APIs; wider
# access is `access.openEgress`.
EXTERNAL_DATA = Channel(
    name="external-data",
    protocol="tcp",
    ports=(port(443),),
    sources=(Role.WORKERS,),
    target=Role.EXTERNAL_DATA,
    enabled_by=None,
    initiated_by=Role.WORKERS,
    purpose="data sources the workers' jobs read, and the cloud APIs the workers call, over HTTPS",
    vendor_reference="000_8bca743440dfe33c.txt (Optional1, External Storage)",
)

STORAGE = Channel(
    name="storage",
    protocol="tcp",
    ports=(port(443),),
    sources=(Role.WORKERS, Role.SERVER, Role.USERS),
    target=Role.OBJECT_STORAGE,
    enabled_by=None,
    initiated_by=Role.WORKERS,
    purpose="bundles through the object-storage bucket",
    vendor_reference="000_8bca743440dfe33c.txt (Required9, Required10, Optional6); 001_ec271c3ff40761d0.txt 4.9",
)

# Channels inside the deployment's network that the vendor's port tables leave out because they
# belong to the AWS stack itself (001_ec271c3ff40761d0.txt 4.10, the Aurora variant).
DATABASE = Channel(
    name="database",
    protocol="tcp",
    ports=(port(5432),),
    sources=(Role.SERVER, Role.SECRET_ROTATION),
    target=Role.DATABASE,
    enabled_by=None,
    exists_with="database.engine is aurora or cloudsql",
    initiated_by=Role.SERVER,
    purpose="PostgreSQL on the managed database; the rotation function changes its passwords",
    vendor_reference="001_ec271c3ff40761d0.txt 4.10 (DB cluster security group and its ingress rules)",
)

SECRETS_ENDPOINT = Channel(
    name="secrets-endpoint",
    protocol="tcp",
    ports=(port(443),),
    sources=(Role.SERVER, Role.WORKERS, Role.SECRET_ROTATION),
    target=Role.SECRETS_ENDPOINT,
    enabled_by=None,
    exists_with="cloud is aws and database.engine is aurora or workerSecrets is set",
    initiated_by=Role.SERVER,
    purpose="Secrets Manager through its interface endpoint in the VPC (private DNS sends all the VPC's calls there)",
    vendor_reference="001_ec271c3ff40761d0.txt 4.10 (SecretsEndpointSecurityGroup), 4.17",
)

# The rotation function reads the master secret's host from the RDS API: an RDS-managed master
# secret holds only the user name and password, and SecretsManagerRDSPostgreSQLRotationMultiUser
# calls DescribeDBClusters for the rest (aws-samples/aws-secrets-manager-rotation-lambdas,
# SecretsManagerRDSPostgreSQLRotationMultiUser/lambda_function.py, get_connection_params_from_rds_api).
# Its subnets have no route out, so the RDS API is an interface endpoint in the VPC.
RDS_ENDPOINT = Channel(
    name="rds-endpoint",
    protocol="tcp",
    ports=(port(443),),
    sources=(Role.SECRET_ROTATION,),
    target=Role.RDS_ENDPOINT,
    enabled_by=None,
    exists_with="cloud is aws and database.engine is aurora",
    initiated_by=Role.SECRET_ROTATION,
    purpose="the RDS API through its interface endpoint in the VPC: the rotation function looks up the cluster's address",
    vendor_reference="001_ec271c3ff40761d0.txt 4.10 (TechilaSecretsLambdaSecurityGroup: the rotation function's group)",
)

CHANNELS: tuple[Channel, ...] = (
    SIGNAL,
    DATA,
    MANAGEMENT,
    WEB,
    SSH,
    WORKER_SSH,
    WORKER_RDP,
    INTERCONNECT,
    LICENSE,
    CLOUD_API,
    EXTERNAL_DATA,
    STORAGE,
    DATABASE,
    SECRETS_ENDPOINT,
    RDS_ENDPOINT,
)

CHANNELS_BY_NAME: dict[str, Channel] = {channel.name: channel for channel in CHANNELS}
