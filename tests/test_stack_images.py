"""On GCP a pool the dashboard starts must boot an image the server may read: in the stack's project,
only one named with the stack's prefix (its images.useReadOnly is conditioned on it)."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.resolved import resolve
from tests.support import stack_values, with_setting

# gcp-prod's project and prefix (`tdce-`, the stack's name, `--`: config/gcp_names.py's rules).
PROJECT, PREFIX = "tdce-prod-example", "tdce-gcp-prod--"


def resolved_with(image: str, owner: str = "dashboard"):
    values, secret_keys = stack_values("gcp-prod")
    values = with_setting(with_setting(values, "workers[0].image", image), "workers[0].capacityOwner", owner)
    if owner == "pulumi":
        values = with_setting(values, "workers[0].desiredCount", 1)
    return resolve("gcp-prod", values, secret_keys)


@pytest.mark.parametrize(
    "image",
    [
        f"projects/{PROJECT}/global/images/techila-worker-v3",
        f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/images/tdce-gcp-prod-eu--worker",
    ],
    ids=["no prefix", "another stack's prefix"],
)
def test_a_dashboard_pool_on_an_image_of_the_project_outside_the_prefix_is_refused(image):
    with pytest.raises(ConfigError) as caught:
        resolved_with(image)
    (problem,) = caught.value.problems
    assert problem.key == "tdce:workers[0].image" and f"lacks the stack's prefix '{PREFIX}'" in problem.message


@pytest.mark.parametrize(
    ("image", "owner"),
    [
        (f"projects/{PROJECT}/global/images/{PREFIX}worker-v3", "dashboard"),
        ("projects/debian-cloud/global/images/debian-12-bookworm-v20241112", "dashboard"),
        (f"projects/{PROJECT}/global/images/techila-worker-v3", "pulumi"),
    ],
    ids=["the stack's own image", "a public image", "a pool Pulumi's group starts"],
)
def test_images_the_server_may_read_or_need_not_pass(image, owner):
    assert resolved_with(image, owner).settings.workers[0].image == image
