"""Processes run at once against one index, as separate builders or scanners would be.

Each target is called in a fresh (spawned) process with its arguments, then, if asked, a barrier
all of them wait at before writing, then a queue it puts one ``(status, value)`` on.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

Job = tuple[Callable[..., None], tuple[Any, ...]]


def run_together(jobs: Sequence[Job], *, barrier: bool = False, timeout: float = 300) -> list[tuple[str, Any]]:
    """Start every job at once and return what each put on the queue (in the order they finished)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    extra = (context.Barrier(len(jobs)),) if barrier else ()
    processes = [context.Process(target=target, args=(*args, *extra, queue)) for target, args in jobs]
    for process in processes:
        process.start()
    results = [queue.get(timeout=timeout) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return results
