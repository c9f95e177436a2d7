"""Run a command and sample its whole process tree: peak RSS and peak PSS (shared pages split), wall time."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass

import psutil

SAMPLE_SECONDS = 0.05


@dataclass
class TreeRun:
    """What one command cost: exit code, wall seconds, peak memory of its process tree in MB."""

    code: int
    seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    peak_processes: int
    # user + system CPU of the tree: what the waited-for processes report, or, where more, the sum of
    # each process's own CPU as last sampled (a forkserver's workers are not waited for by the root);
    # less disturbed than wall time by other load on a shared machine. The database server's is not in it.
    cpu_seconds: float = 0.0


def _tree_memory(root: psutil.Process, cpu: dict[int, float]) -> tuple[int, int, int]:
    """RSS and PSS summed over root and its descendants (PSS from smaps_rollup), and how many there are;
    records each one's own CPU seconds so far in cpu."""
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    rss = pss = 0
    for member in members:
        try:
            info = member.memory_full_info()
            times = member.cpu_times()
        except psutil.Error:
            continue
        cpu[member.pid] = times.user + times.system
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss, len(members)


def run_measured(command: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> TreeRun:
    """Run command (its output discarded), sampling its process tree until it exits."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as process:
        peak = [0, 0, 0]
        own_cpu: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            root = psutil.Process(process.pid)
            while not done.is_set():
                rss, pss, count = _tree_memory(root, own_cpu)
                peak[0], peak[1], peak[2] = max(peak[0], rss), max(peak[1], pss), max(peak[2], count)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = max(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, sum(own_cpu.values()))
    mb = 1024 * 1024
    return TreeRun(code, seconds, peak[0] / mb, peak[1] / mb, peak[2], cpu)
