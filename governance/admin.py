from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import GovernanceLevel, RoleHolder, User


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
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "role", "supplier", "password1", "password2"],
            },
        ),
    ]


class RoleHolderInline(admin.TabularInline):
    model = RoleHolder
    extra = 0


@admin.register(GovernanceLevel)
class GovernanceLevelAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "level"]
    list_filter = ["level"]
    inlines = [RoleHolderInline]
