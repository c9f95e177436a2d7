"""Child processes that die with their parent: own process groups, forwarded signals, a parent-death signal."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

# The pid a child expects as its parent. A child that asks for the parent-death signal after its parent
# already died would wait forever, so it compares getppid() with this and exits instead.
PARENT_ENV = "NEWSROOM_PARENT_PID"
# Set only for the clean stage's forkserver: the pid of the clean process that starts it (see orphan_guard).
FORKSERVER_ENV = "NEWSROOM_FORKSERVER_PARENT"
PR_SET_PDEATHSIG = 1
STOP_GRACE_SECONDS = 5.0


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like KeyboardInterrupt, so `finally` blocks close runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Have the kernel send sig to this process when its parent exits, however the parent died."""
    expected = os.environ.get(PARENT_ENV)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: process groups still end the children
        return
    if expected and expected.isdigit() and os.getppid() != int(expected):
        os._exit(1)  # the parent died before the signal was armed: nobody is left to wait for us
    mark_parent()


def mark_parent() -> None:
    """Tell children started from here (also via a forkserver) which pid their parent has."""
    os.environ[PARENT_ENV] = str(os.getpid())


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """env (default: this process's) plus the parent pid a child checks in die_with_parent()."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def start_group(
    command: Sequence[str], env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.Popen[str]:
    """Start command as the leader of a new process group, so stop_group() reaches all it starts."""
    return subprocess.Popen(command, env=child_env(env), process_group=0, **kwargs)


def stop_group(
    process: subprocess.Popen[Any], sig: int = signal.SIGTERM, grace: float = STOP_GRACE_SECONDS
) -> None:
    """Send sig to the child's process group, SIGKILL it after grace seconds, then reap the child."""
    for signum in (sig, signal.SIGKILL):
        try:
            os.killpg(process.pid, signum)
        except (ProcessLookupError, PermissionError):
            break  # the group is gone already
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader exited; whatever it left in its group goes now rather than living on unowned.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        break
    process.wait()


@contextmanager
def group_stopped_on_exit(process: subprocess.Popen[Any]) -> Iterator[subprocess.Popen[Any]]:
    """Stop the child's group when the block ends by an exception (Ctrl-C, SIGTERM, a failure)."""
    try:
        yield process
    except BaseException:
        stop_group(process)
        raise


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def raise_on_termination() -> None:
    """Turn SIGTERM and SIGHUP into Terminated in the main thread, so runs close and children stop."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_terminated)
