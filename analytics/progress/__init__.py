"""Progress of long work, as a seam: the library names its stages, the caller shows them.

Library code (the model runner, the synthetic history, orchestration) takes a :class:`Progress`
and reports each stage as it runs::

    with progress.stage("build models", total=len(models), unit="models") as step:
        for model in models:
            step.note(model.name)
            ...
            step.advance()

It never imports a terminal library. The command line passes a ``rich``-backed implementation
on a terminal (:mod:`analytics.cli.progress`) and :data:`SILENT` everywhere else, so tests,
cron jobs and the notebook see nothing but results.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Step(Protocol):
    """One running stage: count what it has done, and say what it is doing now."""

    def advance(self, amount: int = 1) -> None:
        """Add ``amount`` to the stage's count."""

    def note(self, text: str) -> None:
        """Show ``text`` (e.g. the model being built) next to the stage's name."""


class Progress(Protocol):
    """Receives the stages of a long job as they start and end."""

    def stage(
        self, name: str, total: int | None = None, unit: str = ""
    ) -> AbstractContextManager[Step]:
        """A stage named ``name`` of ``total`` ``unit`` (None: unknown); ends with the block."""
        ...


class _NoStep:
    def advance(self, amount: int = 1) -> None:
        return None

    def note(self, text: str) -> None:
        return None


class _Silent:
    """Reports nothing: the default wherever no caller asked to see progress."""

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        yield _NoStep()


SILENT: Progress = _Silent()

__all__ = ["SILENT", "Progress", "Step"]
