"""The package's shape: modules import what they need at the top, so an import circle cannot hide."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "eventsys"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_inside_functions(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("eventsys"):
                    found.append(f"{node.name}(): from {inner.module} import …")
    return found


def test_no_module_of_the_package_imports_it_from_inside_a_function():
    lazy = {
        _module_name(path): found
        for path in MODULES
        if (found := _imports_inside_functions(ast.parse(path.read_text())))
    }
    assert lazy == {}, "imports inside functions (they hide import circles): " + repr(lazy)


# Where import circles used to be (mail ↔ registration ↔ checkin), each imported first on its own.
ENTRY_POINTS = (
    "eventsys.mail.sender",
    "eventsys.mail.messages",
    "eventsys.mail.outbox",
    "eventsys.registration.services",
    "eventsys.checkin.staff",
    "eventsys.events.services",
)


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    """No circle that only works in one import order."""
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
