"""`python -m tfhub ...` runs the `tfhub` command."""

import sys

from tfhub.cli.main import main

sys.exit(main())
