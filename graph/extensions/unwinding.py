"""Operation hooks that unwind when a later hook refuses the operation.

Strawberry enters the `on_operation` hooks one by one on an exit stack; when one of
them raises while entering (a rate limit, a refused persisted document, a size limit),
the exception leaves `__aenter__` and the hooks entered before it are never exited.
Their generators stay suspended until the garbage collector closes them: the metrics
and tracing hooks, which run outermost so that they see refusals, then counted a refused
operation late (after a /metrics scrape, when reference cycles kept it alive) and
without its error. Here the entered hooks are exited with the refusal, then it is raised.
"""

from __future__ import annotations

import sys

from strawberry.extensions.context import OperationContextManager
from strawberry.extensions.runner import SchemaExtensionsRunner


class UnwindingOperation(OperationContextManager):
    def __enter__(self) -> None:
        try:
            super().__enter__()
        except BaseException:
            if not self.exit_stack.__exit__(*sys.exc_info()):
                raise

    async def __aenter__(self) -> None:
        try:
            await super().__aenter__()
        except BaseException:
            if not await self.async_exit_stack.__aexit__(*sys.exc_info()):
                raise


class UnwindingRunner(SchemaExtensionsRunner):
    def operation(self) -> OperationContextManager:
        return UnwindingOperation(self.extensions)
