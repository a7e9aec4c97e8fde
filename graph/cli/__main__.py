"""`python -m graph.cli …`, as the `portalgraph` script (the benchmark starts it so)."""

from graph.cli import main

raise SystemExit(main())
