"""Framework-free rules of the gateway: no strawberry, no starlette."""
