"""The RDS API's interface endpoint, for the database's rotation function.

AWS's multi-user rotation function reads the cluster's address with DescribeDBClusters (an
RDS-managed master secret holds only the user name and password); its subnets have no route
out. Private DNS sends every RDS API call in the VPC here, and only the rotation function is a
source of the matrix's `rds-endpoint` channel: nothing else in the VPC calls the RDS API.
"""

from __future__ import annotations

from components.aws.interface_endpoint import InterfaceEndpoint


class RdsEndpoint(InterfaceEndpoint):
    TYPE = "tdce:aws:RdsEndpoint"
    SERVICE = "rds"
