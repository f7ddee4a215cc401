"""Keep the lock honest without the package index.

``make lock`` compiles requirements-*.txt from pyproject.toml (that needs the index) and then
runs ``lock_stamp.py write``: it records a digest of what the lock was made from (the
dependency parts of pyproject.toml) and of the lock files themselves in ``lock.sha256``.
``make test`` runs ``lock_stamp.py check``, which needs no network: it fails when
pyproject.toml's dependencies or a lock file changed since the last ``make lock``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
LOCKS = ("requirements-build.txt", "requirements-run.txt", "requirements-dev.txt")
STAMP = "lock.sha256"


def dependency_spec(pyproject: Path) -> dict[str, object]:
    """The parts of pyproject.toml that decide what the lock holds."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    return {
        "build-system": data.get("build-system", {}).get("requires", []),
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
        "dependency-groups": data.get("dependency-groups", {}),
        "uv": data.get("tool", {}).get("uv", {}),
    }


def digests(root: Path) -> dict[str, str]:
    spec = json.dumps(dependency_spec(root / "pyproject.toml"), sort_keys=True)
    found = {"pyproject.toml dependencies": hashlib.sha256(spec.encode()).hexdigest()}
    for name in LOCKS:
        found[name] = hashlib.sha256((root / name).read_bytes()).hexdigest()
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[2]) if len(argv) > 2 else HERE
    if len(argv) < 2 or argv[1] not in ("write", "check"):
        print("usage: lock_stamp.py write|check [PROJECT_DIR]", file=sys.stderr)
        return 2
    now = digests(root)
    stamp = root / STAMP
    if argv[1] == "write":
        stamp.write_text("".join(f"{v}  {k}\n" for k, v in now.items()), encoding="utf-8")
        return 0
    if not stamp.is_file():
        print(f"{STAMP} is missing: run 'make lock' and commit it with the lock.", file=sys.stderr)
        return 1
    recorded = {}
    for line in stamp.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        recorded[name] = digest
    changed = [name for name, digest in now.items() if recorded.get(name) != digest]
    if changed:
        print(f"changed since the lock was made: {', '.join(changed)}; run 'make lock' "
              "(it needs the package index) and commit requirements-*.txt and "
              f"{STAMP} together.", file=sys.stderr)
        return 1
    print("lock: requirements-*.txt were made from today's pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
