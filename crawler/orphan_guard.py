"""Imported first in the clean stage's forkserver: it dies with the process that started it, even by SIGKILL."""

from crawler import procs

# A forkserver runs no code of ours but its preload imports; this import is the hook that arms it.
procs.die_with_parent()
