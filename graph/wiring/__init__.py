"""The composition root's builders: adapters, their wrapping, identity."""
