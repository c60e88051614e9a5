"""A real OpenID provider for tests and the demo (docs/spec/authentication.md §AUTH-TESTIDP)."""

from tohyo.testidp.provider import Provider, RegisteredClient, TestUser
from tohyo.testidp.server import ProviderServer

__all__ = ["Provider", "ProviderServer", "RegisteredClient", "TestUser"]
