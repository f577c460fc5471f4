"""The layers of the README's architecture, read from the import statements: each part of
the code imports only the parts it may. A new import across a line fails here, by name."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Where each installed package's code lives in the checkout.
FOLDERS = {"clms": ROOT / "clms", "clms.states": ROOT / "states",
           "clms.adapters": ROOT / "adapters", "clms.workflows": ROOT / "workflows"}  # fmt: skip

PURE = ("clms.domain", "clms.states")
SUPPORT = ("clms.messages", "clms.tokens", "clms.config_files")  # read config, sign links
ENTRY_POINTS = ("clms.cli", "clms.web", "clms.workflows", "clms.demo")

USE_CASES_AND_ADAPTERS = ("clms.services", "clms.adapters")  # met only in the root

# part -> the parts of the project it may import (besides itself)
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "clms.states": (),
    "clms.domain": ("clms.states",),
    "clms.ports": PURE,
    "clms.config_files": PURE,
    "clms.messages": (*PURE, "clms.config_files"),
    "clms.tokens": PURE,
    "clms.settings": ("clms.config_files",),
    "clms.services": (*PURE, "clms.ports", *SUPPORT),
    "clms.adapters": (*PURE, "clms.ports", *SUPPORT),
    "clms.bootstrap": (*PURE, "clms.ports", *SUPPORT, "clms.settings", *USE_CASES_AND_ADAPTERS),
    # Entry points reach use cases through App; never an adapter, which only the root builds.
    **{
        entry: (
            *PURE,
            "clms.ports",
            *SUPPORT,
            "clms.settings",
            "clms.services",
            "clms.bootstrap",
            *ENTRY_POINTS,
        )
        for entry in ENTRY_POINTS
    },  # fmt: skip
}
# Third-party libraries the pure domain may use: none. (states/ wraps `transitions`.)
PURE_THIRD_PARTY = {"clms.states": {"transitions"}, "clms.domain": set()}


def modules() -> list[tuple[str, Path]]:
    found = []
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts)).removesuffix(".__init__")
            generated_or_data = name.startswith(("clms.adapters.db.migrations", "clms.config."))
            if name != "clms" and not generated_or_data:
                found.append((name, path))
    return found


def part_of(module: str) -> str | None:
    matches = [part for part in MAY_IMPORT if module == part or module.startswith(part + ".")]
    return max(matches, key=len) if matches else None


def imports(module: str, path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # relative: resolve against the module's package
                source = ".".join([*module.split(".")[: -node.level], *filter(None, [source])])
            # `from clms import demo` imports clms.demo: name what is imported, not its parent
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def allowed(module: str, imported: str) -> bool:
    part = part_of(module)
    if part is None:
        return False
    if not imported.startswith("clms"):
        top = imported.split(".")[0]
        return part not in PURE_THIRD_PARTY or (
            top in sys.stdlib_module_names or top in PURE_THIRD_PARTY[part]
        )
    targets = (part, *MAY_IMPORT[part])
    return any(imported == t or imported.startswith(t + ".") for t in targets)


MODULES = modules()


def test_every_module_belongs_to_a_part_and_every_part_is_found() -> None:
    assert [name for name, _ in MODULES if part_of(name) is None] == []
    assert {part_of(name) for name, _ in MODULES} == set(MAY_IMPORT)


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_each_module_imports_only_what_its_layer_may(module: str, path: Path) -> None:
    crossing = sorted(name for name in imports(module, path) if not allowed(module, name))
    assert crossing == [], f"{module} ({part_of(module)}) imports {crossing}"
