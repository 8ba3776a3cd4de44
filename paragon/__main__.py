import sys

from paragon.cli import main

sys.exit(main())
