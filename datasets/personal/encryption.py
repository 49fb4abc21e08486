"""Authenticated encryption of files at rest: AES-256-GCM in a chunked streaming format.

Layout: a 19-byte header (magic ``ODPENC``, version 1, chunk size as 4 bytes big-endian, an
8-byte random nonce prefix), then chunks of ``chunk size`` plaintext bytes, each sealed with a
16-byte tag. Chunk ``i`` uses the nonce ``prefix || i`` (4 bytes big-endian) and authenticates
the header, ``i`` and a final-chunk flag as associated data, so a truncated, reordered, spliced
or edited file fails to decrypt. The last chunk may be short, or empty for an empty file.
"""

from __future__ import annotations

import base64
import os
import struct
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from datasets.personal.errors import DecryptionFailed

MAGIC = b"ODPENC"
VERSION = 1
CHUNK_SIZE = 64 * 1024
KEY_SIZE = 32
TAG_SIZE = 16
_PREFIX_SIZE = 8
_HEADER = struct.Struct(">6sBI8s")
_MAX_CHUNK = 16 * 1024 * 1024  # refuse headers that would make us buffer more than 16 MiB
_MAX_CHUNKS = 2**32


class Source(Protocol):
    """What is encrypted or decrypted is read from: a binary file or any reader of bytes."""

    def read(self, amount: int = -1, /) -> bytes:
        """Up to ``amount`` bytes (all that is left when negative); b"" at the end."""
        ...


class Sink(Protocol):
    """Where the result is written: a binary file or any writer of bytes."""

    def write(self, data: bytes, /) -> int:
        """Write ``data``; return how many bytes were taken."""
        ...


def _read_exact(src: Source, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at the end of the stream."""
    parts, remaining = [], size
    while remaining:
        part = src.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if final else 0)


def _nonce(prefix: bytes, index: int) -> bytes:
    if index >= _MAX_CHUNKS:
        raise ValueError("file too large for one encryption stream")
    return prefix + struct.pack(">I", index)


def _cipher(key: bytes) -> AESGCM:
    if len(key) != KEY_SIZE:
        raise ValueError(f"the encryption key must be {KEY_SIZE} bytes")
    return AESGCM(key)


def encrypt_stream(src: Source, dst: Sink, key: bytes, *, chunk_size: int = CHUNK_SIZE) -> int:
    """Encrypt everything read from ``src`` into ``dst`` and return the plaintext size in bytes.

    Memory stays at about two chunks whatever the size. A fresh random nonce prefix is drawn
    for every stream, so one key can encrypt many files. Raises ValueError for a key that is
    not 32 bytes or a chunk size outside 1 B..16 MiB.
    """
    aead = _cipher(key)
    if not 0 < chunk_size <= _MAX_CHUNK:
        raise ValueError("chunk size must be between 1 byte and 16 MiB")
    prefix = os.urandom(_PREFIX_SIZE)
    header = _HEADER.pack(MAGIC, VERSION, chunk_size, prefix)
    dst.write(header)
    total, index = 0, 0
    chunk = _read_exact(src, chunk_size)
    while True:
        following = _read_exact(src, chunk_size) if len(chunk) == chunk_size else b""
        final = not following
        dst.write(aead.encrypt(_nonce(prefix, index), chunk, _aad(header, index, final)))
        total += len(chunk)
        if final:
            return total
        chunk, index = following, index + 1


def decrypt_stream(src: Source, dst: Sink, key: bytes) -> int:
    """Decrypt a stream written by ``encrypt_stream`` into ``dst``; return the plaintext size.

    Only authenticated chunks are written, but a failure can come after some were: discard
    ``dst`` when DecryptionFailed is raised (wrong key, truncation, reordering, tampering,
    trailing data or a foreign file). Raises ValueError for a key that is not 32 bytes.
    """
    aead = _cipher(key)
    header = _read_exact(src, _HEADER.size)
    if len(header) != _HEADER.size:
        raise DecryptionFailed("not an encrypted file: header too short")
    magic, version, chunk_size, prefix = _HEADER.unpack(header)
    if magic != MAGIC or version != VERSION or not 0 < chunk_size <= _MAX_CHUNK:
        raise DecryptionFailed("not an encrypted file of a known version")
    block_size = chunk_size + TAG_SIZE
    total, index = 0, 0
    block = _read_exact(src, block_size)
    while True:
        following = _read_exact(src, block_size) if len(block) == block_size else b""
        final = not following
        try:
            plain = aead.decrypt(_nonce(prefix, index), block, _aad(header, index, final))
        except (InvalidTag, ValueError) as exc:
            raise DecryptionFailed(f"chunk {index} failed authentication") from exc
        dst.write(plain)
        total += len(plain)
        if final:
            return total
        block, index = following, index + 1


TEXT_PREFIX = "enc1:"


def seal_text(key: bytes, text: str, context: str) -> str:
    """Encrypt a short text for a database column: ``enc1:`` + base64(nonce, ciphertext, tag).

    ``context`` (e.g. the row id and column) is authenticated: a sealed value copied into
    another row or column fails to open. Empty text stays empty.
    """
    if not text:
        return ""
    nonce = os.urandom(12)
    sealed = _cipher(key).encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))
    return TEXT_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def open_text(key: bytes, stored: str, context: str) -> str:
    """Decrypt a value written by ``seal_text``; raise ``DecryptionFailed`` otherwise."""
    if not stored:
        return ""
    if not stored.startswith(TEXT_PREFIX):
        raise DecryptionFailed("not an encrypted text")
    try:
        raw = base64.b64decode(stored[len(TEXT_PREFIX) :], validate=True)
        plain = _cipher(key).decrypt(raw[:12], raw[12:], context.encode("utf-8"))
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("the text failed authentication") from exc
    return plain.decode("utf-8")
