"""Parsing of infrastructure URLs with one-line errors instead of tracebacks."""

from urllib.parse import urlsplit

import environ


def config_error(message: str) -> None:
    """Stop the process with a single, clear line on stderr."""
    raise SystemExit(f"Configuration error: {message}")


# pg_trgm's default (0.6) misses swapped letters ("Wassertsoff" scores 0.5 against
# "Wasserstoff"); 0.45 keeps them without matching unrelated words.
TRIGRAM_WORD_THRESHOLD = 0.45


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
        options = config.setdefault("OPTIONS", {})
        options["connect_timeout"] = 5
        # The typo tolerance of the directory search (partners.search.TYPO_THRESHOLD): the
        # threshold of pg_trgm's `<%` operator, which its GIN indexes answer, is a setting of
        # the session, so every connection starts with it.
        options["options"] = f"-c pg_trgm.word_similarity_threshold={TRIGRAM_WORD_THRESHOLD}"
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
