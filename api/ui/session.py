"""Page sessions: an API key entered once on the login page becomes a signed cookie.

The cookie holds the key's SHA-256 (never the key), signed with a per-home secret and stamped
with its time (itsdangerous); it is HttpOnly and SameSite=Strict, so page scripts cannot read
it and other sites cannot send it. Every request checks the hash against the current keys, so
revoking a key in the keys file ends its sessions at once; a session older than
`ui_session_hours` is refused and the user signs in again.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from api.security import Caller, KeyStore, hash_key

COOKIE = "ct_session"
SALT = "complaint-trace page session"


def session_secret(path: Path) -> str:
    """The signing secret kept at `path` (made on first use, readable by its owner only)."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(secret + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # first writer wins; a concurrent worker reads the winner's secret
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class SessionState:
    caller: Caller | None
    expired: bool = False  # a session cookie was sent, but too old (or its key revoked)


class Sessions:
    def __init__(self, secret: str, keys: KeyStore, max_age_seconds: int, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self._keys = keys
        self.max_age = max_age_seconds
        self.secure = secure

    def start(self, response: Response, key: str) -> Caller | None:
        """Sign the caller of `key` in on `response`; None when the key is not valid."""
        caller = self._keys.authenticate(key)
        if caller is not None:
            token = self._serializer.dumps({"k": hash_key(key)})
            # no Max-Age: the cookie lasts until the browser closes, and the signature's age
            # ends it after `max_age` (so the server can say the session expired)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                                secure=self.secure, path="/ui")
        return caller

    def end(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict",
                               secure=self.secure)

    def state(self, request: Request) -> SessionState:
        token = request.cookies.get(COOKIE)
        if not token:
            return SessionState(None)
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            return SessionState(None, expired=True)
        except BadSignature:
            return SessionState(None)
        digest = data.get("k") if isinstance(data, dict) else None
        if not isinstance(digest, str):
            return SessionState(None)
        caller = self._keys.caller_of_hash(digest)
        return SessionState(caller, expired=caller is None)

