"""The bundled app's entry point: the same as `lanqa` on the command line."""

import sys

from lanqa.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
