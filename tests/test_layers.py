"""The floors of ARCHITECTURE.md: an app imports only the apps below it, and no two modules
import each other (however far round). Read from the source, so a new import is checked the
moment it is written, also one inside a function or under TYPE_CHECKING."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Ground floor first; each app may import those before it (settings.INSTALLED_APPS's order).
FLOORS = [
    "governance",
    "suppliers",
    "escalations",
    "operations",
    "meetings",
    "relationship",
    "documents",
    "risks",
    "portal",
    "api",
]

# (importing module, imported module) -> why this one may run up the floors. Keep it short.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for app in FLOORS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that one module imports (a name imported from a package counts
    as that module when it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _floor(module: str) -> int:
    return FLOORS.index(module.partition(".")[0])


def test_every_app_is_on_a_floor_in_settings_order():
    ours = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]
    assert ours == FLOORS


def test_no_import_runs_up_the_floors():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if _floor(target) > _floor(module) and (module, target) not in EXCEPTIONS
    )
    assert not upward, "Imports that run up the floors (ARCHITECTURE.md):\n" + "\n".join(upward)


def test_no_modules_import_each_other():
    """No circle of imports, of two modules or more (Tarjan's strongly connected components)."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(" <-> ".join(sorted(component)))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not circles, "Modules that import each other:\n" + "\n".join(circles)


def test_the_check_sees_an_upward_import_and_a_circle(tmp_path):
    """The reading of imports itself: a relative import up a floor and a pair of modules."""
    package = tmp_path / "governance"
    package.mkdir()
    (package / "a.py").write_text("from . import b\nfrom portal.views import home\n")
    (package / "b.py").write_text("def f():\n    from .a import x\n")
    known = {"governance.a", "governance.b", "portal.views"}
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _imports("governance.a", package / "a.py", known) == {"governance.b", "portal.views"}
        assert _imports("governance.b", package / "b.py", known) == {"governance.a"}
    finally:
        ROOT = saved
