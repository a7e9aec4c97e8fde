"""The signed-in citizen's own data (docs/topology.md "Cost follows the citizen")."""
