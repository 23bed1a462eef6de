"""One skeleton for every domain app (issue 16): a newcomer who knows one finds any rule of
another in a minute. Each has the same inner layout, its state changes live in its
``actions`` package, and its pages and API never write a model themselves."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the gongzhi package
DOMAIN_APPS = ["cases", "deliberation", "volunteering", "renewal", "campaigns"]
# models → actions → selectors → pages → API → admin → audit words → tests (with a browser).
LAYOUT = ["apps.py", "actions/__init__.py", "selectors.py", "urls_staff.py",
          "urls_resident.py", "api.py", "admin.py", "events.py", "tests/__init__.py"]
MAX_LINES = 600  # a file read in one sitting
WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def _modules(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py")
            if not {"tests", "migrations"} & set(p.relative_to(ROOT).parts)]


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_domain_app_has_the_same_inner_layout(app):
    base = ROOT / app
    missing = [name for name in LAYOUT if not (base / name).is_file()]
    assert missing == []
    assert (base / "models.py").is_file() or (base / "models" / "__init__.py").is_file()
    assert not (base / "actions.py").exists()  # one package by concern, not one long file
    assert list((base / "tests").glob("test_browser*.py"))


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_files_stay_readable_in_one_sitting(app):
    long = {str(p.relative_to(ROOT)): n for p in _modules(app)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _writes(tree: ast.AST) -> list[str]:
    """Calls that write a model: ``x.save()``, ``Model.objects.create(…)``, a queryset's
    ``.update(…)`` (a dict's update is left alone: its receiver is no query)."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, ast.unparse(node.func.value)
        if name in WRITES or (name == "create" and receiver.endswith("objects")) or (
                name == "update" and (".objects" in receiver or ".filter(" in receiver)):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}")
    return found


@pytest.mark.parametrize("app", DOMAIN_APPS + ["notices", "accounts", "areas", "open311"])
def test_pages_and_api_only_call_actions(app):
    """Views, API endpoints, forms and panels parse, check and call an action."""
    readers = [p for p in _modules(app)
               if p.name.startswith(("views", "api", "forms", "panels"))]
    assert readers
    writes = {str(p.relative_to(ROOT)): w for p in readers
              if (w := _writes(ast.parse(p.read_text(encoding="utf-8"))))}
    assert writes == {}


def test_the_write_finder_sees_a_write():
    """The check above would catch a view that saves (it is not blind)."""
    code = ("def view(request, case):\n    case.save()\n    Case.objects.create(title='x')\n"
            "    Case.objects.filter(pk=1).update(status='done')\n    context.update(a=1)\n")
    assert _writes(ast.parse(code)) == ["2: case.save", "3: Case.objects.create",
                                        "4: Case.objects.filter(pk=1).update"]


# DESIGN.md §2, bottom-up: an app imports from the apps before it here, never from those
# after it (a foundation app that needs a domain app's data offers a registry instead).
LAYERS = ["core", "areas", "accounts", "notices", "cases", "deliberation", "volunteering",
          "renewal", "campaigns"]


def _imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names
            if name.startswith("gongzhi.") and name.count(".") >= 1}


@pytest.mark.parametrize("app", LAYERS)
def test_apps_import_only_the_apps_below_them(app):
    above = set(LAYERS[LAYERS.index(app) + 1:])
    wrong = {f"{path.relative_to(ROOT)} imports {name}"
             for path in _modules(app) for name in _imported_apps(path) & above}
    assert sorted(wrong) == []


def test_the_import_finder_sees_an_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from gongzhi.campaigns.selectors_stars import latest_stars\n"
                      "import gongzhi.renewal.models\n", encoding="utf-8")
    assert _imported_apps(module) == {"campaigns", "renewal"}
