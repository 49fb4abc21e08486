"""Errors raised by the metadata package."""

from __future__ import annotations


class MetadataError(Exception):
    """Base class of every error the metadata package raises."""


class MetadataParseError(MetadataError):
    """A metadata document could not be read: broken syntax, unsafe content or wrong shape.

    The message names the format and the problem (and the line when the parser gives
    one); it never repeats the document's content.
    """


class UnsupportedFormat(MetadataError):
    """A serialization or parser format name the package does not know."""
