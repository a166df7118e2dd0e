"""python -m convcore: the command line (see convcore.cli)."""
import sys

from .cli import main

sys.exit(main())
