"""Crash and pause points: named places in long use-cases where a test stops the process.

The crash tests of batches kill the process with SIGKILL at a named point and check that
the batch is then wholly issued or not at all. Points are honoured only when the settings
name them, which they do only in test mode (``IMK_TEST_MODE``, see ``wallet/config.py``);
everywhere else :data:`NONE` is passed and a point costs one comparison.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

#: The longest a paused process waits for its release file, in seconds.
MAX_PAUSE_SECONDS = 120.0


@dataclass(frozen=True)
class Checkpoints:
    """Kill the process at ``crash_at``; wait at ``pause_at`` until ``pause_file`` exists."""

    crash_at: str | None = None
    pause_at: str | None = None
    pause_file: Path | None = None

    def __call__(self, name: str) -> None:
        if name == self.crash_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if name == self.pause_at and self.pause_file is not None:
            deadline = time.monotonic() + MAX_PAUSE_SECONDS
            while not self.pause_file.exists() and time.monotonic() < deadline:
                time.sleep(0.02)


#: No points: what every process outside the crash tests runs with.
NONE = Checkpoints()

__all__ = ["NONE", "Checkpoints"]
