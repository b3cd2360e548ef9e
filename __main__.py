"""The Pulumi program: read the stack's settings, build its cloud's deployment, export what users need."""

from components.deployment import deploy
from config.loader import settings_from_pulumi

deploy(settings_from_pulumi())
