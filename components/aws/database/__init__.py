"""The AWS data tier: Aurora PostgreSQL Serverless v2 and the secrets that reach it."""
