"""Canned AWS answers for the data tier: Aurora, its rotation function, and the random suffixes around them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.invoke_tokens import AWS_GET_ENGINE_VERSION
from config.resource_types import AWS_DATABASE_CLUSTER, AWS_SERVERLESS_APPLICATION, AWS_VOLUME, RANDOM_ID
from tdce.mock_cloud.aws import ACCOUNT_ID, partition_of, region_of

# What the offline plan says the newest minor of a major is: an obvious stand-in, since the
# real answer changes every quarter ("Aurora PostgreSQL release calendars").
OFFLINE_NEWEST_MINOR = 99


def _engine_version(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """aws:rds/getEngineVersion with `version` and `latest`: a full version as asked, a major as `<major>.99`."""
    asked = str(arguments["version"])
    found = asked if "." in asked else f"{asked}.{OFFLINE_NEWEST_MINOR}"
    return {
        "engine": arguments.get("engine"),
        "version": found,
        "versionActual": found,
        "status": "available",
        "id": f"{arguments.get('engine')}-{found}",
    }


INVOKES = {AWS_GET_ENGINE_VERSION: _engine_version}


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    region = region_of(inputs)
    if type_token == AWS_DATABASE_CLUSTER:
        identifier = inputs.get("clusterIdentifier") or resource_id
        return {
            "clusterIdentifier": identifier,
            "arn": f"arn:{partition_of()}:rds:{region}:{ACCOUNT_ID}:cluster:{identifier}",
            "endpoint": f"{identifier}.cluster-offline.{region}.rds.amazonaws.com",
            "readerEndpoint": f"{identifier}.cluster-ro-offline.{region}.rds.amazonaws.com",
            "engineVersion": inputs.get("engineVersion"),
            "masterUserSecrets": [
                {
                    "secretArn": f"arn:{partition_of()}:secretsmanager:{region}:{ACCOUNT_ID}:secret:rds!cluster-{identifier}",
                    "secretStatus": "active",
                }
            ],
        }
    if type_token == AWS_SERVERLESS_APPLICATION:
        return {"outputs": {"RotationLambdaARN": f"arn:{partition_of()}:lambda:{region}:{ACCOUNT_ID}:function:{name}"}}
    if type_token == RANDOM_ID:
        return {"hex": "0ff1ce00", "b64Url": "D_HOAA", "dec": "267505152"}
    if type_token == AWS_VOLUME:
        return {"arn": f"arn:{partition_of()}:ec2:{region}:{ACCOUNT_ID}:volume/{resource_id}"}
    return {}
