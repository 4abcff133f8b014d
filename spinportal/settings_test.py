"""Settings for the test suite: the normal settings with a development key and fast hashing."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from spinportal.settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
ACCOUNT_RATE_LIMITS = {}
# Most tests log staff and organisation admins in with force_login; the tests of the MFA
# requirement (tests/accounts/test_mfa_required.py) switch it on again.
MFA_REQUIRED_FOR_PRIVILEGED = False
# Tasks run in-process after commit in both CI passes, so tests see their effects; the
# integration tests in tests/notifications start a real worker and switch this off themselves.
CELERY_TASK_ALWAYS_EAGER = True
# Vectors without a model for the many tests that only need some; the tests of matching
# quality and across languages use the real model (tests/matchmaking/conftest.py: e5).
MATCHING_EMBEDDER = "matchmaking.engine.embedder.HashingEmbedder"
