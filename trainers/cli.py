"""Dataclass-driven command lines (CleanRL style: one dataclass of arguments) and how a command runs.

Each command is a ``main(argv)`` in ``trainers/commands/``, marked with :func:`command`; ``scripts/<name>.py``
and ``deepthink <name>`` call it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


def _parser_type(annotation: Any) -> tuple[Any, dict[str, Any]]:
    """The argparse ``type`` and extra keywords for a field annotation."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)) and len(args) == 1:
        return _parser_type(args[0])
    if origin is list:
        return args[0], {"nargs": "+"}
    if annotation is bool:
        return None, {"action": argparse.BooleanOptionalAction}
    return annotation, {}


def parse_args(cls: type[T], argv: Sequence[str] | None = None, description: str | None = None) -> T:
    """Parses ``argv`` into an instance of the dataclass ``cls``.

    Each field becomes ``--field-name``; its help text is the field's ``metadata["help"]``.
    """
    parser = argparse.ArgumentParser(
        description=description or cls.__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind, extra = _parser_type(hints[f.name])
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        keywords: dict[str, Any] = {"default": default, "help": f.metadata.get("help", " "), **extra}
        if kind is not None:
            keywords["type"] = kind
        parser.add_argument("--" + f.name.replace("_", "-"), dest=f.name, **keywords)
    args = cls(**vars(parser.parse_args(argv)))
    for f in dataclasses.fields(cls):
        if f.metadata.get("torch_threads") and getattr(args, f.name):
            import torch  # only commands that run a network have a threads flag

            torch.set_num_threads(getattr(args, f.name))
    return args


def settings_from(cls: type[T], args: Any) -> T:
    """An instance of the dataclass ``cls`` whose fields that ``args`` also has take their values from it (a
    command's flags that mirror a library config, e.g. the miner's search budgets)."""
    return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)})


def threads_arg() -> Any:
    """The ``--threads`` flag of a command that runs networks: :func:`parse_args` sets torch's intra-op threads to
    it (0 leaves torch's default), so no command repeats the call."""
    return dataclasses.field(default=0, metadata={"help": "torch threads (0 = torch's default)", "torch_threads": True})


def device_arg() -> Any:
    """The ``--device`` flag of a command that runs networks (checked by :func:`agents.device.resolve_device`)."""
    return arg("cpu", "where networks run: cpu, cuda (or cuda:N) or mps; a device this machine lacks is an error")


def precision_arg() -> Any:
    """The ``--precision`` flag (checked by :func:`agents.device.check_precision`): float32 unless asked."""
    return arg(
        "fp32",
        "fp32, or bf16 for bfloat16 autocast where the device has it (faster on GPUs, but it breaks the "
        "prefix-sums model's exactness on long strings, so it is never the default)",
    )


def arg(default: Any, help: str) -> Any:
    """A dataclass field with a default and a help text."""
    if isinstance(default, list):
        return dataclasses.field(default_factory=lambda: list(default), metadata={"help": help})
    return dataclasses.field(default=default, metadata={"help": help})


def command(resumable: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Marks ``main(argv)`` as a command line.

    Called without ``argv`` (by its script, or ``python -m``), the command parses ``sys.argv`` and runs under
    :func:`run_main`: a bad input is one line and exit status 2, Ctrl-C one line and 130. Called with a list
    (``deepthink``, which runs it under :func:`run_main` itself, and tests), errors reach the caller.

    Args:
        resumable: the command keeps its finished work and picks up where it stopped when run again, so Ctrl-C
            also prints the command that resumes it (``main.resumable`` tells ``deepthink``).
    """

    def mark(main: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(main)
        def run(argv: list[str] | None = None) -> Any:
            if argv is None:
                return run_main(lambda: main(None), resumable)
            return main(argv)

        run.resumable = resumable  # type: ignore[attr-defined]
        return run

    return mark


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """The command that ran a script, for reports and model cards: ``python scripts/<name> <arguments>``."""
    import shlex
    import sys
    from pathlib import Path

    return f"python scripts/{Path(script).name} " + shlex.join(argv if argv is not None else sys.argv[1:])


def run_main(main: Any, resumable: bool = False) -> None:
    """Runs a command's ``main()``, turning a bad-input error into one clear line and exit status 2, and Ctrl-C into
    one line and exit status 130 (the shell's code for SIGINT) instead of a traceback.

    Args:
        main: the script's entry point, called without arguments (it reads ``sys.argv``).
        resumable: the script keeps its finished work on disk and picks up where it stopped when run again: Ctrl-C
            then also prints the command that resumes it (the same command).
    """
    import sys

    try:
        main()
    except (ValueError, TypeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(interrupted_message(sys.argv[0], None, resumable), file=sys.stderr)
        sys.exit(130)


def interrupted_message(script: str, argv: Sequence[str] | None, resumable: bool) -> str:
    """What a script says on Ctrl-C: that it stopped, and for a resumable one that its finished work is kept and
    the command that picks it up."""
    if not resumable:
        return "\ninterrupted."
    import shlex
    import sys
    from pathlib import Path

    if Path(script).name.split()[0] == "deepthink":  # the console entry point: its own command line resumes
        rerun = "deepthink " + shlex.join(argv if argv is not None else sys.argv[1:])
    else:
        rerun = command_line(script, argv)
    return (
        "\ninterrupted; everything finished so far is saved (written atomically). Resume with the same command:\n  "
        + rerun
    )


class ChunkCounter:
    """Counts what finished chunks produced and advances a progress bar; call it as ``on_chunk(index, items)``."""

    def __init__(self, advance: Callable[[int], None]) -> None:
        self.items = 0
        self._advance = advance

    def __call__(self, index: int, items: int) -> None:
        self.items += items
        self._advance(self.items)


def run_chunks(label: str, unit: str, chunks: int, done: int, work: Callable[[ChunkCounter], Any]) -> tuple[int, float]:
    """Runs ``work(on_chunk)`` (a resumable chunked job) under a :func:`chunk_progress` bar of ``chunks``, ``done``
    of them already finished; returns the items the new chunks produced and the seconds it took."""
    import time

    started = time.perf_counter()
    with chunk_progress(label, chunks, done, unit) as counter:
        work(counter)
    return counter.items, time.perf_counter() - started


@contextmanager
def chunk_progress(label: str, chunks: int, done: int, unit: str) -> Iterator[ChunkCounter]:
    """A rich bar over resumable chunks; yields the :class:`ChunkCounter` to call as each chunk finishes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[items]} " + unit),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as progress:
        task = progress.add_task(label, total=chunks, completed=min(done, chunks), items=0)
        yield ChunkCounter(lambda items: progress.update(task, advance=1, items=items))
