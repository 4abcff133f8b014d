"""One form for every e-mail address the portal stores, compares or looks up.

Django's e-mail validator matches letters case-insensitively, and Python's case-insensitive
matching counts "ſ" (long s) as an "s" and "K" (Kelvin sign) as a "K": `jonaſ.becker@example.org`
is a valid address beside `jonas.becker@example.org`, looks the same and, at most mail servers,
reaches the same person. NFKC folds such compatibility characters (and full-width letters) to
their plain form; case folding then does for the whole address what allauth's lower-casing
already did. Stored addresses are in this form (accounts/migrations/0003), so the uniqueness
checks of sign-up and e-mail change and the log-in lookup compare like with like.
"""

import unicodedata


def normalise_email(email: str) -> str:
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    # Case folding may leave a sequence NFKC would compose ("İ" folds to "i" + a combining dot).
    return unicodedata.normalize("NFKC", folded)
