"""The Pulumi type tokens the project names: one place for the pack, the offline cloud, the reports and the tests.

Invoke tokens (provider lookups such as getCallerIdentity) are in config/invoke_tokens.py.

Each token is the one its provider SDK registers (`tests/test_resource_types.py` checks every
one against the installed SDK's source), so a rename in a provider release fails one test
instead of silently switching a policy off.
"""

from __future__ import annotations

# AWS: network and firewall
AWS_VPC = "aws:ec2/vpc:Vpc"
AWS_SUBNET = "aws:ec2/subnet:Subnet"
AWS_INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
AWS_ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
AWS_VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
AWS_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
AWS_DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
AWS_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
AWS_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
AWS_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
# AWS: machines and disks
AWS_INSTANCE = "aws:ec2/instance:Instance"
AWS_EIP = "aws:ec2/eip:Eip"
AWS_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
AWS_AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
AWS_VOLUME = "aws:ebs/volume:Volume"
AWS_VOLUME_ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"
# AWS: storage
AWS_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
AWS_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
AWS_BUCKET_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
AWS_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
# AWS: logs and parameters
AWS_LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
AWS_SSM_PARAMETER = "aws:ssm/parameter:Parameter"
# AWS: identity
AWS_ROLE = "aws:iam/role:Role"
AWS_INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
AWS_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
AWS_POLICY = "aws:iam/policy:Policy"
# Resource types that attach managed policies by ARN: `policyArn` (one) or `policyArns` (a set).
AWS_POLICY_ATTACHMENTS = (
    AWS_ROLE_POLICY_ATTACHMENT,
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
)
# Resource types whose `policy` input is an IAM policy document.
AWS_POLICY_DOCUMENTS = (
    AWS_POLICY,
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
# AWS: data tier
AWS_DATABASE_CLUSTER = "aws:rds/cluster:Cluster"
AWS_DATABASE_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
AWS_SECRET = "aws:secretsmanager/secret:Secret"
AWS_SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
AWS_SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
AWS_SERVERLESS_APPLICATION = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
AWS_LAMBDA_FUNCTION = "aws:lambda/function:Function"
AWS_BACKUP_PLAN = "aws:backup/plan:Plan"

# GCP
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
GCP_INSTANCE = "gcp:compute/instance:Instance"
GCP_INSTANCE_TEMPLATES = (
    "gcp:compute/instanceTemplate:InstanceTemplate",
    "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
)
GCP_DISK = "gcp:compute/disk:Disk"
GCP_DISKS = (GCP_DISK, "gcp:compute/regionDisk:RegionDisk")
GCP_ATTACHED_DISK = "gcp:compute/attachedDisk:AttachedDisk"
GCP_INSTANCE_GROUPS = (
    "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
    "gcp:compute/instanceGroupManager:InstanceGroupManager",
)
GCP_SNAPSHOT_SCHEDULE = "gcp:compute/resourcePolicy:ResourcePolicy"
GCP_BUCKET = "gcp:storage/bucket:Bucket"
GCP_DATABASE_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance"
GCP_SECRET = "gcp:secretmanager/secret:Secret"
GCP_SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
GCP_SQL_USER = "gcp:sql/user:User"
GCP_GLOBAL_ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
# Grants on one service account: who may act as it.
GCP_SERVICE_ACCOUNT_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
GCP_SERVICE_ACCOUNT_BINDING = "gcp:serviceaccount/iAMBinding:IAMBinding"
GCP_CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
# Grants on the whole project: a role here reaches every resource of the project.
GCP_PROJECT_GRANTS = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
)
# Every grant with a `role` input, on the project or on one resource.
GCP_IAM_GRANTS = (
    *GCP_PROJECT_GRANTS,
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    GCP_SERVICE_ACCOUNT_MEMBER,
    GCP_SERVICE_ACCOUNT_BINDING,
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    "gcp:secretmanager/secretIamBinding:SecretIamBinding",
    "gcp:pubsub/topicIAMMember:TopicIAMMember",
)
# A whole IAM policy as JSON (`policyData`): its bindings are grants too.
GCP_PROJECT_POLICY = "gcp:projects/iAMPolicy:IAMPolicy"

# Neither cloud's
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
RANDOM_ID = "random:index/randomId:RandomId"
RANDOM_SHUFFLE = "random:index/randomShuffle:RandomShuffle"
STACK = "pulumi:pulumi:Stack"
AWS_PROVIDER = "pulumi:providers:aws"
GCP_PROVIDER = "pulumi:providers:gcp"
