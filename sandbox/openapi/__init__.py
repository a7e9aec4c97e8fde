"""OpenAPI 3.1 documents of the sandbox upstreams, one module per upstream (docs/sandbox.md)."""
