"""How an extension's hook is entered, found once per class (graph/extensions/hooks.py).

A generator hook whose one `yield` ends its body has nothing to do after it: it is run
to its end right after entering, so an operation that stays entered (a subscription, for
hours) keeps no suspended frame of it.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from strawberry.extensions import SchemaExtension

# How a hook is entered: a generator kept until the stage ends, one with nothing after its
# yield (run to its end at once: nothing to keep), an async generator of either kind, a call.
GEN, GEN_ONCE, AGEN, AGEN_ONCE, CALL, ACALL = range(6)
# (extension class, hook name) → (the class's hook function, its kind), or None when the
# class keeps SchemaExtension's default: found once per class, not per operation.
_HOOKS: dict[tuple[type, str], tuple[Callable[..., Any], int] | None] = {}


def hook_of(cls: type, name: str) -> tuple[Callable[..., Any], int] | None:
    key = (cls, name)
    if key not in _HOOKS:
        fn = getattr(cls, name)
        if fn is getattr(SchemaExtension, name):
            _HOOKS[key] = None
        elif inspect.isgeneratorfunction(fn):
            _HOOKS[key] = (fn, GEN_ONCE if ends_at_its_yield(fn) else GEN)
        elif inspect.isasyncgenfunction(fn):
            _HOOKS[key] = (fn, AGEN_ONCE if ends_at_its_yield(fn) else AGEN)
        elif callable(fn):
            _HOOKS[key] = (fn, ACALL if inspect.iscoroutinefunction(fn) else CALL)
        else:
            raise ValueError(f"Hook {name} on {cls} must be callable, received {fn!r}")
    return _HOOKS[key]


def ends_at_its_yield(fn: Callable[..., Any]) -> bool:
    """Whether the hook's one `yield` is the last statement of its body (no try, with or
    loop around it): then resuming it ends it and nothing can happen after the yield, so
    it is finished right after entering, and a subscription keeps no suspended frame of it
    (a rate limit, a size limit, the validation rules). Unknown source: kept entered."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    function = tree.body[0]
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    yields = [node for node in own_nodes(function) if isinstance(node, (ast.Yield, ast.YieldFrom))]
    last = function.body[-1]
    return (
        len(yields) == 1
        and isinstance(yields[0], ast.Yield)
        and isinstance(last, ast.Expr)
        and last.value is yields[0]
    )


def own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of `function`'s body, without those of functions defined inside it."""
    found, todo = [], list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return found
