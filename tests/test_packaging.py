"""Every data file the packages read at run time (models, catalogs, sample data) ships in a wheel."""
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shipped(path: str, pattern: str) -> bool:
    """Whether setuptools' package-data `pattern` takes `path` (within its package): `*` stays
    inside one folder."""
    return re.fullmatch(re.escape(pattern).replace(r"\*", "[^/]*"), path) is not None


def test_package_data_covers_every_tracked_data_file():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    tracked = subprocess.run(["git", "ls-files", *data], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    files = [f for f in tracked if not f.endswith(".py") and "/__pycache__/" not in f]
    assert any(f.endswith("model.json") for f in files)
    missing = [f for f in files
               if not any(_shipped(f.split("/", 1)[1], pattern) for pattern in data[f.split("/", 1)[0]])]
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
