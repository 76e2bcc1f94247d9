"""Read the names (responses, actions, slots) the action modules use, from their source with `ast`.

Plain string constants are found wherever they are (also in module-level
constants and in variables, since an assignment holds a constant). F-strings
are expanded when every placeholder is statically visible: a module-level
constant, a class attribute read through `self`, a loop over a constant tuple,
or a value listed in `runtime_values` (for values made outside bot/actions).
An f-string that looks like a name but cannot be expanded is reported in
`unresolved`, so a test can fail on it instead of missing the name.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

NAME_LIKE = re.compile(r"(utter|action|validate)_")
SLOT_PARAMETER = re.compile(r"(slot|slots|\w+_slots)")


class ActionSource:
    def __init__(self, paths: list[Path], runtime_values: dict[str, tuple[str, ...]]):
        self.runtime_values = runtime_values
        self.trees = {path.name: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for path in paths}
        self.unresolved: list[str] = []
        self._constants = {name: self._module_constants(tree) for name, tree in self.trees.items()}
        self._attributes = {name: self._class_attributes(tree) for name, tree in self.trees.items()}
        self._functions = {node.name: node for tree in self.trees.values() for node in ast.walk(tree)
                           if isinstance(node, ast.FunctionDef)}
        self.strings: set[str] = set()  # every string constant, and every expansion of an f-string
        self.slots: set[str] = set()  # what is used in a slot's place
        self.action_names: dict[str, set[str] | None] = {}  # Action class -> what its name() returns
        for module, tree in self.trees.items():
            self._scan(module, tree)

    # --- what a module binds to names -------------------------------------------------

    def _module_constants(self, tree: ast.Module) -> dict[str, set[str]]:
        constants: dict[str, set[str]] = {}
        for node in tree.body:
            target, value = _assignment(node)
            if isinstance(target, ast.Name):
                values = self._literal(value)
                if values is not None:
                    constants[target.id] = values
        for node in ast.walk(tree):  # `for slot in FORM_SLOTS`: the loop variable takes the tuple's values
            if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
                iterable = node.iter
                values = constants.get(iterable.id) if isinstance(iterable, ast.Name) else self._literal(iterable)
                if values is not None:
                    constants.setdefault(node.target.id, set()).update(values)
        return constants

    def _class_attributes(self, tree: ast.Module) -> dict[str, set[str]]:
        attributes: dict[str, set[str]] = {}
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for node in cls.body:
                target, value = _assignment(node)
                if isinstance(target, ast.Name):
                    values = self._literal(value)
                    if values is not None:
                        attributes.setdefault(target.id, set()).update(values)
        return attributes

    def _literal(self, node: ast.AST | None) -> set[str] | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            parts = [self._literal(element) for element in node.elts]
            return set().union(*parts) if parts and all(p is not None for p in parts) else None
        return None

    # --- the values an expression can have ----------------------------------------------

    def values(self, module: str, node: ast.AST) -> set[str] | None:
        """The strings `node` can evaluate to, or None when that is not statically visible."""
        literal = self._literal(node)
        if literal is not None:
            return literal
        if isinstance(node, ast.Name):
            return self._constants[module].get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            return self._attributes[module].get(node.attr)
        if isinstance(node, ast.IfExp):
            body, orelse = self.values(module, node.body), self.values(module, node.orelse)
            return body | orelse if body is not None and orelse is not None else None
        if isinstance(node, ast.JoinedStr):
            return self._expand(module, node)
        return None

    def _expand(self, module: str, node: ast.JoinedStr) -> set[str] | None:
        choices = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                choices.append({str(part.value)})
                continue
            values = self.values(module, part.value)
            if values is None:
                values = set(self.runtime_values.get(ast.unparse(part.value), ())) or None
            if values is None or part.format_spec is not None or part.conversion != -1:
                return None
            choices.append(values)
        return {"".join(combination) for combination in itertools.product(*choices)}

    # --- one module ------------------------------------------------------------------------

    def _scan(self, module: str, tree: ast.Module) -> None:
        inside_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                           for part in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings:
                self.strings.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                expanded = self._expand(module, node)
                if expanded is not None:
                    self.strings |= expanded
                elif _looks_like_a_name(node):
                    self.unresolved.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node, ast.Call):
                self._slot_arguments(module, node)
            elif isinstance(node, ast.ClassDef):
                self._class(module, node)
        for name, values in self._constants[module].items():
            if name.endswith("_SLOTS"):
                self.slots |= values
        self.slots |= self._attributes[module].get("slot", set())

    def _slot_arguments(self, module: str, call: ast.Call) -> None:
        """get_slot(x), SlotSet(x, ...), and arguments given to a parameter named slot(s)."""
        function = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
        arguments: list[ast.AST] = []
        if function in ("get_slot", "SlotSet") and call.args:
            arguments.append(call.args[0])
        definition = self._functions.get(function)
        if definition is not None:
            parameters = [a.arg for a in definition.args.args]
            arguments += [arg for name, arg in zip(parameters, call.args) if SLOT_PARAMETER.fullmatch(name)]
            arguments += [k.value for k in call.keywords if k.arg and SLOT_PARAMETER.fullmatch(k.arg)]
        for argument in arguments:
            values = self.values(module, argument)
            if values is not None:  # a parameter is checked where the function is called
                self.slots |= values

    def _class(self, module: str, cls: ast.ClassDef) -> None:
        bases = {ast.unparse(base).split(".")[-1] for base in cls.bases}
        methods = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if "FormValidationAction" in bases:  # rasa_sdk calls validate_<slot> and extract_<slot>
            for method in methods:
                for prefix in ("validate_", "extract_"):
                    if method.name.startswith(prefix):
                        self.slots.add(method.name[len(prefix):])
            for node in ast.walk(cls):  # what a validation returns is keyed by slot
                if isinstance(node, ast.Dict):
                    for key in node.keys:
                        values = self.values(module, key) if key is not None else None
                        self.slots |= values or set()
        for method in methods:
            if method.name == "name":
                returns = [n for n in ast.walk(method) if isinstance(n, ast.Return) and n.value is not None]
                found = [self.values(module, r.value) for r in returns]
                self.action_names[cls.name] = (set().union(*found) if found and None not in found else None)


def _assignment(node: ast.stmt) -> tuple[ast.expr | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        return node.targets[0], node.value
    if isinstance(node, ast.AnnAssign):
        return node.target, node.value
    return None, None


def _looks_like_a_name(node: ast.JoinedStr) -> bool:
    first = node.values[0] if node.values else None
    return isinstance(first, ast.Constant) and bool(NAME_LIKE.match(str(first.value)))
