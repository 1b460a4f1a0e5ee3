"""The provider's people and its one client, set up by the tests through management commands."""
