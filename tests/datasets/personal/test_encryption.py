import io
import os

import pytest

from datasets.personal import DecryptionFailed, decrypt_stream, encrypt_stream
from datasets.personal.encryption import CHUNK_SIZE, TAG_SIZE

KEY = bytes(range(32))
HEADER = 19


def encrypt(data, key=KEY, chunk_size=CHUNK_SIZE):
    out = io.BytesIO()
    assert encrypt_stream(io.BytesIO(data), out, key, chunk_size=chunk_size) == len(data)
    return out.getvalue()


def decrypt(blob, key=KEY):
    out = io.BytesIO()
    assert decrypt_stream(io.BytesIO(blob), out, key) == len(out.getvalue())
    return out.getvalue()


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 7]
)
def test_round_trip(size):
    data = os.urandom(size)
    blob = encrypt(data)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(blob) == HEADER + size + chunks * TAG_SIZE
    if size >= 16:
        assert data[:16] not in blob
    assert decrypt(blob) == data


def test_same_plaintext_encrypts_differently_each_time():
    assert encrypt(b"079085012345") != encrypt(b"079085012345")


def test_wrong_key_fails():
    with pytest.raises(DecryptionFailed):
        decrypt(encrypt(b"so_cccd\n079085012345\n"), key=bytes(32))


def test_tampering_is_detected():
    blob = bytearray(encrypt(b"x" * 1000, chunk_size=256))
    blob[HEADER + 300] ^= 1
    with pytest.raises(DecryptionFailed, match="chunk 1"):
        decrypt(bytes(blob))


def test_header_tampering_is_detected():
    blob = bytearray(encrypt(b"x" * 1000, chunk_size=256))
    blob[10] ^= 1  # nonce prefix
    with pytest.raises(DecryptionFailed):
        decrypt(bytes(blob))


def test_truncation_at_a_chunk_boundary_is_detected():
    blob = encrypt(b"y" * 1024, chunk_size=256)
    block = 256 + TAG_SIZE
    with pytest.raises(DecryptionFailed):
        decrypt(blob[: HEADER + 2 * block])
    with pytest.raises(DecryptionFailed):
        decrypt(blob[:-5])


def test_reordered_chunks_are_detected():
    blob = encrypt(bytes(range(256)) * 4, chunk_size=256)
    block = 256 + TAG_SIZE
    chunks = [blob[HEADER + i * block : HEADER + (i + 1) * block] for i in range(4)]
    swapped = blob[:HEADER] + chunks[1] + chunks[0] + chunks[2] + chunks[3]
    with pytest.raises(DecryptionFailed, match="chunk 0"):
        decrypt(swapped)


def test_appended_data_is_detected():
    with pytest.raises(DecryptionFailed):
        decrypt(encrypt(b"z" * 300, chunk_size=256) + b"\x00" * (256 + TAG_SIZE))


def test_not_an_encrypted_file():
    with pytest.raises(DecryptionFailed, match="not an encrypted file"):
        decrypt(b"ho_ten,so_cccd\nNguyen Van An,079085012345\n")
    with pytest.raises(DecryptionFailed, match="too short"):
        decrypt(b"ODP")


def test_key_must_be_32_bytes():
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt(b"data", key=b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        decrypt(encrypt(b"data"), key=b"short")
