"""Imported first in the clean stage's forkserver: it dies with the process that started it, even by SIGKILL."""

import os

from crawler import procs

# A forkserver runs no code of ours but its preload imports; this import is the hook that arms it.
# Only there: the clean stage names its own pid in FORKSERVER_ENV just before it starts the forkserver,
# so importing this module anywhere else (a test, a linter) changes nothing.
if os.environ.get(procs.FORKSERVER_ENV) == str(os.getppid()):
    procs.die_with_parent()
