"""Simulated foreign systems (portal upstreams) for development and tests; never imports the gateway."""
