"""The Cloud SQL `postgres` password in Secret Manager, on a rotation schedule that only notifies.

When rotation is due, Secret Manager publishes a message to a Pub/Sub topic and does nothing
else: something subscribed to the topic must set a new password in Cloud SQL and add it as a
new version of the secret. Until then the password stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_gcp as gcp

from components.gcp.secrets import stored_secret

SECONDS_PER_DAY = 86400


def first_rotation(rotation_days: int) -> str:
    # Read only when the secret is created (ignored afterwards), so it need not be stable; midnight keeps a day's plans equal.
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=rotation_days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def rotated_password_secret(
    name: str,
    *,
    value: pulumi.Input[str],
    rotation_days: int,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> pulumi.Output[str]:
    """The secret's resource name. Nobody may read it but project owners: the server logs in with IAM,
    and an owner uses the password once, to grant the server's database user its tables."""
    topic = gcp.pubsub.Topic(f"{name}-rotation", labels=dict(tags), opts=opts)
    # Secret Manager publishes as its service agent, and checks it may before it accepts the topic.
    agent = gcp.projects.ServiceIdentity(f"{name}-secretmanager-agent", service="secretmanager.googleapis.com", opts=opts)
    may_publish = gcp.pubsub.TopicIAMMember(
        f"{name}-rotation-publisher",
        topic=topic.id,
        role="roles/pubsub.publisher",
        member=agent.member,
        opts=opts,
    )
    secret = stored_secret(
        name,
        value=value,
        readers={},
        tags=tags,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[may_publish])),
        ignore_changes=["rotation.nextRotationTime"],
        rotation={"rotation_period": f"{rotation_days * SECONDS_PER_DAY}s", "next_rotation_time": first_rotation(rotation_days)},
        topics=[{"name": topic.id}],
    )
    return secret.name
