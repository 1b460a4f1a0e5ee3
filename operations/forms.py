from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.forms import Textarea
from suppliers.models import Period, Supplier

from . import imports
from .models import Priority, period_start

QUESTION_ROWS = 5


class ValueField(forms.CharField):
    """A measured value as people type it: 99,5 or 99.5 or 99.5 %."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return imports.parse_value(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return imports.parse_period(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "One kind of figures per file; the first line names the columns. Comma or semicolon "
            "separated, decimal point or comma, at most 2 MB and 50,000 rows."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.can_manage:
            self.fields["supplier"] = forms.ModelChoiceField(
                Supplier.objects.all(), label=gettext_lazy("For supplier")
            )
            self.order_fields(["supplier", "file"])
        self.user = user

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 MB; split it into smaller files.")
            )
        try:
            return upload.name, imports.decode(upload.read())
        except imports.FileError as error:
            raise forms.ValidationError(str(error)) from None

    def supplier(self):
        return self.cleaned_data["supplier"] if self.user.can_manage else self.user.supplier


class ReportForm(forms.Form):
    """One contract's figures for one period: a value per service level, tickets per priority
    and the questions asked to support. Blank means not reported."""

    period = PeriodField(
        label=gettext_lazy("Period"),
        max_length=20,
        help_text=gettext_lazy("A month (2026-10), week (2026-W43), quarter (2026-Q3) or a date."),
    )

    def __init__(self, *args, contract, service_levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.service_levels = list(service_levels)
        for service_level in self.service_levels:
            self.fields[f"sl_{service_level.pk}"] = ValueField(
                label=service_level.name,
                required=False,
                help_text=service_level.target_display,
            )
        for priority in Priority:
            for kind in ("opened", "closed"):
                self.fields[f"{kind}_{priority.value}"] = forms.IntegerField(
                    label=f"{priority.label}: {_(kind)}",
                    required=False,
                    min_value=0,
                    max_value=imports.MAX_COUNT,
                )
        for index in range(QUESTION_ROWS):
            self.fields[f"category_{index}"] = forms.CharField(
                label=_("Category"), required=False, max_length=120
            )
            self.fields[f"questions_{index}"] = forms.IntegerField(
                label=_("Questions"), required=False, min_value=0, max_value=imports.MAX_COUNT
            )

    def service_level_fields(self):
        return [
            (service_level, self[f"sl_{service_level.pk}"]) for service_level in self.service_levels
        ]

    def ticket_fields(self):
        return [
            (priority, self[f"opened_{priority.value}"], self[f"closed_{priority.value}"])
            for priority in Priority
        ]

    def question_fields(self):
        return [
            (self[f"category_{index}"], self[f"questions_{index}"])
            for index in range(QUESTION_ROWS)
        ]

    def clean_period(self):
        day = self.cleaned_data["period"]
        try:
            imports.check_period(day, self.contract)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return day

    def clean(self):
        data = super().clean()
        for priority in Priority:
            names = (f"opened_{priority.value}", f"closed_{priority.value}")
            if any(name in self.errors for name in names):
                continue
            opened, closed = (data.get(name) for name in names)
            if (opened is None) != (closed is None):
                self.add_error(
                    f"opened_{priority.value}" if opened is None else f"closed_{priority.value}",
                    _("Give both opened and closed for %(priority)s, or neither.")
                    % {"priority": priority.value},
                )
        seen = set()
        for index in range(QUESTION_ROWS):
            category = " ".join((data.get(f"category_{index}") or "").split())
            questions = data.get(f"questions_{index}")
            if not category and questions is None:
                continue
            if not category or questions is None:
                self.add_error(
                    f"category_{index}" if not category else f"questions_{index}",
                    _("Give both the category and the number of questions."),
                )
            elif category.casefold() in seen:
                self.add_error(f"category_{index}", _("This category is already given above."))
            seen.add(category.casefold())
        for service_level in self.service_levels:
            value = data.get(f"sl_{service_level.pk}")
            if value is not None:
                try:
                    imports.check_value(value, service_level)
                except ValueError as error:
                    self.add_error(f"sl_{service_level.pk}", str(error))
        return data

    def measurements(self):
        day = self.cleaned_data["period"]
        return [
            (service_level, period_start(day, service_level.period), value)
            for service_level in self.service_levels
            if (value := self.cleaned_data.get(f"sl_{service_level.pk}")) is not None
        ]

    def month(self):
        return period_start(self.cleaned_data["period"], Period.MONTH)

    def tickets(self):
        return {
            priority.value: (
                self.cleaned_data[f"opened_{priority.value}"],
                self.cleaned_data[f"closed_{priority.value}"],
            )
            for priority in Priority
            if self.cleaned_data.get(f"opened_{priority.value}") is not None
        }

    def questions(self):
        return {
            " ".join(self.cleaned_data[f"category_{index}"].split()): self.cleaned_data[
                f"questions_{index}"
            ]
            for index in range(QUESTION_ROWS)
            if (self.cleaned_data.get(f"category_{index}") or "").strip()
            and self.cleaned_data.get(f"questions_{index}") is not None
        }


class CorrectionForm(forms.Form):
    value = ValueField(label=gettext_lazy("Corrected value"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why the city corrects the reported figure; kept in its history."),
    )

    def __init__(self, *args, service_level, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_level = service_level

    def clean_value(self):
        value = self.cleaned_data["value"]
        try:
            imports.check_value(value, self.service_level)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return value
