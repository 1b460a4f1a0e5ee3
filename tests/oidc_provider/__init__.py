"""A small OpenID Connect provider of the tests' own (django-oidc-provider in a Django project
of its own, run as a separate process), standing in for the city's Entra ID: people with a
password and groups, and the groups in the ID token as Entra ID sends them."""
