"""A person who leaves takes their API tokens along: deactivating an account revokes them (so
reactivating it does not bring them back), erasing it deletes them with their names."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from governance import access_log
from governance.models import AccessEventKind, User

from .models import ApiToken


@receiver(post_save, sender=User, dispatch_uid="api.tokens_leave_with_their_person")
def _tokens_leave_with_their_person(sender: Any, instance: User, **kwargs: Any) -> None:
    if instance.erased_at is not None:
        ApiToken.objects.filter(user=instance).delete()
    elif not instance.is_active:
        revoked = ApiToken.objects.filter(user=instance, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            access_log.record(
                AccessEventKind.API_TOKEN_REVOKED, email=instance.email, person=instance
            )
