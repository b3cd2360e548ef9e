"""Lambda handler: create the TDCE application user in a new Aurora cluster, once, through the RDS Data API.

AWS's multi-user rotation function cannot create the first user: before it rotates, it logs in
with the secret's current user and refuses to go on when that fails; it only ever creates the
`_clone` user, with `GRANT <current user> TO <clone>` (aws-samples/aws-secrets-manager-rotation-lambdas,
SecretsManagerRDSPostgreSQLRotationMultiUser/lambda_function.py, set_secret). So the stack makes the
user the secret names, with the secret's first password, before the rotation schedule is set.

Runs in the Lambda Python runtime (standard library and boto3 only). The password never
appears in SQL text: the role gets a SCRAM-SHA-256 verifier computed here (PostgreSQL stores a
pre-hashed password as given; "Password Authentication", PostgreSQL docs), so no statement log
or trail holds it. Idempotent: a user that exists is left as it is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import time
from typing import Any

# PostgreSQL identifiers this stack writes (`techila`, `techila_clone`): plain lower-case names,
# which need no quoting rules beyond double quotes.
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# SCRAM-SHA-256 as PostgreSQL computes it (RFC 7677; PostgreSQL's scram_iterations default, 4096).
SCRAM_ITERATIONS = 4096
SALT_BYTES = 16
# A cluster at 0 ACUs answers DatabaseResumingException while it wakes ("Scaling to Zero ACUs with
# automatic pause and resume for Aurora Serverless v2": resuming takes about 15 seconds).
RESUME_ATTEMPTS = 12
RESUME_WAIT_SECONDS = 5


def scram_verifier(password: str, salt: bytes, iterations: int = SCRAM_ITERATIONS) -> str:
    """The `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` text PostgreSQL keeps in pg_authid."""
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    encode = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{encode(salt).decode()}${encode(stored_key).decode()}:{encode(server_key).decode()}"


def identifier(name: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"refusing to create a database user named {name!r}: not a plain lower-case identifier")
    return f'"{name}"'


def statements(username: str, database: str, verifier: str) -> list[str]:
    """What makes the user: log in, connect to and create in the TDCE database, create in its public schema.

    The rotation's clone inherits these through its membership of this role.
    """
    user, db = identifier(username), identifier(database)
    if "'" in verifier:
        raise ValueError("a SCRAM verifier never holds a quote")
    return [
        f"CREATE ROLE {user} WITH LOGIN PASSWORD '{verifier}'",
        f"GRANT CONNECT, TEMPORARY, CREATE ON DATABASE {db} TO {user}",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {user}",
    ]


def handler(event: dict[str, Any], context: Any = None, *, secrets: Any = None, data: Any = None) -> dict[str, bool]:
    """`event`: clusterArn, masterSecretArn, userSecretArn, database. Returns whether the user was created."""
    if secrets is None or data is None:
        import boto3

        secrets = secrets or boto3.client("secretsmanager")
        data = data or boto3.client("rds-data")
    user = json.loads(secrets.get_secret_value(SecretId=event["userSecretArn"])["SecretString"])
    username = user["username"]
    identifier(username)

    def run(sql: str, **parameters: str) -> dict[str, Any]:
        return _execute(data, event, sql, parameters)

    existing = run("SELECT 1 FROM pg_roles WHERE rolname = :name", name=username)
    if existing.get("records"):
        return {"created": False}
    verifier = scram_verifier(user["password"], os.urandom(SALT_BYTES))
    for sql in statements(username, event["database"], verifier):
        run(sql)
    return {"created": True}


def _execute(data: Any, event: dict[str, Any], sql: str, parameters: dict[str, str]) -> dict[str, Any]:
    request = {
        "resourceArn": event["clusterArn"],
        "secretArn": event["masterSecretArn"],
        "database": event["database"],
        "sql": sql,
        "parameters": [{"name": name, "value": {"stringValue": value}} for name, value in parameters.items()],
    }
    for attempt in range(RESUME_ATTEMPTS):
        try:
            return data.execute_statement(**request)
        except Exception as error:  # boto3 builds its exception classes at run time
            if type(error).__name__ != "DatabaseResumingException" or attempt == RESUME_ATTEMPTS - 1:
                raise
            time.sleep(RESUME_WAIT_SECONDS)
    raise AssertionError("unreachable")
