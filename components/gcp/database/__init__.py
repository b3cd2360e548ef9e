"""The GCP data tier: Cloud SQL for PostgreSQL on a private IP, and its administrator password."""
