"""Calls that a lower app makes and a higher app answers, so that the layers stay true
(docs/architecture.md): the lower app declares the hook, the higher app registers its function
in its AppConfig.ready(), and the lower app calls the hook without importing the higher one.

Hooks every app may call live here; an app's own hooks live in its `hooks.py`
(e.g. partners/hooks.py: "an organisation's profile changed").
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """Any number of registered functions, called in registration order with keyword
    arguments; the call returns their results as a list."""

    def __init__(self, name: str):
        self.name = name
        self._functions: list[Callable] = []

    def register(self, function: Callable) -> Callable:
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __call__(self, **kwargs) -> list:
        return [function(**kwargs) for function in self._functions]


class Port(Hook):
    """Exactly one registered function, whose result the call returns."""

    def __call__(self, **kwargs):
        if len(self._functions) != 1:
            raise ImproperlyConfigured(
                f"{self.name}: {len(self._functions)} implementations registered, expected one"
            )
        return self._functions[0](**kwargs)


# The notification outbox (notifications/services.py): notify people of an event, e-mail an
# address that may have no account yet, take such an e-mail back. Same signatures as there.
notify = Port("notify")
email_to_address = Port("email_to_address")
email_to_address_cancel = Port("email_to_address_cancel")
