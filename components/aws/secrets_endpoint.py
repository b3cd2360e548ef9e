"""The Secrets Manager interface endpoint.

Once it exists, private DNS sends every Secrets Manager call in the VPC through it, so every
group that reads secrets is a source of the matrix's `secrets-endpoint` channel: the server,
the workers and the database's rotation function. The firewall opens those rules.
"""

from __future__ import annotations

from components.aws.interface_endpoint import InterfaceEndpoint


class SecretsEndpoint(InterfaceEndpoint):
    TYPE = "tdce:aws:SecretsEndpoint"
    SERVICE = "secretsmanager"
