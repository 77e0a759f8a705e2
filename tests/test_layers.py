"""Layers import one way: core -> store -> practitioner -> adapters -> command line.

Read from the source (every `import`, also the ones inside functions), so a shortcut taken
anywhere fails here rather than in a code review.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
# Lower number: lower layer. A module may import its own layer and the ones below.
LAYERS = {
    "bot.core": 0,
    "bot.config": 1,  # settings: read by the store and everything above it
    "bot.log_privacy": 1,  # the log filter every entry point installs
    "bot.store": 2,
    "bot.practitioner": 3,
    "bot.evaluation": 3,
    "bot.adapters": 4,
    "bot.cli": 5,
    "bot.__main__": 5,
    "bot": 5,
}
FORBIDDEN_IN_CORE = ("telegram", "sqlite3", "httpx")


def layer_of(module: str) -> int:
    best = max(
        (name for name in LAYERS if module == name or module.startswith(name + ".")), key=len
    )
    return LAYERS[best]


def imports(file: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def module_name(file: Path) -> str:
    parts = file.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_import_points_down_or_sideways() -> None:
    wrong = []
    for file in sorted(BOT.rglob("*.py")):
        here = module_name(file)
        for target in imports(file):
            if target.startswith("bot.") and layer_of(target) > layer_of(here):
                wrong.append(f"{here} imports {target}")
    assert wrong == []


def test_the_core_knows_no_telegram_and_no_database() -> None:
    wrong = [
        f"{module_name(file)} imports {target}"
        for file in sorted((BOT / "core").rglob("*.py"))
        for target in imports(file)
        if target.split(".")[0] in FORBIDDEN_IN_CORE
    ]
    assert wrong == []
