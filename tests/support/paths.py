"""Where the project lives, for tests that run its commands and scripts as a user would."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
