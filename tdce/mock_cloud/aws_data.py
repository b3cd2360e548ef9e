"""Canned AWS answers for the data tier: Aurora, its rotation function, and the random suffixes around them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tdce.mock_cloud.aws import ACCOUNT_ID, PARTITION

REGION = "eu-west-1"


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    if type_token == "aws:rds/cluster:Cluster":
        identifier = inputs.get("clusterIdentifier") or resource_id
        return {
            "clusterIdentifier": identifier,
            "arn": f"arn:{PARTITION}:rds:{REGION}:{ACCOUNT_ID}:cluster:{identifier}",
            "endpoint": f"{identifier}.cluster-offline.{REGION}.rds.amazonaws.com",
            "readerEndpoint": f"{identifier}.cluster-ro-offline.{REGION}.rds.amazonaws.com",
            "engineVersion": inputs.get("engineVersion"),
            "masterUserSecrets": [
                {
                    "secretArn": f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:rds!cluster-{identifier}",
                    "secretStatus": "active",
                }
            ],
        }
    if type_token == "aws:serverlessrepository/cloudFormationStack:CloudFormationStack":
        return {"outputs": {"RotationLambdaARN": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"}}
    if type_token == "random:index/randomId:RandomId":
        return {"hex": "0ff1ce00", "b64Url": "D_HOAA", "dec": "267505152"}
    if type_token == "aws:ebs/volume:Volume":
        return {"arn": f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT_ID}:volume/{resource_id}"}
    return {}
