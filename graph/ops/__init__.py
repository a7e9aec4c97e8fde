"""Observability: metrics, tracing, logging and the status page."""
