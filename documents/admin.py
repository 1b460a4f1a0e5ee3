from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Document, DocumentVersion


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = ["number", "file_name", "media_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "document_type", "content_type", "object_id", "created_at"]
    list_filter = ["document_type", "content_type"]
    search_fields = ["title"]
    readonly_fields = ["content_type", "object_id", "supplier", "created_by", "created_at"]
    inlines = [VersionInline]
