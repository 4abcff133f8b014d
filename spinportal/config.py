"""Parsing of infrastructure URLs with one-line errors instead of tracebacks."""

from urllib.parse import urlsplit

import environ


def config_error(message: str) -> None:
    """Stop the process with a single, clear line on stderr."""
    raise SystemExit(f"Configuration error: {message}")


def database_from_url(url: str) -> dict:
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        config_error(
            f"DATABASE_URL has unsupported scheme {scheme!r}; "
            "use postgres://user@host:5432/name or sqlite:///path."
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:
        config_error(f"DATABASE_URL cannot be parsed ({exc}).")
    if config["ENGINE"].endswith("postgresql"):
        config.setdefault("OPTIONS", {})["connect_timeout"] = 5
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def redis_cache_settings(url: str) -> dict:
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        config_error("REDIS_URL must start with redis://, rediss:// or unix://.")
    return {
        "BACKEND": "spinportal.cache.FailSoftRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "spin",
        # A cache answer takes well under a millisecond; waiting longer than this only
        # stalls the request (see spinportal/cache.py for what a miss means).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
