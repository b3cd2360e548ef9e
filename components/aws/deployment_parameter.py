"""The deployment document (`components/deployment_document.py`) as an SSM parameter, readable by the server role."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.aws.policy_document import allow, document


def parameter_name(stack: str) -> str:
    # Pulumi stack names (letters, digits, '-', '_', '.') are all characters SSM takes in a name.
    return f"/tdce/{stack}/deployment"


class DeploymentParameter(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        stack: str,
        document_json: pulumi.Input[str],
        server_role_name: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:DeploymentParameter", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        parameter = aws.ssm.Parameter(
            f"{name}-parameter",
            name=parameter_name(stack),
            description="TDCE: what the Techila Server is told about its deployment (docs/deployment-document.md)",
            type="String",
            # Nothing in it is secret; `insecure_value` keeps it readable in the plan and the state.
            insecure_value=document_json,
            # Standard parameters hold 4 KB, advanced ones 8 KB; intelligent tiering takes the
            # advanced tier only when a long list of extra roles and groups needs it
            # ("Managing parameter tiers", AWS Systems Manager User Guide).
            tier="Intelligent-Tiering",
            tags=dict(tags),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-read",
            role=server_role_name,
            policy=document(allow("ReadTheDeploymentDocument", ["ssm:GetParameter"], [parameter.arn])),
            opts=child,
        )
        self.name = parameter.name
        self.arn = parameter.arn
        self.register_outputs({"name": self.name, "arn": self.arn})
