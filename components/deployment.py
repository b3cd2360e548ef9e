"""Pick the cloud's deployment component and export its outputs as the stack's outputs."""

from __future__ import annotations

import pulumi

from config.settings import Settings

# The logical name of the top component; every resource name starts with it.
DEPLOYMENT_NAME = "tdce"


def deploy(settings: Settings) -> None:
    if settings.cloud == "aws":
        from components.aws.deployment import AwsDeployment as Deployment
    else:
        from components.gcp.deployment import GcpDeployment as Deployment
    deployment = Deployment(DEPLOYMENT_NAME, settings=settings)
    for key, value in deployment.stack_outputs().items():
        pulumi.export(key, value)
