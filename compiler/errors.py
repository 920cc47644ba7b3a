"""One exception root, and the one place that maps outcomes to exit codes.

User mistakes are never exceptions: they are Diagnostics collected and reported
together. Exceptions are for the run itself: bad command-line usage, or a bug.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID = 1  # invalid input, failed verification, drift under --check
    USAGE = 2
    INTERNAL = 3


class InfercError(Exception):
    """Root of every exception inferc raises on purpose."""

    exit_code = ExitCode.INTERNAL


class UsageError(InfercError):
    """The command line asked for something that cannot be done (missing repo, unknown env)."""

    exit_code = ExitCode.USAGE


class EnvironmentFailure(InfercError):
    """The machine, not the input: no space, read-only file system, a busy output folder,
    an output stream that cannot take the text. Reported in one line, exit 2."""

    exit_code = ExitCode.USAGE


class InputError(InfercError, ValueError):
    """A value inferc cannot use (a malformed quantity, window, objective); the message says
    why. Callers that read user input turn it into a diagnostic; one that escapes is a bug
    (exit 3). A ValueError too, so ``except ValueError`` keeps catching it."""


class InternalError(InfercError):
    """A bug: an invariant of inferc itself does not hold."""

    exit_code = ExitCode.INTERNAL


def exit_code_for(*, errors: int, drift: bool = False) -> ExitCode:
    """Exit code of a command that ran to the end: 1 on any error diagnostic or drift."""
    return ExitCode.INVALID if errors or drift else ExitCode.OK
