"""What Checkov's terraform_plan checks find in the example stacks, and why each finding stands.

Every finding on the six example stacks is listed here, with the stacks it appears on and a
reason; tests/test_checkov.py fails on a finding this table does not hold, and on an entry no
finding matches any more (fixed: delete the entry). `until` marks a finding that is real and
waits for a fix already planned, with the issue that plans it.
"""

from __future__ import annotations

from dataclasses import dataclass

AWS = ("aws-prod", "aws-dev", "aws-aurora", "aws-restore")
AURORA = ("aws-aurora", "aws-restore")
GCP = ("gcp-prod", "gcp-restore")


@dataclass(frozen=True)
class Accepted:
    check: str
    resource: str
    stacks: tuple[str, ...]
    reason: str
    # The issue whose fix removes the finding; None when the finding is a decision.
    until: str | None = None


ACCEPTED: tuple[Accepted, ...] = (
    # The dashboard admin password: a deliberate exception.
    Accepted(
        "CKV2_AWS_57",
        "aws_secretsmanager_secret.tdce-dashboard-admin-password-secret",
        AWS,
        "Deliberately not rotated: it holds the Techila Dashboard admin password, which the user may choose "
        "(tdce:dashboardAdminPassword; 001_ec271c3ff40761d0.txt 3.1 step 10) and the server sets as the "
        "dashboard login at install. A rotation would change the secret and not the login, locking the admin "
        "out; the admin changes it in the dashboard, then in the secret.",
    ),
    # Checkov reading the rules wrong.
    Accepted(
        "CKV_AWS_24",
        "aws_vpc_security_group_ingress_rule.tdce-firewall-worker-ssh-from-server",
        ("aws-dev",),
        "Not open to 0.0.0.0/0: the rule admits the server's group (referenced_security_group_id). Checkov's "
        "rule for aws_vpc_security_group_ingress_rule counts only cidr_ipv4/cidr_ipv6, security_groups and "
        "source_security_group_id as sources, and takes a rule with none of them for open to the world.",
    ),
    Accepted(
        "CKV_AWS_25",
        "aws_vpc_security_group_ingress_rule.tdce-firewall-interconnect-from-workers",
        ("aws-dev",),
        "Not open to 0.0.0.0/0: worker-to-worker only (referenced_security_group_id is the workers' group); "
        "the same misreading as CKV_AWS_24 on a range (1024-65535) that contains 3389.",
    ),
    Accepted(
        "CKV2_AWS_5",
        "aws_security_group.tdce-firewall-secret-rotation",
        AURORA,
        "Attached to the rotation function, through the Serverless Application Repository stack's "
        "vpcSecurityGroupIds parameter: a resource type no Checkov check reads, so the converter leaves it out.",
    ),
    # The data tier (components/aws/database/, backup.py, storage.py, flow_logs.py).
    Accepted(
        "CKV_AWS_166",
        "aws_backup_vault.tdce-backup-vault",
        ("aws-prod", "aws-aurora"),
        "A vault's key encrypts only backups of resource types AWS Backup fully manages; EBS and Aurora recovery "
        'points keep their source\'s encryption ("Encryption for backups in AWS Backup"). The vault uses '
        "aws/backup; a key of our own would encrypt nothing of this stack's.",
    ),
    Accepted(
        "CKV_AWS_166",
        "aws_backup_vault.tdce-backup-copy-vault",
        ("aws-aurora",),
        "The copy vault, as CKV_AWS_166 on the vault: the copies keep their sources' encryption.",
    ),
    Accepted(
        "CKV_AWS_149",
        "aws_secretsmanager_secret.tdce-database-secrets-user",
        AURORA,
        "Encrypted with the account's aws/secretsmanager key; a customer managed key matters for sharing "
        "a secret across accounts, which this stack never does.",
    ),
    Accepted(
        "CKV_AWS_149",
        "aws_secretsmanager_secret.tdce-dashboard-admin-password-secret",
        AWS,
        "As the database user secret: aws/secretsmanager, read only within the account.",
    ),
    Accepted(
        "CKV_AWS_327",
        "aws_rds_cluster.tdce-database-cluster",
        AURORA,
        "Storage encrypted with aws/rds (storage_encrypted); a customer managed key is for sharing snapshots "
        "across accounts, which the restore path (tdce backup) does not need.",
    ),
    Accepted(
        "CKV_AWS_162",
        "aws_rds_cluster.tdce-database-cluster",
        AURORA,
        "The Techila Server logs in with the application user's password from Secrets Manager; IAM "
        "authentication would open a second way in that nothing uses.",
    ),
    Accepted(
        "CKV_AWS_324",
        "aws_rds_cluster.tdce-database-cluster",
        AURORA,
        "Exporting the PostgreSQL log makes RDS create /aws/rds/cluster/<id>/postgresql with no expiry; the "
        "stack keeps log retention bounded, and the engine logs stay in RDS for its own retention.",
    ),
    Accepted(
        "CKV2_AWS_27",
        "aws_rds_cluster.tdce-database-cluster",
        AURORA,
        "Statement logging (log_statement) would write the Techila Server's queries, with their data, to the "
        "log; not on by default.",
    ),
    Accepted(
        "CKV_AWS_118",
        "aws_rds_cluster_instance.tdce-database-writer",
        AURORA,
        "Enhanced monitoring needs a monitoring role and costs per instance; Serverless v2 publishes its "
        "capacity and load metrics to CloudWatch without it.",
    ),
    Accepted(
        "CKV_AWS_118",
        "aws_rds_cluster_instance.tdce-database-reader",
        ("aws-aurora",),
        "The reader, as the writer: Serverless v2 metrics reach CloudWatch without enhanced monitoring.",
    ),
    Accepted(
        "CKV_AWS_353",
        "aws_rds_cluster_instance.tdce-database-writer",
        AURORA,
        "Performance Insights is a paid diagnosis tool, switched on when there is something to diagnose.",
    ),
    Accepted(
        "CKV_AWS_353",
        "aws_rds_cluster_instance.tdce-database-reader",
        ("aws-aurora",),
        "The reader, as the writer: Performance Insights is switched on when there is something to diagnose.",
    ),
    Accepted(
        "CKV2_AWS_8",
        "aws_rds_cluster.tdce-database-cluster",
        ("aws-restore",),
        "That stack leaves tdce:backup off (the default); aws-aurora shows the cluster selected. Aurora's own "
        "automated backups (backupRetentionDays, at least 7) still run.",
    ),
    Accepted(
        "CKV2_AWS_9",
        "aws_ebs_volume.tdce-server-data",
        ("aws-dev", "aws-restore"),
        "Those stacks leave tdce:backup off (the default); aws-prod and aws-aurora select the data volume.",
    ),
    Accepted(
        "CKV_AWS_117",
        "aws_lambda_function.tdce-database-secrets-application-user-function",
        ("aws-aurora",),
        "Outside the VPC on purpose: it reaches Aurora through the RDS Data API, an AWS endpoint, and so leaves "
        "no network interfaces for `pulumi destroy` to wait for.",
    ),
    Accepted(
        "CKV_AWS_115",
        "aws_lambda_function.tdce-database-secrets-application-user-function",
        ("aws-aurora",),
        "Invoked once, by the stack; reserving concurrency would take from the account's unreserved pool and "
        "fails in accounts at the minimum.",
    ),
    Accepted(
        "CKV_AWS_116",
        "aws_lambda_function.tdce-database-secrets-application-user-function",
        ("aws-aurora",),
        "Invoked synchronously by the stack (aws.lambda_.Invocation): a failure fails `pulumi up`, where a "
        "dead-letter queue would hide it.",
    ),
    Accepted(
        "CKV_AWS_50",
        "aws_lambda_function.tdce-database-secrets-application-user-function",
        ("aws-aurora",),
        "Three SQL statements, once; its log group holds what tracing would show.",
    ),
    Accepted(
        "CKV_AWS_272",
        "aws_lambda_function.tdce-database-secrets-application-user-function",
        ("aws-aurora",),
        "The code is this repository's, uploaded by the stack from the file under review; no signing profile "
        "exists to sign it with.",
    ),
    Accepted(
        "CKV_AWS_158",
        "aws_cloudwatch_log_group.tdce-database-secrets-application-user-logs",
        ("aws-aurora",),
        "CloudWatch Logs encrypts every log group; a customer managed key adds a key policy to keep, for logs that hold no data.",
    ),
    Accepted(
        "CKV_AWS_158",
        "aws_cloudwatch_log_group.tdce-network-flow-logs-group",
        ("aws-prod",),
        "As the application-user logs: encrypted by CloudWatch Logs with its own key.",
    ),
    Accepted(
        "CKV_AWS_338",
        "aws_cloudwatch_log_group.tdce-database-secrets-application-user-logs",
        ("aws-aurora",),
        "90 days: the function runs once, at the first `up`.",
    ),
    Accepted(
        "CKV_AWS_338",
        "aws_cloudwatch_log_group.tdce-network-flow-logs-group",
        ("aws-prod",),
        "90 days (components/aws/flow_logs.py): flow logs are bulky; a quarter covers incident review.",
    ),
    Accepted(
        "CKV2_AWS_11",
        "aws_vpc.tdce-network-vpc",
        ("aws-dev", "aws-aurora", "aws-restore"),
        "Flow logs are tdce:network.flowLogs, on in aws-prod (which passes) and left off in these examples.",
    ),
    Accepted(
        "CKV_AWS_21",
        "aws_s3_bucket.tdce-storage-bundles",
        ("aws-dev", "aws-aurora", "aws-restore"),
        "Versioning is tdce:bucket.versioning, on in aws-prod (which passes); bundles are re-uploaded from "
        "the SDK, so the examples leave it off.",
    ),
    Accepted(
        "CKV2_AWS_61",
        "aws_s3_bucket.tdce-storage-bundles",
        AWS,
        "Expiry is tdce:bucket.expireAfterDays, unset by default: bundles live as long as their projects.",
    ),
    Accepted(
        "CKV_AWS_18",
        "aws_s3_bucket.tdce-storage-bundles",
        AWS,
        "Server access logs need a second bucket to receive them; the bundle bucket's API calls are in CloudTrail.",
    ),
    Accepted(
        "CKV_AWS_144",
        "aws_s3_bucket.tdce-storage-bundles",
        AWS,
        "Bundles are working copies the SDK uploads again; replicating them to another region doubles the "
        "cost for nothing a restore needs (the data volume and database are what tdce:backup copies).",
    ),
    Accepted(
        "CKV_AWS_145",
        "aws_s3_bucket.tdce-storage-bundles",
        AWS,
        "Encrypted with SSE-S3 (AES256); SSE-KMS would add a KMS call and its cost to every worker's download.",
    ),
    Accepted(
        "CKV2_AWS_62",
        "aws_s3_bucket.tdce-storage-bundles",
        AWS,
        "Nothing consumes bucket events: the Techila Server tracks its bundles itself.",
    ),
    # The server and workers (components/aws/server.py, worker_pool.py: the compute side's files).
    Accepted(
        "CKV_AWS_88",
        "aws_instance.tdce-server-instance",
        AWS,
        "The server is reached by users' SDKs and browsers on its Elastic IP (001_ec271c3ff40761d0.txt 4.10, "
        "ServerEIP); the firewall admits only tdce:access.userCidrs.",
    ),
    Accepted(
        "CKV_AWS_88",
        "aws_launch_template.tdce-workers-linux-spot-template",
        ("aws-prod", "aws-aurora", "aws-restore"),
        "The subnets have no NAT gateway: a pool's publicIp (tdce:workers[].publicIp, on by default) is the "
        "workers' way to the internet their jobs read from; no firewall rule admits the internet to them.",
    ),
    Accepted(
        "CKV_AWS_88",
        "aws_launch_template.tdce-workers-linux-ondemand-template",
        ("aws-prod",),
        "As the spot pools: publicIp on the pool (tdce:workers[].publicIp), no ingress from the internet.",
    ),
    Accepted(
        "CKV_AWS_88",
        "aws_launch_template.tdce-workers-dev-spot-template",
        ("aws-dev",),
        "As the other pools: publicIp on the pool, no ingress from the internet.",
    ),
    Accepted(
        "CKV_AWS_126",
        "aws_instance.tdce-server-instance",
        AWS,
        "Detailed (1-minute) monitoring is billed per metric; `tdce health` asks the server itself.",
    ),
    Accepted(
        "CKV_AWS_135",
        "aws_instance.tdce-server-instance",
        AWS,
        "Current-generation types, such as the m5 types the examples and the vendor's minimum use, are "
        "EBS-optimized by default whatever ebs_optimized says; Checkov reads only the argument.",
    ),
    Accepted(
        "CKV_AWS_189",
        "aws_ebs_volume.tdce-server-data",
        AWS,
        "Encrypted with aws/ebs (CKV_AWS_3 passes); a customer managed key is for sharing snapshots across "
        "accounts, which the restore path does not do.",
    ),
    # GCP (components/gcp/). Cloud SQL's TLS (CKV_GCP_6) and CIS logging flags were fixed in issue 15;
    # the one flag it leaves unset:
    Accepted(
        "CKV2_GCP_13",
        "google_sql_database_instance.tdce-database-instance",
        GCP,
        "Cloud SQL's log_duration flag is unset: it is not among the CIS flags the component sets "
        "(components/gcp/database/instance.py), and it would add a log line per statement of the Techila "
        "Server's own job traffic; left off on purpose.",
    ),
    Accepted(
        "CKV_GCP_79",
        "google_sql_database_instance.tdce-database-instance",
        GCP,
        "The major is tdce:database.cloudsql.databaseVersion (default POSTGRES_16), a choice the Techila "
        "Server's support decides; Checkov wants the newest Cloud SQL offers.",
    ),
    Accepted(
        "CKV_GCP_37",
        "google_compute_disk.tdce-server-data",
        GCP,
        "Customer-supplied keys must be given again at every start of the VM, so the server could not restart "
        "on its own; the disk is encrypted with Google's keys.",
    ),
    Accepted(
        "CKV_GCP_38",
        "google_compute_instance.tdce-server-vm",
        GCP,
        "The boot disk, as CKV_GCP_37 on the data disk.",
    ),
    Accepted(
        "CKV_GCP_40",
        "google_compute_instance.tdce-server-vm",
        GCP,
        "The server is reached by users on its external address, as on AWS (CKV_AWS_88); the firewall admits "
        "only tdce:access.userCidrs.",
    ),
    Accepted(
        "CKV_GCP_40",
        "google_compute_instance_template.tdce-workers-linux-ondemand",
        ("gcp-restore",),
        "That pool leaves publicIp on (the default); no firewall rule admits the internet to workers.",
    ),
    Accepted(
        "CKV_GCP_26",
        "google_compute_subnetwork.tdce-network-subnet",
        ("gcp-restore",),
        "Flow logs are tdce:network.flowLogs, on in gcp-prod (which passes) and off in that example.",
    ),
    Accepted(
        "CKV_GCP_62",
        "google_storage_bucket.tdce-storage-bundles",
        GCP,
        "Usage logs need a second bucket; Cloud Audit Logs record the bucket's access.",
    ),
    Accepted(
        "CKV_GCP_78",
        "google_storage_bucket.tdce-storage-bundles",
        GCP,
        "Versioning is tdce:bucket.versioning, as on AWS; the GCP examples leave it off.",
    ),
)
