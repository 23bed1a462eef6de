"""What the source code can write to the audit log, read with ``ast`` (no code is run).

Every ``audit.record(...)`` call of the platform is found; its ``action`` is resolved to the
codes it can take (literals, ``"a" if x else "b"``, f-strings such as ``f"renewal.{action}"``
whose ``action`` is a parameter, followed to every call of the helper), and its ``before`` /
``after`` to the keys they can hold (dict literals, ``audit.snapshot(obj, FIELDS)``, ``|``,
``**extra`` from the helper's callers, a helper's returned dict, a dataclass's fields).
Whatever cannot be followed is reported, so a new way of writing events fails loudly
instead of slipping past the label checks.
"""

import ast
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import gongzhi

ROOT = Path(gongzhi.__file__).resolve().parent
SKIP = {"tests", "migrations", "__pycache__"}


class Unresolved(Exception):
    """An expression the reader cannot follow to its possible values."""


@dataclass
class Module:
    name: str  # dotted: gongzhi.renewal.actions._common
    path: Path
    tree: ast.Module
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    constants: dict[str, ast.expr] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # alias → (mod, name)
    parents: dict[int, ast.AST] = field(default_factory=dict)

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT.parent)}:{getattr(node, 'lineno', '?')}"

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | None:
        while (node := self.parents.get(id(node))) is not None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None


@dataclass
class Write:
    """One ``audit.record`` call: where it is, the codes it can write, the keys it can hold."""

    where: str
    app: str  # the app whose code writes it: gongzhi.<app>....
    actions: set[str]
    keys: set[str]  # every key, those of the snapshots too
    # The field lists of audit.snapshot(obj, FIELDS) calls: fields of one model each.
    snapshots: list[frozenset[str]]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _load(path: Path) -> Module:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = Module(_module_name(path), path, tree)
    package = module.name if path.name == "__init__.py" else module.name.rpartition(".")[0]
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            module.parents[id(child)] = node
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            module.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            module.classes[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    module.constants[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            module.constants[node.target.id] = node.value
    for node in ast.walk(tree):  # imports anywhere (several modules import inside functions)
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                module.imports[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module.imports[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0], None)
    return module


class Source:
    """The platform's modules (tests and migrations left out) and what they write."""

    def __init__(self, root: Path = ROOT):
        self.modules = {
            m.name: m for m in (
                _load(p) for p in sorted(root.rglob("*.py")) if not SKIP & set(p.parts))
        }
        self.unresolved: list[str] = []

    # --- names ------------------------------------------------------------------------

    def _imported_module(self, module: Module, alias: str) -> Module | None:
        """The module an alias names: ``from gongzhi.core import audit`` → gongzhi.core.audit."""
        if alias not in module.imports:
            return None
        base, name = module.imports[alias]
        return self.modules.get(f"{base}.{name}" if name else base)

    def _definition(self, module: Module, name: str, kind: str) -> tuple[Module, ast.AST] | None:
        """A top-level function / class / constant ``name`` as seen from ``module``."""
        table = getattr(module, kind)
        if name in table:
            return module, table[name]
        if name in module.imports:
            base, real = module.imports[name]
            other = self.modules.get(base)
            if other is not None and real and other is not module:
                return self._definition(other, real, kind)
        return None

    def _is_record(self, module: Module, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "record" and isinstance(
                func.value, ast.Name):
            target = self._imported_module(module, func.value.id)
            return target is not None and target.name == "gongzhi.core.audit"
        if isinstance(func, ast.Name) and func.id in module.imports:
            return module.imports[func.id] == ("gongzhi.core.audit", "record")
        return False

    def _is_snapshot(self, module: Module, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "snapshot" and isinstance(
                func.value, ast.Name):
            target = self._imported_module(module, func.value.id)
            return target is not None and target.name == "gongzhi.core.audit"
        return isinstance(func, ast.Name) and module.imports.get(func.id) == (
            "gongzhi.core.audit", "snapshot")

    def _names_of(self, module: Module, function: ast.FunctionDef) -> set[tuple[str, str]]:
        """(module, name) pairs that mean ``function``: where it is defined, and every
        package that re-exports it (``gongzhi.cases.actions`` for ``…actions.triage``)."""
        names = {(module.name, function.name)}
        grew = True
        while grew:
            grew = False
            for other in self.modules.values():
                for alias, (base, real) in other.imports.items():
                    if (base, real) in names and (other.name, alias) not in names:
                        names.add((other.name, alias))
                        grew = True
        return names

    def calls_of(self, module: Module, function: ast.FunctionDef):
        """Every call of ``function`` (defined at the top of ``module``) in the source."""
        meant = self._names_of(module, function)
        for other in self.modules.values():
            names = {alias for alias, pair in other.imports.items() if pair in meant}
            if other is module:
                names.add(function.name)
            modules = {alias: f"{base}.{real}" if real else base
                       for alias, (base, real) in other.imports.items()}
            for node in ast.walk(other.tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if (isinstance(func, ast.Name) and func.id in names) or (
                        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                        and (modules.get(func.value.id), func.attr) in meant):
                    yield other, node

    # --- arguments of a parameter, from every caller -------------------------------------

    def _argument_values(self, module: Module, function: ast.FunctionDef, name: str,
                         seen: frozenset) -> list[tuple[Module, ast.expr]]:
        args = function.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults,
                            strict=True))
        defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                     if d is not None}
        key = (module.name, function.name, name)
        if key in seen:
            return []
        found = []
        calls = list(self.calls_of(module, function))
        if not calls:
            raise Unresolved(f"{module.where(function)}: {function.name}() is never called")
        for caller, call in calls:
            if any(isinstance(a, ast.Starred) for a in call.args) or any(
                    k.arg is None for k in call.keywords):
                raise Unresolved(f"{caller.where(call)}: *args / **kwargs into "
                                 f"{function.name}()")
            keyword = {k.arg: k.value for k in call.keywords}
            if name in keyword:
                found.append((caller, keyword[name]))
            elif name in positional and positional.index(name) < len(call.args):
                found.append((caller, call.args[positional.index(name)]))
            elif name in defaults:
                found.append((module, defaults[name]))
            else:
                raise Unresolved(f"{caller.where(call)}: no {name} for {function.name}()")
        return found

    def _extra_keywords(self, module: Module, function: ast.FunctionDef,
                        seen: frozenset) -> set[str]:
        """Keyword names the callers pass into ``**extra``."""
        named = {a.arg for a in (*function.args.posonlyargs, *function.args.args,
                                 *function.args.kwonlyargs)}
        out = set()
        for caller, call in self.calls_of(module, function):
            for keyword in call.keywords:
                if keyword.arg is None:
                    out |= self.keys(caller, keyword.value, seen)
                elif keyword.arg not in named:
                    out.add(keyword.arg)
        return out

    def _local_values(self, module: Module, node: ast.Name) -> list[ast.expr] | None:
        """What the enclosing function assigns to a local name; None when it is a parameter."""
        function = module.enclosing(node)
        if function is None:
            return None
        args = function.args
        params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        if node.id in params or (args.kwarg and args.kwarg.arg == node.id):
            return None
        values = []
        for inner in ast.walk(function):
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    if isinstance(target, ast.Name) and target.id == node.id:
                        values.append(inner.value)
                    elif isinstance(target, ast.Tuple):  # a, b = x, y  /  a, b = helper()
                        values += self._unpacked(module, target, inner.value, node.id)
            elif isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name) \
                    and inner.target.id == node.id and inner.value is not None:
                values.append(inner.value)
        return values

    def _unpacked(self, module: Module, target: ast.Tuple, value: ast.expr, name: str
                  ) -> list[ast.expr]:
        names = [t.id if isinstance(t, ast.Name) else None for t in target.elts]
        if name not in names:
            return []
        index = names.index(name)
        if isinstance(value, ast.Tuple) and len(value.elts) == len(names):
            return [value.elts[index]]
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            found = self._definition(module, value.func.id, "functions")
            if found is not None:
                where, function = found
                returns = [r.value for r in ast.walk(function) if isinstance(r, ast.Return)]
                if returns and all(isinstance(r, ast.Tuple) and len(r.elts) == len(names)
                                   for r in returns):
                    if where is not module:
                        raise Unresolved(f"{module.where(value)}: {ast.unparse(value)} "
                                         "(another module)")
                    return [r.elts[index] for r in returns]
        raise Unresolved(f"{module.where(value)}: {name} from {ast.unparse(value)}")

    def _subscript_keys(self, module: Module, node: ast.Name) -> set[str]:
        """``after["status"] = ...`` further down the function adds the key ``status``."""
        function = module.enclosing(node)
        out = set()
        for inner in ast.walk(function) if function else ():
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    if isinstance(target, ast.Subscript) and isinstance(
                            target.value, ast.Name) and target.value.id == node.id:
                        out |= self.strings(module, target.slice)
        return out

    def _name_values(self, module: Module, node: ast.Name, seen: frozenset
                     ) -> list[tuple[Module, ast.expr]] | str:
        """The expressions a name may stand for; "**" when it is the caller's **kwargs."""
        local = self._local_values(module, node)
        if local:
            return [(module, v) for v in local]
        function = module.enclosing(node)
        if local is None and function is not None:
            if function.args.kwarg and function.args.kwarg.arg == node.id:
                return "**"
            top = module.functions.get(function.name)
            if top is not function:
                raise Unresolved(f"{module.where(node)}: {node.id} of a nested function")
            return self._argument_values(module, function, node.id, seen)
        found = self._definition(module, node.id, "constants")
        if found is None:
            raise Unresolved(f"{module.where(node)}: cannot follow {node.id}")
        return [found]

    # --- strings: the codes an action may be ------------------------------------------

    def strings(self, module: Module, node: ast.expr, seen: frozenset = frozenset()
                ) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.strings(module, node.body, seen) | self.strings(module, node.orelse, seen)
        if isinstance(node, ast.JoinedStr):
            out = {""}
            for part in node.values:
                if isinstance(part, ast.Constant):
                    pieces = {str(part.value)}
                elif isinstance(part, ast.FormattedValue) and part.format_spec is None:
                    pieces = self.strings(module, part.value, seen)
                else:
                    raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")
                out = {a + b for a in out for b in pieces}
            return out
        if isinstance(node, ast.Name):
            values = self._name_values(module, node, seen | {id(node)})
            if values == "**":
                raise Unresolved(f"{module.where(node)}: {node.id}")
            out = set()
            for where, value in values:
                out |= self.strings(where, value, seen | {id(node)})
            return out
        raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")

    def _string_list(self, module: Module, node: ast.expr) -> set[str]:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            out = set()
            for element in node.elts:
                out |= self.strings(module, element)
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._string_list(module, node.left) | self._string_list(module, node.right)
        if isinstance(node, ast.Name):
            values = self._name_values(module, node, frozenset())
            if values == "**":
                raise Unresolved(f"{module.where(node)}: {node.id}")
            out = set()
            for where, value in values:
                out |= self._string_list(where, value)
            return out
        raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")

    # --- keys: what before / after may hold --------------------------------------------

    def _dataclass_fields(self, module: Module, node: ast.expr) -> set[str]:
        """Fields of the dataclass instance ``node`` names (``summary = ImportSummary(...)``)."""
        if isinstance(node, ast.Name):
            for where, value in self._name_values(module, node, frozenset()):
                return self._dataclass_fields(where, value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found = self._definition(module, node.func.id, "classes")
            if found is not None:
                _where, cls = found
                return {s.target.id for s in cls.body if isinstance(s, ast.AnnAssign)
                        and isinstance(s.target, ast.Name)
                        and "ClassVar" not in ast.unparse(s.annotation)}
        raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")

    def _comprehension_keys(self, module: Module, node: ast.DictComp) -> set[str]:
        (gen,) = node.generators
        items = gen.iter
        if not (isinstance(node.key, ast.Name) and isinstance(gen.target, ast.Tuple)
                and isinstance(items, ast.Call) and isinstance(items.func, ast.Attribute)
                and items.func.attr == "items"):
            raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")
        source = items.func.value
        if isinstance(source, ast.Attribute) and source.attr == "__dict__":
            keys = self._dataclass_fields(module, source.value)
        elif isinstance(source, ast.Call) and ast.unparse(source.func) in (
                "asdict", "dataclasses.asdict"):
            keys = self._dataclass_fields(module, source.args[0])
        else:
            raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")
        for test in gen.ifs:  # k != "created", k not in (...)
            if not (isinstance(test, ast.Compare) and len(test.ops) == 1
                    and ast.unparse(test.left) == node.key.id):
                raise Unresolved(f"{module.where(test)}: {ast.unparse(test)}")
            if isinstance(test.ops[0], ast.NotEq):
                keys -= self.strings(module, test.comparators[0])
            elif isinstance(test.ops[0], ast.NotIn):
                keys -= self._string_list(module, test.comparators[0])
            else:
                raise Unresolved(f"{module.where(test)}: {ast.unparse(test)}")
        return keys

    def keys(self, module: Module, node: ast.expr | None, seen: frozenset = frozenset(),
             snapshots: list | None = None) -> set[str]:
        """Keys the dict ``node`` may hold; each snapshot's field list also goes to snapshots."""
        def again(where, value):
            return self.keys(where, value, seen, snapshots)

        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return set()
        if isinstance(node, ast.Dict):
            out = set()
            for key, value in zip(node.keys, node.values, strict=True):
                out |= again(module, value) if key is None else self.strings(module, key)
            return out
        if isinstance(node, ast.DictComp):
            return self._comprehension_keys(module, node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return again(module, node.left) | again(module, node.right)
        if isinstance(node, ast.BoolOp):
            out = set()
            for value in node.values:
                out |= again(module, value)
            return out
        if isinstance(node, ast.IfExp):
            return again(module, node.body) | again(module, node.orelse)
        if isinstance(node, ast.Call) and self._is_snapshot(module, node):
            fields = self._string_list(module, node.args[1])
            if snapshots is not None:
                snapshots.append(frozenset(fields))
            return fields
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "dict" and not node.args:
                return {k.arg for k in node.keywords if k.arg} | set().union(
                    *(again(module, k.value) for k in node.keywords if k.arg is None))
            found = self._definition(module, node.func.id, "functions")
            if found is not None:  # a helper that builds the dict: what it returns
                where, function = found
                out = set()
                for inner in ast.walk(function):
                    if isinstance(inner, ast.Return):
                        out |= self.keys(where, inner.value, seen, snapshots)
                return out
        if isinstance(node, ast.Name):
            if id(node) in seen:
                return set()
            values = self._name_values(module, node, seen | {id(node)})
            if values == "**":
                function = module.enclosing(node)
                return self._extra_keywords(module, function, seen | {id(node)})
            out = self._subscript_keys(module, node)
            for where, value in values:
                out |= self.keys(where, value, seen | {id(node)}, snapshots)
            return out
        raise Unresolved(f"{module.where(node)}: {ast.unparse(node)}")

    # --- the writes ------------------------------------------------------------------

    @cached_property
    def writes(self) -> list[Write]:
        out = []
        for module in self.modules.values():
            for node in ast.walk(module.tree):
                if not (isinstance(node, ast.Call) and self._is_record(module, node)):
                    continue
                keyword = {k.arg: k.value for k in node.keywords}
                if node.args or None in keyword or "action" not in keyword:
                    self.unresolved.append(f"{module.where(node)}: call audit.record with "
                                           "keywords only")
                    continue
                snapshots: list[frozenset[str]] = []
                try:
                    actions = self.strings(module, keyword["action"])
                    keys = set()
                    for name in ("before", "after"):
                        keys |= self.keys(module, keyword.get(name), snapshots=snapshots)
                except Unresolved as why:
                    self.unresolved.append(str(why))
                    continue
                app = module.name.split(".")[1]
                out.append(Write(module.where(node), app, actions, keys, snapshots))
        return out

    def other_writers(self) -> list[str]:
        """Places that create audit events without core.audit.record."""
        out = []
        for module in self.modules.values():
            if module.name == "gongzhi.core.audit":
                continue
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Attribute) and node.attr in (
                        "create", "bulk_create", "get_or_create", "update_or_create") and \
                        "AuditEvent" in ast.unparse(node.value):
                    out.append(module.where(node))
        return out
