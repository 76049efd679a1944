"""No module in `sync/` knows which tracker it talks to: it imports no tracker's package
(`connector.jira`, `connector.linear`) and compares nothing with a tracker kind. What differs per
tracker is asked of the connector, its webhook dialect or the registry's traits."""
from __future__ import annotations

import ast
from pathlib import Path

SYNC = Path(__file__).resolve().parents[2] / "sync"
TRACKER_PACKAGES = ("connector.jira", "connector.linear")
TRACKER_NAMES = {"jira", "linear"}


def _imports_tracker(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    else:
        return None
    found = [name for name in names
             if any(name == pkg or name.startswith(pkg + ".") for pkg in TRACKER_PACKAGES)]
    return found[0] if found else None


def _names_a_tracker(node: ast.AST) -> bool:
    """`TrackerKind.JIRA`, or the string "jira" / "linear" (any case)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "TrackerKind":
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value.strip().casefold() in TRACKER_NAMES


def leaks(source: str) -> list[str]:
    """Each tracker import and each branch on a tracker kind in `source`, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        imported = _imports_tracker(node)
        if imported:
            found.append(f"{node.lineno}: imports {imported}")
        elif isinstance(node, ast.Compare) and any(
                _names_a_tracker(part) for part in [node.left, *node.comparators]):
            found.append(f"{node.lineno}: compares with a tracker kind")
        elif isinstance(node, ast.MatchValue) and _names_a_tracker(node.value):
            found.append(f"{node.lineno}: matches a tracker kind")
        elif isinstance(node, ast.Dict) and any(key is not None and _names_a_tracker(key)
                                                 for key in node.keys):
            found.append(f"{node.lineno}: keys a table by tracker kind")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_no_module_in_sync_imports_a_tracker_or_branches_on_its_kind():
    sources = sorted(SYNC.rglob("*.py"))
    assert len(sources) > 30   # the package really was read
    found = {str(path.relative_to(SYNC.parent)): leaks(path.read_text()) for path in sources}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_check_finds_each_kind_of_leak():
    source = (
        "from connector.jira.reading import ReadingRules\n"
        "import connector.linear.mapping\n"
        "from connector import jira\n"
        "if connection.tracker is TrackerKind.JIRA: pass\n"
        "if kind == 'linear': pass\n"
        "match kind:\n    case 'Jira': pass\n"
        "REFS = {TrackerKind.LINEAR: 'id'}\n"
        "from connector.registry import tracker\n"
        "if link.kind == LinkKind.JQL: pass\n")
    assert leaks(source) == [
        "1: imports connector.jira.reading", "2: imports connector.linear.mapping",
        "3: imports connector.jira", "4: compares with a tracker kind",
        "5: compares with a tracker kind", "7: matches a tracker kind",
        "8: keys a table by tracker kind"]
