import sys

from tdce.cli import main

sys.exit(main())
