"""The function that creates the database's application user: what it sends to the RDS Data API.

The SCRAM vector is RFC 7677's (section 3): user "user", password "pencil", salt
W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations, and the server signature the exchange ends with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from components.aws.database import create_application_user as function

EVENT = {
    "clusterArn": "arn:aws:rds:eu-central-1:123456789012:cluster:tdce",
    "masterSecretArn": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!cluster-tdce",
    "userSecretArn": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:tdce-user",
    "database": "techila",
}
PASSWORD = "LettersAndDigits0123456789abcdef"


class Secrets:
    def __init__(self, username: str = "techila"):
        self.username = username

    def get_secret_value(self, SecretId):  # noqa: N803 (boto3's argument name)
        assert SecretId == EVENT["userSecretArn"]
        return {"SecretString": json.dumps({"username": self.username, "password": PASSWORD, "host": "h"})}


class DataApi:
    def __init__(self, existing: bool = False, resuming: int = 0):
        self.requests: list[dict] = []
        self.existing = existing
        self.resuming = resuming

    def execute_statement(self, **request):
        if self.resuming:
            self.resuming -= 1
            raise type("DatabaseResumingException", (Exception,), {})("resuming")
        self.requests.append(request)
        if request["sql"].startswith("SELECT"):
            return {"records": [[{"longValue": 1}]] if self.existing else []}
        return {"numberOfRecordsUpdated": 0}


def test_scram_verifier_matches_rfc_7677():
    salt = base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ==")
    verifier = function.scram_verifier("pencil", salt)
    head, keys = verifier.split("$", 1)[1].split("$")
    assert head == "4096:W22ZaJ0SNY7soEsUEjb6gQ=="
    server_key = base64.b64decode(keys.split(":")[1])
    auth_message = (
        "n=user,r=rOprNGfwEbeRWgbNEkqO,"
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    )
    signature = base64.b64encode(hmac.new(server_key, auth_message.encode(), hashlib.sha256).digest()).decode()
    assert signature == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def test_creates_the_user_as_the_master_user_without_sending_the_password():
    data = DataApi()
    assert function.handler(EVENT, secrets=Secrets(), data=data) == {"created": True}
    lookup, create, database, schema = data.requests
    assert lookup["sql"] == "SELECT 1 FROM pg_roles WHERE rolname = :name"
    assert lookup["parameters"] == [{"name": "name", "value": {"stringValue": "techila"}}]
    assert create["sql"].startswith("""CREATE ROLE "techila" WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:""")
    assert database["sql"] == 'GRANT CONNECT, TEMPORARY, CREATE ON DATABASE "techila" TO "techila"'
    assert schema["sql"] == 'GRANT USAGE, CREATE ON SCHEMA public TO "techila"'
    for request in data.requests:
        assert (request["resourceArn"], request["secretArn"], request["database"]) == (
            EVENT["clusterArn"],
            EVENT["masterSecretArn"],
            "techila",
        )
        assert PASSWORD not in json.dumps(request)


def test_leaves_an_existing_user_alone():
    data = DataApi(existing=True)
    assert function.handler(EVENT, secrets=Secrets(), data=data) == {"created": False}
    assert len(data.requests) == 1


def test_waits_for_a_paused_cluster_to_resume(monkeypatch):
    monkeypatch.setattr(function.time, "sleep", lambda seconds: None)
    data = DataApi(resuming=3)
    assert function.handler(EVENT, secrets=Secrets(), data=data) == {"created": True}


@pytest.mark.parametrize("username", ['techila"; DROP ROLE x; --', "Techila", "1techila", "t" * 64])
def test_refuses_a_user_name_that_is_not_a_plain_identifier(username):
    data = DataApi()
    with pytest.raises(ValueError, match="plain lower-case identifier"):
        function.handler(EVENT, secrets=Secrets(username), data=data)
    assert data.requests == []
