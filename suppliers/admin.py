from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contact, Contract, Invitation, OutcomeCommitment, ServiceLevel, Supplier


# Stacked, not tabular: a tabular inline's fields have no label of their own (WCAG 1.3.1).
class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation_number", "tier"]
    list_filter = ["tier"]
    search_fields = ["name", "organisation_number"]
    inlines = [ContactInline]


class CommitmentInline(admin.StackedInline):
    model = OutcomeCommitment
    extra = 0


# Stacked, not tabular: a tabular inline's fields have no label of their own (WCAG 1.3.1).
class ServiceLevelInline(admin.StackedInline):
    model = ServiceLevel
    extra = 0


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "supplier", "status", "end_date", "annual_value_sek"]
    list_filter = ["status", "supplier"]
    search_fields = ["reference", "title"]
    # The status changes on the contract page only: activation needs both sides' sign-off,
    # notice and ending the business level's decision (suppliers.services).
    readonly_fields = ["status"]
    inlines = [CommitmentInline, ServiceLevelInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "supplier", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["supplier"]
    readonly_fields = ["token_hash"]
