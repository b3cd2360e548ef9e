from tdce.cli import run

run()
