"""Day-two operations against a deployed AWS stack: `tdce preflight`, `tdce backup`, `tdce health`."""
