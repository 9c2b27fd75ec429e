"""Private feed links: the token store behind ``planflow tokens`` and ``planflow serve``.

A token is an unguessable secret (:func:`secrets.token_urlsafe` of 32 bytes, 43
characters) that a unit's subscription URL carries: ``/feeds/<secret>/units/<unit>.ics``.
Only the SHA-256 of a secret is stored (a hash is enough for a high-entropy
secret: there is nothing to brute-force), so the tokens file lets nobody read a
feed. The secret is shown once, when it is issued.

The tokens file is JSON, written atomically with mode 0600, and is never the plan
file::

    {
      "planflow_tokens": 1,
      "tokens": [
        {"id": "3f9a1c2e", "unit": "vhxh", "all": false, "label": "Lan's phone",
         "created": "2025-03-01T08:00:00Z", "sha256": "<64 hex digits>"}
      ]
    }

``unit`` is the unit whose feed the token opens (``null`` for an ``all`` token);
``all`` tokens (admin) open the whole-plan feed and every unit's feed. Several
tokens may name the same unit (one per device or person, told apart by their
label); each is revoked, or rotated (new secret, same id and label), on its own.
Revoking removes the entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs

from planflow.plan.errors import PlanError

__all__ = [
    "TOKENS_SUFFIX",
    "Token",
    "TokenStore",
    "default_tokens_path",
    "hash_secret",
    "new_secret",
    "subscription_paths",
]

FORMAT = 1
TOKENS_SUFFIX = ".tokens.json"
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_ID_SHAPE = re.compile(r"[0-9a-f]{8}")


def new_secret() -> str:
    """A fresh secret: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The stored form of a secret: its SHA-256, as 64 hex digits."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def default_tokens_path(plan_file: str | os.PathLike[str]) -> Path:
    """Where tokens live when no file is named: ``plan.yaml`` → ``plan.tokens.json`` beside it."""
    path = Path(plan_file)
    return path.with_name(path.stem + TOKENS_SUFFIX)


@attrs.frozen
class Token:
    """One issued token, as stored: never the secret, only its hash."""

    id: str
    unit: str | None
    sha256: str
    label: str = ""
    all: bool = False
    created: str = ""

    def opens(self, unit_id: str | None) -> bool:
        """Whether this token opens a unit's feed (``None``: the whole-plan feed)."""
        return self.all or (unit_id is not None and unit_id == self.unit)

    def to_dict(self) -> dict[str, object]:
        """The JSON object stored for this token."""
        return {
            "id": self.id,
            "unit": self.unit,
            "all": self.all,
            "label": self.label,
            "created": self.created,
            "sha256": self.sha256,
        }


@attrs.define
class TokenStore:
    """The tokens of one tokens file, in issue order.

    :meth:`load` and :meth:`save` read and write the file; :meth:`issue`,
    :meth:`revoke` and :meth:`rotate` change the store in memory (save afterwards);
    :meth:`match` finds the token a presented secret belongs to, comparing hashes
    with :func:`hmac.compare_digest`.
    """

    tokens: list[Token] = attrs.field(factory=list)
    path: Path | None = None

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    # --- file -------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, missing_ok: bool = True) -> TokenStore:
        """Read a tokens file; a missing file is an empty store when ``missing_ok``.

        :raises PlanError: the file is not a tokens file planflow wrote.
        """
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if missing_ok:
                return cls([], file)
            raise PlanError(f"{file}: no such tokens file") from None
        except (OSError, ValueError) as exc:
            raise PlanError(f"{file}: cannot read the tokens file ({exc})") from None
        try:
            if not isinstance(data, dict) or data.get("planflow_tokens") != FORMAT:
                raise TypeError("not a planflow tokens file (version 1)")
            tokens = [_token(item) for item in data["tokens"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise PlanError(
                f"{file}: not a planflow tokens file ({exc})",
                hint="was it edited by hand? issue new tokens into a new file",
            ) from None
        return cls(tokens, file)

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the store atomically (temporary file + rename), with mode 0600."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no path to save the tokens to")
        data = {"planflow_tokens": FORMAT, "tokens": [t.to_dict() for t in self.tokens]}
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                os.fchmod(stream.fileno(), 0o600)  # whatever the umask
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        self.path = target
        return target

    # --- changes ----------------------------------------------------------------

    def issue(
        self, unit: str | None, *, label: str = "", all_feeds: bool = False
    ) -> tuple[Token, str]:
        """Add a token for ``unit`` (or, with ``all_feeds``, for every feed).

        :returns: the stored token and its secret, which is not kept anywhere.
        """
        if unit is None and not all_feeds:
            raise ValueError("a token opens one unit's feed, or all feeds")
        secret = new_secret()
        token = Token(
            id=self._new_id(),
            unit=None if all_feeds else unit,
            sha256=hash_secret(secret),
            label=label,
            all=all_feeds,
            created=_now(),
        )
        self.tokens.append(token)
        return token, secret

    def get(self, token_id: str) -> Token:
        """The token with this id.

        :raises PlanError: there is none.
        """
        for token in self.tokens:
            if token.id == token_id:
                return token
        raise PlanError(
            f"no token with id {token_id!r}", hint="`planflow tokens PLAN --list` shows the ids"
        )

    def revoke(self, token_id: str) -> Token:
        """Remove a token; its secret stops working as soon as the server re-reads the file."""
        token = self.get(token_id)
        self.tokens.remove(token)
        return token

    def rotate(self, token_id: str) -> tuple[Token, str]:
        """Give a token a new secret (same id, unit and label); the old secret stops working."""
        old = self.get(token_id)
        secret = new_secret()
        new = attrs.evolve(old, sha256=hash_secret(secret), created=_now())
        self.tokens[self.tokens.index(old)] = new
        return new, secret

    def for_unit(self, unit: str) -> list[Token]:
        """The tokens that name ``unit`` (not the ``all`` tokens)."""
        return [t for t in self.tokens if t.unit == unit and not t.all]

    # --- checking ---------------------------------------------------------------

    def match(self, secret: str) -> Token | None:
        """The token whose secret this is, or ``None``.

        The presented secret is hashed and compared with every stored hash by
        :func:`hmac.compare_digest`, without stopping at the first match, so the
        time taken tells nothing about the stored hashes.
        """
        if not _SECRET_SHAPE.fullmatch(secret):
            return None
        presented = hash_secret(secret)
        found: Token | None = None
        for token in self.tokens:
            if hmac.compare_digest(presented, token.sha256) and found is None:
                found = token
        return found

    def _new_id(self) -> str:
        taken = {t.id for t in self.tokens}
        while True:
            token_id = secrets.token_hex(4)
            if token_id not in taken:
                return token_id


def _token(item: object) -> Token:
    if not isinstance(item, dict):
        raise TypeError("a token must be an object")
    token_id, digest = str(item["id"]), str(item["sha256"])
    if not _ID_SHAPE.fullmatch(token_id):
        raise ValueError(f"bad token id {token_id!r}")
    if not _HEX64.fullmatch(digest):
        raise ValueError(f"token {token_id}: sha256 is not 64 hex digits")
    unit, all_feeds = item.get("unit"), bool(item.get("all", False))
    if not all_feeds and not isinstance(unit, str):
        raise ValueError(f"token {token_id}: no unit")
    return Token(
        id=token_id,
        unit=None if all_feeds else str(unit),
        sha256=digest,
        label=str(item.get("label", "")),
        all=all_feeds,
        created=str(item.get("created", "")),
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def subscription_paths(token: Token, secret: str, units: Iterable[str]) -> list[str]:
    """The feed paths a token opens (``/feeds/<secret>/…``), plan feed first."""
    prefix = f"/feeds/{secret}"
    if token.all:
        return [f"{prefix}/plan.ics", *(f"{prefix}/units/{u}.ics" for u in units)]
    return [f"{prefix}/units/{token.unit}.ics"]
