# syntax=docker/dockerfile:1
#
# Portalgraph gateway image.
#   docker build -t portalgraph .
#   docker run --rm -p 8000:8000 -v "$PWD/network.toml:/app/network.toml:ro" portalgraph
#
# Stages:
#   assets  - node image: downloads the pinned GraphiQL/React browser files from
#             the npm registry (scripts/fetch_graphiql.py), so the GraphiQL page
#             needs no internet at run time.
#   build   - installs the project (pip install .) into a virtualenv.
#   runtime - slim Python, the virtualenv only, non-root user (uid 10001).
#
# Base images are pinned to a patch release; a registry mirror should pin them
# further by digest (--build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:...).
# Workers: one per CPU the container may use (PORTALGRAPH_WORKERS=0, cgroup quota
# included); Kubernetes sets 1 and scales pods instead, so each /metrics scrape sees
# the whole process (docs/operations.md).

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG NODE_IMAGE=node:20.19-bookworm-slim

# --------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS assets
# The fetch script is stdlib-only Python; Debian bookworm's python3 is 3.11.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/fetch_graphiql.py scripts/fetch_graphiql.py
RUN python3 scripts/fetch_graphiql.py --dest /src/vendor \
    && python3 scripts/fetch_graphiql.py --dest /src/vendor --check

# --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY . .
# Vendored assets go into the package (pyproject's package-data includes
# graph/static/vendor/**), so the installed `graph` package is self-contained.
COPY --from=assets /src/vendor graph/static/vendor
RUN pip install . \
    && python -c "from graph.http.graphiql import assets_available as ok; raise SystemExit(not ok())"

# --------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    PORTALGRAPH_HOST=0.0.0.0 \
    PORTALGRAPH_PORT=8000 \
    PORTALGRAPH_WORKERS=0
RUN groupadd --system --gid 10001 portalgraph \
    && useradd --system --uid 10001 --gid portalgraph --home-dir /app \
        --no-create-home --shell /usr/sbin/nologin portalgraph \
    && install -d -o 10001 -g 10001 /run/portalgraph
# /run/portalgraph: where `portalgraph sandbox` writes network.toml (deploy/compose.yaml).
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Liveness only: /readyz (Redis, draining) is for load balancers, not for restarts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ.get('PORTALGRAPH_PORT', '8000') + '/healthz', timeout=4)"]
# uvicorn handles SIGTERM: readiness 503, PORTALGRAPH_SHUTDOWN_DELAY, then in-flight
# requests get PORTALGRAPH_SHUTDOWN_GRACE seconds and WebSockets close with 1001.
STOPSIGNAL SIGTERM
CMD ["portalgraph", "serve"]
