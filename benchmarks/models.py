"""The benchmark models, generated once and kept under .bench/ (git-ignored)."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

from benchmarks.harness import REPO, TFHUB, TFHUB_215, Settings, child_env


@dataclasses.dataclass(frozen=True)
class Models:
    archives: Path  # what the server serves: <name>.tar.gz
    big: str  # model names (server paths and directories)
    small: str
    tf1: str

    def directory(self, name: str) -> Path:
        return self.archives.parent / "models" / name

    def archive(self, name: str) -> Path:
        return self.archives / f"{name}.tar.gz"


def _size_name(prefix: str, megabytes: float) -> str:
    return f"{prefix}-{megabytes:g}mb"


def _generate(python: Path, *args: str) -> None:
    done = subprocess.run([str(python), "benchmarks/gen_models.py", *args], capture_output=True,
                          text=True, env=child_env(), cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError("generating a benchmark model failed:\n" + done.stderr[-3000:])


def ensure(settings: Settings, log=print) -> Models:
    """Generates what is missing: two SavedModels (+ archives) and a TF1 Hub module."""
    root = settings.work
    models = Models(archives=root / "archives", big=_size_name("sm", settings.big_mb),
                    small=_size_name("sm", settings.small_mb),
                    tf1=_size_name(f"tf1-{settings.tf1_variables}v", settings.tf1_mb))
    models.archives.mkdir(parents=True, exist_ok=True)
    (root / "models").mkdir(exist_ok=True)
    for name, megabytes in ((models.big, settings.big_mb), (models.small, settings.small_mb)):
        if not (models.directory(name).is_dir() and models.archive(name).is_file()):
            log(f"generating {name} (a {megabytes:g} MB SavedModel and its archive) ...")
            _generate(TFHUB.python, "saved-model", str(models.directory(name)), "--mb", str(megabytes),
                      "--archive", str(models.archive(name)))
    if not models.directory(models.tf1).is_dir():
        log(f"generating {models.tf1} (a TF1 Hub format module) ...")
        # Written on TF 2.15 so that both TensorFlow lanes can read it.
        _generate(TFHUB_215.python if TFHUB_215.available else TFHUB.python, "tf1-module",
                  str(models.directory(models.tf1)), "--mb", str(settings.tf1_mb),
                  "--variables", str(settings.tf1_variables))
    return models
