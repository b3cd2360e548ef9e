"""The Pulumi program: resolve the stack's settings, build its cloud's deployment, export what users need."""

from components.deployment import deploy
from components.program_config import resolved_from_pulumi

deploy(resolved_from_pulumi())
