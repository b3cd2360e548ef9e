"""Trust policies for roles an AWS service assumes, limited to this account (`aws:SourceAccount`).

The condition keeps another account from having the service act with this role on its behalf
("The confused deputy problem", IAM User Guide). Stands in for the shared helper that
`components/aws/policy_document.py` is getting; point `trusted_service` at it once it lands.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws.policy_document import VERSION


def trusted_service(service: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    """`service` (backup.amazonaws.com, …) may assume the role when it acts for this account."""
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": ["sts:AssumeRole"],
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": [trust]})
