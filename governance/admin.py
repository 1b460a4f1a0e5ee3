from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessEvent, GovernanceLevel, OutboxMessage, RoleHolder, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "supplier", "is_active"]
    list_filter = ["role", "is_active", "supplier"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name"]}),
        (_("Access"), {"fields": ["role", "supplier", "is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    # Recorded by the portal, not typed: shown as text (the admin's split date and time
    # fields have no label each, WCAG 1.3.1).
    readonly_fields = ["last_login", "date_joined"]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "supplier", "password1", "password2"],
            },
        ),
    ]


# Stacked, not tabular: a tabular inline's fields have no label of their own (WCAG 1.3.1).
# Read-only here: role holders and mandates change on the contract page, whose services reopen
# both sides' sign-off of the governance model (governance.services.reopen_sign_off).
class RoleHolderInline(admin.StackedInline):
    model = RoleHolder
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GovernanceLevel)
class GovernanceLevelAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "level"]
    list_filter = ["level"]
    readonly_fields = ["contract", "level", "mandate"]
    inlines = [RoleHolderInline]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Where to look when an e-mail or PDF did not arrive: attempts, last error, give-up time."""

    list_display = ["key", "kind", "created_at", "attempts", "done_at", "failed_at"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter), "failed_at"]
    search_fields = ["key"]
    readonly_fields = ["kind", "key", "payload", "created_at", "attempts", "done_at", "last_error"]
    fields = [*readonly_fields, "next_attempt_at", "failed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read only: the log is what happened."""

    list_display = ["at", "kind", "email", "by", "address"]
    list_filter = ["kind"]
    search_fields = ["email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
