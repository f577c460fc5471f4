"""`pip install .` works anywhere: the wheel, installed in a fresh virtual environment and
run from a folder outside the checkout, finds its config, its migrations and its templates,
and CLMS_CONFIG_DIR replaces the config it ships.

The wheel is installed with its dependencies from pip's registry (the local index here),
without compiling them (40 s instead of 90 s); the checkout's environment lends it nothing."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The folders that hold data, not only modules, and where the wheel installs them.
DATA_FOLDERS = {
    "config": "clms/config",
    "adapters/db/migrations": "clms/adapters/db/migrations",
    "clms/web/templates": "clms/web/templates",
    "clms/web/static": "clms/web/static",
}
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "data", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)
CLASSIFY = ("classify", "--age", "14", "--activity", "cotton_harvesting")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    elsewhere: Path  # a folder outside the checkout, where the commands run

    def clms(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.run("clms", *args, **env)

    def run(self, program: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        # Installed without compiling: the first run writes the bytecode the next ones read.
        env = {"PYTHONDONTWRITEBYTECODE": ""} | env
        return run([str(self.venv / "bin" / program), *args], self.elsewhere, env)

    def config_dir(self) -> Path:
        [folder] = self.venv.glob("lib/python*/site-packages/clms/config")
        return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("install")
    wheel = build_wheel(base)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    subprocess.run([*pip, "install", "--quiet", "--no-compile", str(wheel)], check=True)
    (base / "elsewhere").mkdir()
    yield Installed(wheel, venv, base / "elsewhere")


def build_wheel(base: Path) -> Path:
    """Built from a copy, so that setuptools' build/ and egg-info stay out of the checkout."""
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    subprocess.run([*pip_wheel, "--wheel-dir", str(base / "dist"), str(source)], check=True)
    [wheel] = (base / "dist").glob("clms-*.whl")
    return wheel


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Runs with none of the caller's CLMS_* settings, nor a path into the checkout."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CLMS_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    return subprocess.run(
        command, cwd=cwd, env=inherited | env, capture_output=True, text=True, timeout=120
    )


def checkout_clms(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run([str(Path(sys.executable).parent / "clms"), *args], cwd, env)


def test_the_wheel_holds_every_file_of_the_config_the_migrations_and_the_templates(
    installed: Installed,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for folder, installed_as in DATA_FOLDERS.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"{installed_as}/{path.relative_to(ROOT / folder)}" in names


def test_the_clms_that_runs_is_the_wheels_not_the_checkouts(installed: Installed) -> None:
    code = "import clms, clms.config_files as f; print(clms.__file__); print(f.DEFAULT_CONFIG_DIR)"
    result = installed.run("python", "-c", code)
    package, config = result.stdout.split()
    assert Path(package).is_relative_to(installed.venv)
    assert Path(config) == installed.config_dir()


def test_classify_outside_the_checkout_says_what_it_says_in_the_checkout(
    installed: Installed,
) -> None:
    result = installed.clms(*CLASSIFY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("hazardous (normal)\n")
    assert "Order No. 944 of 2015" in result.stdout
    assert result.stdout == checkout_clms(*CLASSIFY, cwd=installed.elsewhere).stdout


def test_init_outside_the_checkout_creates_the_same_tables_as_in_the_checkout(
    installed: Installed, tmp_path: Path
) -> None:
    result = installed.clms("init", CLMS_DATABASE_URL=f"sqlite:///{tmp_path}/wheel.db")
    assert result.returncode == 0, result.stderr
    checkout_clms("init", cwd=tmp_path, CLMS_DATABASE_URL=f"sqlite:///{tmp_path}/checkout.db")
    tables = table_names(tmp_path / "wheel.db")
    assert {"alembic_version", "cases", "reminders"} <= tables
    assert tables == table_names(tmp_path / "checkout.db")


def table_names(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


@pytest.fixture(scope="module")
def own_config(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment's copy of the shipped config: a country "zz" of its own, made the default."""
    folder = tmp_path_factory.mktemp("own") / "config"
    shutil.copytree(installed.config_dir(), folder, ignore=shutil.ignore_patterns("__*"))
    kz = (folder / "countries" / "kz.toml").read_text(encoding="utf-8")
    zz = kz.replace('code = "kz"', 'code = "zz"').replace("Order No. 944", "Test order No. 1")
    (folder / "countries" / "zz.toml").write_text(zz, encoding="utf-8")
    settings = (folder / "settings.toml").read_text(encoding="utf-8")
    (folder / "settings.toml").write_text(settings.replace('"kz"', '"zz"'), encoding="utf-8")
    return folder


def test_the_rules_list_the_countries_of_clms_config_dir(
    installed: Installed, own_config: Path
) -> None:
    assert installed.clms("rules", "countries").stdout.split() == ["kg", "kz", "tj"]
    listed = installed.clms("rules", "countries", CLMS_CONFIG_DIR=str(own_config))
    assert listed.stdout.split() == ["kg", "kz", "tj", "zz"]


def test_settings_toml_is_read_from_clms_config_dir(installed: Installed, own_config: Path) -> None:
    result = installed.clms(*CLASSIFY, CLMS_CONFIG_DIR=str(own_config))
    assert result.returncode == 0, result.stderr
    assert "Test order No. 1 of 2015" in result.stdout  # the country its settings.toml names
