"""Harvest errors: each carries a short code for reports; none carries a credential."""

from __future__ import annotations


class HarvestError(Exception):
    """A harvest step failed; ``code`` names the reason in reports, ``transient`` allows a retry."""

    code = "harvest_error"
    transient = False
    attempts = 1  # how many tries the runner made before giving up

    def __init__(self, message: str, *, code: str | None = None, transient: bool | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        if transient is not None:
            self.transient = transient


class AddressRefused(HarvestError):
    """The host resolves to a private, loopback, link-local or multicast address."""

    code = "address_refused"


class RedirectRefused(HarvestError):
    """A redirect loop, too many redirects, or a redirect to a non-HTTP scheme."""

    code = "redirect_refused"


class ResponseTooLarge(HarvestError):
    """The response body is larger than the configured cap."""

    code = "response_too_large"


class SourceUnavailable(HarvestError):
    """The source timed out, refused the connection or answered 5xx (worth retrying)."""

    code = "source_unavailable"
    transient = True


class BadResponse(HarvestError):
    """The source answered something that cannot be read (garbage, wrong shape, 4xx)."""

    code = "bad_response"
