"""API keys, roles and masking.

Keys are random tokens; only their SHA-256 is stored (a 256-bit random token needs no salt:
there is nothing to guess from its hash). Keys come from `COMPLAINT_TRACE_API_KEYS` (a JSON
list) when set, else from the keys file (`Settings.api_keys_path`), re-read when it changes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

_log = logging.getLogger("complaint_trace.api")


class Role(StrEnum):
    handler = "handler"  # trace and ticket search; personal data masked
    auditor = "auditor"  # also findings and audit summaries; masked
    admin = "admin"  # everything, personal data included


CAN_READ_AUDIT = {Role.auditor, Role.admin}
CAN_SEE_PII = {Role.admin}


class KeyConfigError(ValueError):
    """The keys file or env value is malformed."""


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role
    sha256: str


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role

    @property
    def sees_pii(self) -> bool:
        return self.role in CAN_SEE_PII


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_keys(text: str, origin: str) -> list[ApiKey]:
    try:
        entries = json.loads(text)
        keys = [ApiKey(str(e["name"]), Role(e["role"]), str(e["sha256"]).lower()) for e in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyConfigError(f"{origin}: expected a JSON list of {{name, role, sha256}}: {exc}") \
            from exc
    bad = [k.name for k in keys if len(k.sha256) != 64]
    if bad:
        raise KeyConfigError(f"{origin}: sha256 must be 64 hex characters (keys {bad})")
    return keys


class KeyStore:
    """Resolves a presented key to a caller, comparing hashes in constant time."""

    def __init__(self, path: Path, env_value: str | None = None) -> None:
        self.path = path
        self.env_value = env_value
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._error: str | None = None  # why the file's current version is unusable
        self._loaded = bool(env_value)  # some version of the keys was ever usable
        self._keys: list[ApiKey] = (
            parse_keys(env_value, "COMPLAINT_TRACE_API_KEYS") if env_value else [])

    def _current(self) -> list[ApiKey]:
        if self.env_value:
            return self._keys
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return []
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with self._lock:
                self._stamp = stamp
                try:
                    self._keys = parse_keys(self.path.read_text(encoding="utf-8"),
                                            str(self.path))
                    self._error = None
                except (KeyConfigError, OSError, UnicodeDecodeError) as exc:
                    # an edit gone wrong must not lock everyone out: keep the last good keys
                    self._error = str(exc)
                    _log.error("API keys file unusable, %s: %s", "keeping the last good keys"
                               if self._loaded else "no key accepted until it is fixed", exc)
                self._loaded = self._loaded or self._error is None
        if not self._loaded and self._error:
            raise KeyConfigError(self._error)
        return self._keys

    def authenticate(self, presented: str | None) -> Caller | None:
        if not presented:
            return None
        return self.caller_of_hash(hash_key(presented))

    def caller_of_hash(self, digest: str) -> Caller | None:
        """The caller whose key has this SHA-256 (a page session holds the hash, not the key)."""
        found: ApiKey | None = None
        for key in self._current():  # compare with every key: timing says nothing about which
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return Caller(found.name, found.role) if found else None


def new_key() -> str:
    return "ctk_" + secrets.token_urlsafe(32)


def write_keys_file(path: Path, names_roles: list[tuple[str, Role]]) -> dict[str, str]:
    """Create (or replace) a keys file with a fresh key per (name, role); returns the plain keys,
    which are shown once and stored nowhere."""
    plain = {name: new_key() for name, _ in names_roles}
    entries = [{"name": name, "role": role.value, "sha256": hash_key(plain[name])}
               for name, role in names_roles]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, path)
    return plain
