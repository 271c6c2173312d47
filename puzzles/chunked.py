"""Resumable chunked jobs on every core: each chunk is seeded on its own and written atomically, so a killed
run resumes by skipping the chunks already on disk (used by the puzzle miner and the position labeller)."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def run_chunks(
    todo: Iterable[Any],
    work: Callable[[Any], Any],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    on_result: Callable[[Any], None] | None = None,
) -> None:
    """Runs ``work(job)`` for every job in ``todo`` on ``workers`` spawned processes, results as they finish.

    ``work`` must write its own chunk atomically; spawned (not forked) workers keep engines and torch apart.
    """
    todo = list(todo)
    if not todo:
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=quiet_worker, initargs=(initializer, initargs)) as pool:
        for result in pool.imap_unordered(work, todo):
            if on_result is not None:
                on_result(result)


def quiet_worker(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """Ctrl-C reaches every process of the terminal's group: the workers leave it to the parent, which stops the
    pool and says so once (``trainers.cli.run_main``), instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def missing_chunks(folder: str | Path, chunks: int, name: Callable[[int], str]) -> list[int]:
    """Indices of the chunks not yet written in ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [i for i in range(chunks) if not (folder / name(i)).exists()]


def run_seeded_chunks(
    folder: str | Path,
    chunks: int,
    per_chunk: int,
    seed: int,
    name: Callable[[int], str],
    work: Callable[[tuple[int, int, int, str]], tuple[int, int]],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple,
    on_chunk: Callable[[int, int], None] | None = None,
) -> None:
    """The chunks of ``folder`` not yet written, each a job ``(index, seed, per_chunk, folder)`` for ``work``,
    which returns ``(index, items)``; ``on_chunk(index, items)`` hears of each as it finishes."""
    todo = [(i, seed, per_chunk, str(folder)) for i in missing_chunks(folder, chunks, name)]
    report = None if on_chunk is None else (lambda result: on_chunk(*result))
    run_chunks(todo, work, workers, initializer, initargs, report)
