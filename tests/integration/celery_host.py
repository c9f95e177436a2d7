"""`[core] hostname_callable` of the Celery deployment test: the name of the simulated machine.

On real machines Airflow's default (the FQDN) already differs per worker; two workers on one machine would
report the same name, so each worker process gets NEWSROOM_TEST_HOSTNAME and task instances record it.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    """The simulated machine's name, else this machine's FQDN (scheduler, API server, …)."""
    return os.environ.get("NEWSROOM_TEST_HOSTNAME") or socket.getfqdn()
