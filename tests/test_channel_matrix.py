"""The channel matrix matches the vendor table in the design notes, row by row."""

from __future__ import annotations

import re

import pytest

from config.channels import CHANNELS, CHANNELS_BY_NAME, Direction, PortRange, Role

# Copied verbatim from ../shared/DESIGN.md ("The channel matrix"), which transcribes the vendor's
# tables (000_8bca743440dfe33c.txt, 001_ec271c3ff40761d0.txt 4.9, 003_d348c65316696df7.txt).
DESIGN_TABLE = """\
| signal | workers | server | 20001 | always; worker-initiated, always open, bidirectional |
| data | workers | server | 20002 | always; bundles, input and output data |
| management | end users (SDK) | server | 25001 (vendor notes 25002 as alternative) | always; HTTPS + XML-RPC |
| web | end users (browser) | server | 443 | always; dashboard over TLS |
| ssh | administrators | server | 22 | optional: troubleshooting only |
| worker-ssh / worker-rdp | server | workers | 22 / 3389 | optional: remote access routed through the server |
| interconnect | workers | workers | 1024-65535 | optional: only for projects whose jobs talk to each other |
| license | server | vendor license host | 80, 443 outbound | on-premises and hybrid; marketplace installs bill through the marketplace |
| cloud API | server | compute and storage APIs | 443 outbound | the server starts and stops workers |
| storage | workers, server, users | object storage | 443 outbound | bundles |
"""

ROLE_WORDS = {
    "workers": Role.WORKERS,
    "server": Role.SERVER,
    "end users (SDK)": Role.USERS,
    "end users (browser)": Role.USERS,
    "users": Role.USERS,
    "administrators": Role.ADMINS,
    "vendor license host": Role.LICENSE_HOST,
    "compute and storage APIs": Role.CLOUD_API,
    "object storage": Role.OBJECT_STORAGE,
}
# The rows whose "when" does not start with always/optional, read with the vendor's legend:
# the license host is needed only where the vendor bills (000_…: Required6 on-premises and hybrid);
# the cloud API and storage are Required8/9/10/11 in every cloud install.
CONDITIONAL_ROWS_REQUIRED = {"license": False, "cloud-api": True, "storage": True}


def _ports(text: str) -> tuple[list[PortRange], list[PortRange]]:
    alternative = re.search(r"\((?:vendor notes )?(\d+) as alternative\)", text)
    main = re.sub(r"\(.*?\)|outbound", "", text)
    ranges = [
        PortRange(*map(int, part.split("-"))) if "-" in part else PortRange(int(part), int(part))
        for part in re.findall(r"\d+(?:-\d+)?", main)
    ]
    return ranges, [PortRange(int(alternative.group(1)), int(alternative.group(1)))] if alternative else []


def design_rows() -> list[dict]:
    rows = []
    for line in DESIGN_TABLE.splitlines():
        name, sources, target, ports, when = (cell.strip() for cell in line.strip("|").split("|"))
        names = [n.strip() for n in name.split("/")]
        port_groups = ports.split(" / ") if len(names) > 1 else [ports]
        for channel_name, port_text in zip(names, port_groups, strict=True):
            channel_name = channel_name.replace("cloud API", "cloud-api")
            main, alternative = _ports(port_text)
            if when.startswith(("always", "optional")):
                required = when.startswith("always")
            else:
                required = CONDITIONAL_ROWS_REQUIRED[channel_name]
            rows.append(
                {
                    "name": channel_name,
                    "sources": {ROLE_WORDS[s.strip()] for s in sources.split(",")},
                    "target": ROLE_WORDS[target],
                    "ports": main,
                    "alternative": alternative,
                    "required": required,
                    "outbound": "outbound" in ports,
                }
            )
    return rows


@pytest.mark.parametrize("row", design_rows(), ids=lambda row: row["name"])
def test_channel_matches_design_row(row):
    channel = CHANNELS_BY_NAME[row["name"]]
    assert set(channel.sources) == row["sources"]
    assert channel.target is row["target"]
    assert list(channel.ports) == row["ports"]
    assert list(channel.alternative_ports) == row["alternative"]
    assert channel.required is row["required"]
    assert (channel.direction is Direction.EGRESS) is row["outbound"]
    assert channel.protocol == "tcp"


# Channels inside the deployment's own network that the vendor's port tables leave out; they
# come from the vendor's AWS component list (001_ec271c3ff40761d0.txt 4.10) instead.
# The RDS API endpoint serves AWS's rotation function (its RDS-managed master secret holds no host).
IN_NETWORK_EXTRAS = {"database": Role.DATABASE, "secrets-endpoint": Role.SECRETS_ENDPOINT, "rds-endpoint": Role.RDS_ENDPOINT}
# The vendor's "External Storage" row (000_8bca743440dfe33c.txt, Optional1: Techila Worker to an
# application-specific destination), which the design table leaves out; here HTTPS from the workers.
VENDOR_ROWS_BEYOND_THE_DESIGN = {"external-data": (Role.WORKERS, Role.EXTERNAL_DATA, 443)}


def test_matrix_names_the_design_rows_plus_the_in_network_extras_only():
    expected = [row["name"] for row in design_rows()] + list(IN_NETWORK_EXTRAS) + list(VENDOR_ROWS_BEYOND_THE_DESIGN)
    assert sorted(c.name for c in CHANNELS) == sorted(expected)


@pytest.mark.parametrize(("name", "row"), VENDOR_ROWS_BEYOND_THE_DESIGN.items())
def test_vendor_rows_beyond_the_design_are_outbound_from_their_source(name, row):
    source, target, number = row
    channel = CHANNELS_BY_NAME[name]
    assert channel.sources == (source,) and channel.target is target
    assert channel.ports == (PortRange(number, number),) and channel.direction is Direction.EGRESS


@pytest.mark.parametrize(("name", "target"), IN_NETWORK_EXTRAS.items())
def test_in_network_extras_are_optional_ingress_within_the_deployment(name, target):
    channel = CHANNELS_BY_NAME[name]
    assert channel.target is target and channel.direction is Direction.INGRESS and not channel.required
    assert Role.USERS not in channel.sources and Role.ADMINS not in channel.sources


# The channels a setting switches on and off, and the switch: docs/channels.md's "when" column.
SWITCHES = {
    "ssh": "access.ssh",
    "worker-ssh": "access.workerSsh",
    "worker-rdp": "access.workerRdp",
    "interconnect": "access.interconnect",
    "license": "access.licenseServer",
}


def test_optional_channels_name_a_switch_in_the_settings():
    from config.exposure import setting_value
    from tests.support import plan_of

    assert {c.name: c.enabled_by for c in CHANNELS if c.enabled_by is not None} == SWITCHES
    settings = plan_of("aws-prod").settings
    checked = 0
    for name, switch in SWITCHES.items():
        assert isinstance(setting_value(settings, switch), bool), name
        checked += 1
    assert checked == 5


# When each channel exists, in the words `tdce ports` and the plan print: every setting named here exists.
CONDITIONS = {
    "signal": "always",
    "ssh": "when access.ssh is true",
    "worker-ssh": "when access.workerSsh is true",
    "license": "when access.licenseServer is true",
    "database": "when database.engine is aurora or cloudsql",
    "secrets-endpoint": "when cloud is aws and database.engine is aurora or workerSecrets is set",
    "rds-endpoint": "when cloud is aws and database.engine is aurora",
}


# The settings each condition names, as stack-file paths (the keys of docs/settings.md).
CONDITION_SETTINGS = {
    "signal": [],
    "ssh": ["access.ssh"],
    "worker-ssh": ["access.workerSsh"],
    "license": ["access.licenseServer"],
    "database": ["database.engine"],
    "secrets-endpoint": ["cloud", "database.engine", "workerSecrets"],
    "rds-endpoint": ["cloud", "database.engine"],
}


@pytest.mark.parametrize(("name", "condition"), CONDITIONS.items())
def test_each_channel_says_when_it_exists_in_settings_that_exist(name, condition):
    from tests.support import setting_fields

    assert CHANNELS_BY_NAME[name].condition == condition
    named = [word for word in condition.split() if "." in word or word in ("cloud", "workerSecrets")]
    assert named == CONDITION_SETTINGS[name]
    # Each whole dotted path is a setting the nested settings models define, not only its first part.
    paths = setting_fields()
    assert [word for word in named if word not in paths] == []


def test_a_port_range_is_within_the_spans_around_it_edges_included():
    span = PortRange(1024, 2048)
    assert PortRange(1024, 2048).within(span) and PortRange(1500, 1500).within(span)
    assert not PortRange(1023, 1500).within(span) and not PortRange(1500, 2049).within(span)
    assert not PortRange(3000, 3000).within(span)


def test_an_open_channel_as_json_names_every_field():
    from config.channels import WEB
    from config.exposure import OpenChannel

    opened = OpenChannel(WEB, True, (PortRange(443, 443),), (Role.USERS,), ("198.51.100.0/24",))
    assert opened.as_json() == {
        "name": "web",
        "protocol": "tcp",
        "ports": ["443"],
        "sources": ["users"],
        "sourceCidrs": ["198.51.100.0/24"],
        "target": "server",
        "direction": "ingress",
        "enabled": True,
        # web is always open (docs/channels.md); the vendor's table calls it Required4 (000_8bca743440dfe33c.txt).
        "enabledBy": None,
        "existsWith": None,
        "initiatedBy": "users",
        "vendorReference": "000_8bca743440dfe33c.txt (Required4); 001_ec271c3ff40761d0.txt 4.9",
    }


def test_only_peoples_channels_carry_source_cidrs():
    from config.exposure import channels_for
    from config.loader import settings_from_config
    from tests.support import stack_values

    values, _ = stack_values("aws-prod")
    opened = {c.name: c.source_cidrs for c in channels_for(settings_from_config(values))}
    assert opened["signal"] == () and opened["interconnect"] == () and opened["license"] == ()
    assert opened["web"] == ("198.51.100.0/24", "203.0.113.0/24")
