"""Progress on a terminal, with ``rich``: one row per stage, with its count and elapsed time.

The library reports stages through :class:`analytics.progress.Progress`; this is the only
place that draws them. Rows go to stderr, never stdout, so ``--out -`` and piped output carry
only results. When stderr is not a terminal, or ``--quiet`` is given, commands get
:data:`analytics.progress.SILENT` and print just their summary line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

from analytics.progress import SILENT, Progress, Step

quiet_option: Callable[[Any], Any] = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress on the terminal; print only the summary.",
)


class _Count(ProgressColumn):
    """``1,234/5,000 days``, ``1,234 rows``, or nothing for a stage that counts nothing."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if not unit:
            return Text("")
        done = f"{int(task.completed):,}"
        counted = done if task.fields.get("open_ended") else f"{done}/{int(task.total or 0):,}"
        return Text(f"{counted} {unit}")


class _Elapsed(ProgressColumn):
    """Seconds since the stage started, frozen when it ends."""

    def render(self, task: Task) -> Text:
        seconds = task.finished_time if task.finished else task.elapsed
        return Text(f"{seconds or 0.0:6.1f} s", style="progress.elapsed")


class _RichStep:
    def __init__(self, bars: RichProgress, task: Any) -> None:
        self._bars, self._task = bars, task

    def advance(self, amount: int = 1) -> None:
        self._bars.advance(self._task, amount)

    def note(self, text: str) -> None:
        self._bars.update(self._task, note=text)


class TerminalProgress:
    """A :class:`analytics.progress.Progress` drawn live on ``console`` (stderr)."""

    def __init__(self, console: Console) -> None:
        self._bars = RichProgress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            _Count(),
            _Elapsed(),
            TextColumn("[dim]{task.fields[note]}[/]"),
            console=console,
            redirect_stdout=False,  # stdout carries results (`--out -`), never progress
        )

    def __enter__(self) -> TerminalProgress:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        """One row: spinner, name, bar, count, elapsed; ticked once complete."""
        task = self._bars.add_task(name, total=total, unit=unit, note="", open_ended=total is None)
        try:
            yield _RichStep(self._bars, task)
        except BaseException:
            self._bars.update(task, description=f"{name} [red](failed)[/]", note="")
            self._bars.stop_task(task)
            raise
        if total is None:  # an open-ended stage is complete at whatever it counted
            self._bars.update(task, total=self._bars.tasks[task].completed, note="")
        else:
            self._bars.update(task, note="")
        self._bars.stop_task(task)


@contextmanager
def progress_for(quiet: bool, console: Console | None = None) -> Iterator[Progress]:
    """Live progress on stderr when it is a terminal and ``quiet`` is off; else SILENT."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield SILENT
        return
    with TerminalProgress(console) as shown:
        yield shown
