"""Vietnamese first, English second: locale choice, formatting filters."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

LOCALES = ("vi", "en")
LANG_COOKIE = "lang"


def select_locale() -> str:
    """Return the locale: the remembered choice (cookie), else Vietnamese."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LOCALES else "vi"


def _format_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = format_decimal(value, format="#,##0.#") if unit != "B" else str(size)
            return f"{text} {unit}"
        value /= 1024
    return str(size)


def init_app(app: Flask) -> None:
    """Install Flask-Babel and the template helpers for dates, numbers and sizes."""
    Babel(
        app, locale_selector=select_locale, default_locale="vi", default_timezone="Asia/Ho_Chi_Minh"
    )

    def fmt_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return str(format_datetime(value, "medium"))
        return str(format_date(value, "medium"))

    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["number"] = lambda v: format_decimal(v) if v is not None else ""
    app.jinja_env.filters["filesize"] = _format_size

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        locale = str(get_locale() or "vi")
        return {"current_locale": locale, "locales": LOCALES}
