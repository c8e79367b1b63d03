"""``python -m lesson_build`` is ``momentum-lesson``."""

import sys

from lesson_build.cli import main

sys.exit(main())
