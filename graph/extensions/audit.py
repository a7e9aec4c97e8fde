"""One audit line per access to personal data: who (pseudonym), what, which id, result.

Hooked into field resolution rather than the resolvers, so every route to an object
(lists, `node`, aliases, fragments, mutations, subscriptions) is covered without each
resolver remembering to log. Only fields that may return a personal type are hooked
(`audited`, bound when the schema is built by graph/extensions/field_hooks.py): a
`resolve` hook on the extension would run for every field of every operation, 5,000
times for a page of 500 messages. The operation's `AuditLog` is found by a context
variable that its `on_operation` sets: resolvers run in its task or in tasks started
from it, which copy the variable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from graphql import GraphQLResolveInfo, GraphQLSchema, get_named_type, is_abstract_type
from strawberry.extensions import SchemaExtension

from graph.domain.errors import PublicError
from graph.domain.ids import from_global_id
from graph.ops.logging import audit
from sources.base import ErrorCode

# GraphQL type → the audit log's "what".
PERSONAL = {
    "Application": "Application",
    "Message": "Message",
    "Payment": "Payment",
    "PortalAccount": "Account",
    "Me": "Account",
    "ApplicationsForgotten": "Application",
}
Info = GraphQLResolveInfo[Any]
DENIED_CODES = {ErrorCode.UNAUTHENTICATED, ErrorCode.INSUFFICIENT_TRUST_LEVEL}


@lru_cache(maxsize=8)
def personal_fields(schema: GraphQLSchema) -> frozenset[tuple[str, str]]:
    """(parent type, field) pairs that may return a personal object."""
    found: set[tuple[str, str]] = set()
    for parent in schema.type_map.values():
        if parent.name.startswith("__") or not hasattr(parent, "fields"):
            continue
        for name, field in parent.fields.items():
            named = get_named_type(field.type)
            possible = schema.get_possible_types(named) if is_abstract_type(named) else [named]
            if any(t.name in PERSONAL for t in possible):
                found.add((parent.name, name))
    return frozenset(found)


AUDITED_AS: dict[type, tuple[str | None, bool]] = {}  # result types are few: unbounded


def audited_as(cls: type) -> tuple[str | None, bool]:
    """The audit's "what" of a result type (None: not personal) and whether the type
    says its own result (`audit_result`): found once per type, not for each of the 500
    items of a page."""
    found = AUDITED_AS.get(cls)
    if found is None:
        definition = getattr(cls, "__strawberry_definition__", None)
        own_result = "audit_result" in getattr(cls, "__dataclass_fields__", {}) or hasattr(
            cls, "audit_result"
        )
        found = AUDITED_AS[cls] = (PERSONAL.get(getattr(definition, "name", "")), own_result)
    return found


class AuditLog(SchemaExtension):
    def __init__(self, pseudonym: Callable[[str], str]) -> None:
        self.pseudonym = pseudonym
        # Both made on the first audit line: most operations, and every idle subscription
        # (which keeps this instance for its life), write none.
        self.seen: set[tuple[str, str, str]] | None = None
        self.who: tuple[str, str] | None = None  # (subject, pseudonym): one HMAC per operation

    def around(self, resolve: Callable[..., Any], root: Any, info: Info, **kwargs: Any) -> Any:
        """One personal field's resolution, audited."""
        try:
            result = resolve(root, info, **kwargs)
        except PublicError as exc:
            self._failed(info, kwargs, exc)
            raise
        # The executor's own test (a type look-up for plain values): inspect.isawaitable
        # asks collections.abc.Awaitable, an ABC check for each of a page's 500 messages.
        if info.is_awaitable(result):
            return self._after(result, info, kwargs)
        self._record(result, info, kwargs)
        return result

    async def _after(self, pending: Awaitable[Any], info: Info, kwargs: dict[str, Any]) -> Any:
        try:
            result = await pending
        except PublicError as exc:
            self._failed(info, kwargs, exc)
            raise
        self._record(result, info, kwargs)
        return result

    def _record(self, result: Any, info: Info, kwargs: dict[str, Any]) -> None:
        if result is None:
            what, object_id = self._requested(info, kwargs)
            if what is not None:
                self._emit(info, what, object_id, "not_found" if object_id != "me" else "denied")
            return
        for item in result if isinstance(result, list) else (result,):
            what, own_result = audited_as(type(item))
            if what is not None:
                result_text = item.audit_result if own_result else "ok"  # e.g. "deleted"
                if getattr(item, "locked", False):
                    result_text = "denied"
                self._emit(info, what, _object_id(item), result_text)

    def _failed(self, info: Info, kwargs: dict[str, Any], exc: PublicError) -> None:
        code = exc.extensions.get("code")
        what, object_id = self._requested(info, kwargs)
        if what is not None and code in DENIED_CODES | {ErrorCode.NOT_FOUND}:
            found = "not_found" if code == ErrorCode.NOT_FOUND else "denied"
            self._emit(info, what, object_id, found)

    def _requested(self, info: Info, kwargs: dict[str, Any]) -> tuple[str | None, str]:
        """What a field that returned nothing was asked for: from its `id` argument."""
        if info.field_name == "me":
            return "Account", "me"
        global_id = kwargs.get("id")
        if not isinstance(global_id, str):
            return None, ""
        try:
            type_name, _ = from_global_id(global_id)
        except ValueError:
            return None, ""
        return PERSONAL.get(type_name), global_id

    def _emit(self, info: Info, what: str, object_id: str, result: str) -> None:
        line = (what, object_id, result)
        if self.seen is None:
            self.seen = set()
        elif line in self.seen:
            return
        self.seen.add(line)
        viewer = getattr(info.context, "viewer", None)
        who = "anonymous"
        if viewer is not None:
            if self.who is None or self.who[0] != viewer.subject:
                self.who = (viewer.subject, self.pseudonym(viewer.subject))
            who = self.who[1]
        audit(who, what, object_id, result)

    def on_operation(self) -> Iterator[None]:
        token = CURRENT.set(self)
        try:
            yield
        finally:
            CURRENT.reset(token)


CURRENT: ContextVar[AuditLog | None] = ContextVar("portalgraph_audit_log", default=None)


def audited(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """`resolve` of a personal field, audited by the operation's `AuditLog`, if any."""

    def resolve_audited(root: Any, info: Info, **kwargs: Any) -> Any:
        log = CURRENT.get()
        if log is None:  # a schema run without the extension (tests, `portalgraph schema`)
            return resolve(root, info, **kwargs)
        return log.around(resolve, root, info, **kwargs)

    return resolve_audited


def _object_id(item: Any) -> str:
    if hasattr(item, "id"):
        return str(item.id)
    portal = getattr(item, "portal", None)
    if portal is not None and hasattr(item, "account_id"):
        return f"{portal.id}/{item.account_id}"
    return "me"
