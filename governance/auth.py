"""Signing in with an e-mail address and password, as Django's ModelBackend does."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalBackend(ModelBackend):
    """Loads the signed-in person with their supplier: every page names it in the menu of a
    supplier's contact, and this saves that query on each of their requests."""

    def get_user(self, user_id):
        people = get_user_model()._default_manager.select_related("supplier")
        user = people.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
