"""`tdce init`: a commented stack file from flags, that the loader reads and the plan accepts; bad flags write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import settings_from_config
from config.stack_file import read_stack_config
from tdce.cli import main

USAGE, OK = 64, 0  # docs/command-line.md
PASSWORD_COMMAND = "pulumi config set --secret tdce:dashboardAdminPassword"

AWS_FLAGS = [
    "--cloud", "aws", "--region", "eu-central-1",
    "--user-cidr", "198.51.100.0/24", "--user-cidr", "203.0.113.0/24",
    "--admin-cidr", "203.0.113.10/32", "--ssh",
    "--server-type", "m5.2xlarge", "--data-disk-gb", "512",
    "--worker-type", "c5.4xlarge", "--max-workers", "20",
]  # fmt: skip
GCP_FLAGS = [
    "--cloud", "gcp", "--project", "tdce-test-project", "--region", "europe-west4",
    "--user-cidr", "192.0.2.0/24", "--database", "cloudsql", "--on-demand", "--worker-type", "n2-standard-8",
]  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (
            AWS_FLAGS,
            {"cloud": "aws", "region": "eu-central-1", "user_cidrs": ("198.51.100.0/24", "203.0.113.0/24"),
             "admin_cidrs": ("203.0.113.10/32",), "ssh": True, "server": "m5.2xlarge", "disk": 512,
             "pool": ("c5.4xlarge", "spot", 20), "database": "local"},
        ),
        (
            GCP_FLAGS,
            {"cloud": "gcp", "region": "europe-west4", "user_cidrs": ("192.0.2.0/24",), "admin_cidrs": (), "ssh": False,
             "server": "n2-standard-4", "disk": 1024, "pool": ("n2-standard-8", "on-demand", 10), "database": "cloudsql"},
        ),
    ],
    ids=["aws", "gcp"],
)  # fmt: skip
def test_init_writes_a_commented_file_with_the_choices_that_plans(flags, expected, tmp_path: Path, capsys) -> None:
    assert main(["init", "new-stack", *flags, "--config-dir", str(tmp_path)]) == OK
    written = (tmp_path / "Pulumi.new-stack.yaml").read_text()
    assert "secure:" not in written and "v1:" not in written  # no ciphertext to fail decryption
    assert PASSWORD_COMMAND in written and PASSWORD_COMMAND in capsys.readouterr().out
    assert sum(line.lstrip().startswith("#") for line in written.splitlines()) >= 10
    assert "docs/command-line.md" in written

    config = read_stack_config("new-stack", tmp_path)
    settings = settings_from_config(config.values, config.secret_keys)
    assert settings.cloud == expected["cloud"] and settings.region == expected["region"]
    assert settings.access.user_cidrs == expected["user_cidrs"]
    assert settings.access.admin_cidrs == expected["admin_cidrs"]
    assert settings.access.ssh is expected["ssh"]
    # The defaults (GCP's n2-standard-4, 1024 GB) are docs/settings.md's.
    assert settings.server.instance_type == expected["server"]
    assert settings.server.data_disk.size_gb == expected["disk"]
    [pool] = settings.workers
    assert (pool.instance_type, pool.purchase, pool.max_count) == expected["pool"]
    assert settings.database.engine == expected["database"]

    assert main(["plan", "new-stack", "--config-dir", str(tmp_path), "--no-policy"]) == OK


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    arguments = ["init", "again", "--cloud", "aws", "--user-cidr", "192.0.2.0/24", "--config-dir", str(tmp_path)]
    assert main(arguments) == OK
    target = tmp_path / "Pulumi.again.yaml"
    target.write_text(target.read_text() + "# my edit\n")
    capsys.readouterr()
    assert main(arguments) == USAGE
    assert "--force" in capsys.readouterr().err
    assert target.read_text().endswith("# my edit\n")
    assert main([*arguments, "--force"]) == OK
    assert not target.read_text().endswith("# my edit\n")


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--cloud", "aws", "--user-cidr", "10.0.0.300/8"], "--user-cidr"),
        (["--cloud", "aws", "--user-cidr", "10.0.0.1/8"], "--user-cidr"),  # host bits set: not a network
        (["--cloud", "aws", "--user-cidr", "10.0.0.0/8", "--admin-cidr", "0.0.0.0/0"], "--admin-cidr"),
        (["--cloud", "aws", "--region", "eu-wset-1", "--user-cidr", "10.0.0.0/8"], "--region"),
        (["--cloud", "aws", "--region", "europe-north1", "--user-cidr", "10.0.0.0/8"], "--region"),
        (["--cloud", "aws", "--user-cidr", "10.0.0.0/8", "--ssh"], "--admin-cidr"),  # SSH on AWS needs an admin range
        (["--cloud", "aws", "--user-cidr", "10.0.0.0/8", "--server-type", "m5.large"], "--server-type"),
        (["--cloud", "aws", "--user-cidr", "10.0.0.0/8", "--project", "p-12345"], "--project"),
        (["--cloud", "gcp", "--user-cidr", "10.0.0.0/8"], "--project"),
        (["--cloud", "gcp", "--project", "tdce-test", "--region", "europe-north", "--user-cidr", "10.0.0.0/8"], "--region"),
        (["--cloud", "gcp", "--project", "tdce-test", "--database", "aurora", "--user-cidr", "10.0.0.0/8"], "--database"),
        # A pool's flags without the pool: nothing would have used them.
        (["--cloud", "aws", "--user-cidr", "10.0.0.0/8", "--max-workers", "5"], "--max-workers"),
        (["--cloud", "aws", "--user-cidr", "10.0.0.0/8", "--on-demand"], "--on-demand"),
    ],
)
def test_a_bad_flag_is_one_line_naming_it_and_nothing_is_written(flags, named, tmp_path: Path, capsys) -> None:
    assert main(["init", "bad", *flags, "--config-dir", str(tmp_path)]) == USAGE
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"tdce init: {named}: "), line
    assert list(tmp_path.iterdir()) == []


def test_the_region_typo_gets_a_suggestion(tmp_path: Path, capsys) -> None:
    main(["init", "bad", "--cloud", "aws", "--region", "eu-wset-1", "--user-cidr", "10.0.0.0/8", "--config-dir", str(tmp_path)])
    assert "did you mean eu-west-1?" in capsys.readouterr().err
