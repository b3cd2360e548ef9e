"""Pick the cloud's deployment component and export its outputs as the stack's outputs."""

from __future__ import annotations

import pulumi

from config.resolved import ResolvedStack

# The logical name of the top component; every resource name starts with it.
DEPLOYMENT_NAME = "tdce"


def deploy(stack: ResolvedStack) -> None:
    if stack.cloud == "aws":
        from components.aws.deployment import AwsDeployment as Deployment
    else:
        from components.gcp.deployment import GcpDeployment as Deployment
    deployment = Deployment(DEPLOYMENT_NAME, stack=stack)
    for key, value in deployment.outputs.exported(stack.channels).items():
        pulumi.export(key, value)
