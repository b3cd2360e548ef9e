"""Longer deletes for the security groups, which AWS cannot delete while a network interface still uses them.

The provider's note on aws.ec2.SecurityGroup: groups associated with Lambda functions "can take up
to 45 minutes to successfully delete" (the provider waits that long for them by itself). The
interfaces of the interface endpoints, of the rotation function and of the workers the dashboard
started are released after their owners are gone, sometimes minutes later; a `destroy` that gives
up on the group first leaves the subnets and the VPC behind. Every group of the deployment gets the
same patience, applied to the firewall from outside so the firewall stays about rules.
"""

from __future__ import annotations

import pulumi

from config.resource_types import AWS_SECURITY_GROUP

GROUP_DELETE_TIMEOUT = "45m"


def longer_group_deletes(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """A `transformations` entry: security groups below the resource it is set on wait longer to delete."""
    if args.type_ != AWS_SECURITY_GROUP:
        return None
    given = args.opts.custom_timeouts if args.opts else None
    if given is not None and given.delete:
        return None  # a group with its own, longer, reason to wait (the rotation function's) keeps it
    timeouts = pulumi.CustomTimeouts(delete=GROUP_DELETE_TIMEOUT)
    return pulumi.ResourceTransformationResult(
        args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(custom_timeouts=timeouts))
    )
