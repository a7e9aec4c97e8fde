"""Find one reference cycle through an object, among the objects the collector found.

A breadth-first walk over `gc.get_referents`, restricted to the garbage, back to the
start; each step is labelled with what links it (attribute, dict key, closure cell,
bound method's `__self__`, frame local), so the cycle reads as code.
"""

from __future__ import annotations

import gc
import itertools
import types
from collections import deque
from typing import Any

LIMIT = 200_000  # objects visited before giving up on one start


def type_name(obj: Any) -> str:
    """Module-qualified type name (builtins bare): httpx's and starlette's Request differ."""
    kind = type(obj)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def describe(obj: Any) -> str:
    if isinstance(obj, types.FunctionType):
        return f"function {obj.__qualname__}"
    if isinstance(obj, types.MethodType):
        return f"bound method {obj.__func__.__qualname__}"
    if isinstance(obj, types.FrameType):
        return f"frame {obj.f_code.co_qualname}"
    if isinstance(obj, types.CoroutineType):
        return f"coroutine {obj.__qualname__}"
    return type_name(obj)


def _in_dict(src: dict[Any, Any], dst: Any) -> str:
    return next((f"[{k!r}]" for k, v in src.items() if v is dst), "[key]")


def _in_function(src: types.FunctionType, dst: Any) -> str:
    if dst is src.__closure__:
        return ".__closure__"
    for name, cell in zip(src.__code__.co_freevars, src.__closure__ or (), strict=False):
        if cell is dst:
            return f".__closure__({name})"
    return ".__globals__/defaults"


def _in_frame(src: types.FrameType, dst: Any) -> str:
    return next((f".f_locals[{k!r}]" for k, v in src.f_locals.items() if v is dst), ".f_back")


LINKS: tuple[tuple[type | tuple[type, ...], Any], ...] = (
    (dict, _in_dict),
    ((list, tuple), lambda _s, _d: "[i]"),
    (types.CellType, lambda _s, _d: ".cell_contents"),
    (types.FunctionType, _in_function),
    (types.MethodType, lambda s, d: ".__self__" if s.__self__ is d else ".__func__"),
    (types.FrameType, _in_frame),
)


def link(src: Any, dst: Any) -> str:
    """How `src` refers to `dst`, as far as it can be told."""
    for kind, label in LINKS:
        if isinstance(src, kind):
            return str(label(src, dst))
    attributes = getattr(src, "__dict__", None)
    if attributes is dst:
        return ".__dict__"
    if isinstance(attributes, dict):
        name = next((k for k, v in attributes.items() if v is dst), None)
        if name is not None:
            return f".{name}"
    slots = getattr(type(src), "__slots__", ())
    return next((f".{n}" for n in slots if getattr(src, n, None) is dst), " →")


def cycle_through(start: Any, garbage_ids: set[int]) -> list[str]:
    """The shortest cycle from `start` back to it, as 'type --link-->' steps."""
    parent: dict[int, tuple[Any, Any]] = {}
    queue: deque[Any] = deque([start])
    seen = {id(start)}
    while queue and len(seen) < LIMIT:
        node = queue.popleft()
        for child in gc.get_referents(node):
            if child is start:
                path = [node]
                while id(path[-1]) != id(start):
                    path.append(parent[id(path[-1])][0])
                path.reverse()
                steps = [*path, start]
                return [f"{describe(a)} {link(a, b)}" for a, b in itertools.pairwise(steps)] + [
                    describe(start)
                ]
            if id(child) in garbage_ids and id(child) not in seen:
                seen.add(id(child))
                parent[id(child)] = (node, child)
                queue.append(child)
    return []


def explain(obj: Any, garbage_ids: set[int], depth: int = 8) -> list[str]:
    """Its own cycle, or the chain of garbage holding it up to the first object on a cycle."""
    own = cycle_through(obj, garbage_ids)
    if own:
        return ["cycle: " + " ".join(own)]
    chain = [obj]
    for _ in range(depth):
        holders = [r for r in gc.get_referrers(chain[-1]) if id(r) in garbage_ids]
        if not holders:
            break
        chain.append(holders[0])
        cycle = cycle_through(holders[0], garbage_ids)
        if cycle:
            held = " ← ".join(f"{describe(b)} {link(b, a)}" for a, b in itertools.pairwise(chain))
            return [f"held by: {describe(obj)} ← {held}", "cycle: " + " ".join(cycle)]
    return ["held by: " + " ← ".join(describe(o) for o in chain) + " (no cycle within depth)"]
