"""Reading a CSV file of figures: decode, find the kind from the header, check every row.

The same check runs for the preview and again in the worker before anything is written, with a
constant number of queries (the supplier's contracts and service levels are loaded into dicts).
"""

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suppliers.models import Contract, Period, ServiceLevel, Unit

from .models import Priority, meets_target, period_start

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COUNT = 2_147_483_647
MAX_VALUE = Decimal("9999999.999")

MEASUREMENTS = "measurements"
TICKETS = "tickets"
QUESTIONS = "questions"

HEADERS = {
    ("contract", "service_level", "period", "value"): MEASUREMENTS,
    ("contract", "period", "priority", "opened", "closed"): TICKETS,
    ("contract", "period", "category", "questions"): QUESTIONS,
}
KIND_LABELS = {
    MEASUREMENTS: gettext_lazy("Service level measurements"),
    TICKETS: gettext_lazy("Support tickets"),
    QUESTIONS: gettext_lazy("Questions to support"),
}

# Column names in row errors: lazy, so the translation is looked up only for a row in error.
OPENED = gettext_lazy("Opened")
CLOSED = gettext_lazy("Closed")
QUESTIONS_ASKED = gettext_lazy("Questions")
PRIORITIES = frozenset(Priority.values)
MONTH = Period.MONTH.value  # a plain str: an enum member hashes in Python, slowly


class FileError(Exception):
    """The file as a whole cannot be read (size, encoding, header, too many rows)."""


@dataclass
class ParsedFile:
    kind: str
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line number, message)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def misses(self):
        return [row for row in self.rows if row.get("misses")]


def decode(data):
    """The file's text: UTF-8 (with or without BOM) or, as older Swedish Excel saves it, cp1252."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if b"\x00" in data:
        raise FileError(
            _("The file contains null bytes; save it as CSV (UTF-8 or semicolon separated).")
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(_("The file's characters cannot be read; save it as CSV UTF-8."))


def parse_period(text):
    """The first day of the period written as 2026-10, 2026-W43, 2026-Q3 or 2026-10-15."""
    text = text.strip().upper()
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            day = date(int(match[1]), int(match[2]), 1)
        elif match := re.fullmatch(r"(\d{4})-?W(\d{1,2})", text):
            day = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        elif match := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
            day = date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(
            _("“%(period)s” is not a period: write 2026-10, 2026-W43, 2026-Q3 or 2026-10-15.")
            % {"period": text[:20]}
        ) from None
    if not 2000 <= day.year <= 2100:
        raise ValueError(_("The period %(period)s is out of range.") % {"period": text[:20]})
    return day


def parse_value(text):
    """A measured value: decimal point or comma, spaces as thousand separators, optional %."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).removesuffix("%")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text[:20]}) from None
    if not value.is_finite() or abs(value) > MAX_VALUE:
        raise ValueError(_("“%(value)s” is out of range.") % {"value": text[:20]})
    return value.quantize(Decimal("0.001"))


def parse_count(text, name):
    """A whole number of zero or more; `name` (translated when the error is shown) says which."""
    if text.isascii() and text.isdigit() and len(text) <= 10:  # the common case, without regexes
        count = int(text)
        if count <= MAX_COUNT:
            return count
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not re.fullmatch(r"\d{1,10}", cleaned) or int(cleaned) > MAX_COUNT:
        raise ValueError(
            _("%(name)s must be a whole number of zero or more, not “%(value)s”.")
            % {"name": name, "value": text[:20]}
        )
    return int(cleaned)


def check_value(value, service_level):
    if value < 0:
        raise ValueError(_("A measured value cannot be negative."))
    if service_level.unit == Unit.PERCENT and value > 100:
        raise ValueError(_("A percentage cannot be above 100."))


def reportable_months(contract, today=None):
    """The first and last month the contract takes figures for: within its running term and not
    after this month, since a value for a month still to come would hide a missed target."""
    today = today or timezone.localdate()
    first = period_start(contract.start_date, MONTH)
    last = period_start(today, MONTH)
    term_end = contract.current_term_end(today)
    if term_end is not None:
        last = min(last, period_start(term_end, MONTH))
    return first, last


def check_period(day, contract, months=None):
    """Refuse a period whose month lies outside reportable_months(contract), naming the range."""
    first, last = months or reportable_months(contract)
    month = period_start(day, MONTH)
    if first <= month <= last:
        return
    if first > last:
        raise ValueError(
            _("Contract %(reference)s takes no figures yet: its term starts in %(first)s.")
            % {"reference": contract.reference, "first": f"{first:%Y-%m}"}
        )
    raise ValueError(
        _(
            "Contract %(reference)s takes figures for %(first)s to %(last)s (its term, up to this "
            "month), not for %(period)s."
        )
        % {
            "reference": contract.reference,
            "first": f"{first:%Y-%m}",
            "last": f"{last:%Y-%m}",
            "period": f"{month:%Y-%m}",
        }
    )


class Catalogue:
    """The supplier's contracts and service levels, loaded once (two queries)."""

    def __init__(self, supplier):
        self.contracts = {
            contract.reference.casefold(): contract
            for contract in Contract.objects.filter(supplier=supplier)
        }
        self.service_levels = {
            (service_level.contract_id, service_level.name.strip().casefold()): service_level
            for service_level in ServiceLevel.objects.filter(contract__supplier=supplier)
        }
        today = timezone.localdate()
        self.months = {
            contract.pk: reportable_months(contract, today) for contract in self.contracts.values()
        }

    def contract(self, reference):
        contract = self.contracts.get(reference.strip().casefold())
        if contract is None:
            # Another supplier's contract reads exactly like one that does not exist.
            raise ValueError(_("Unknown contract “%(reference)s”.") % {"reference": reference[:40]})
        return contract

    def check_period(self, day, contract):
        check_period(day, contract, self.months[contract.pk])


def parse(text, supplier):
    """Check every row of the file; FileError when the file as a whole is unusable."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise FileError(_("The file is empty."))
        header = [cell.strip().lstrip("\ufeff").lower() for cell in header]
        while header and not header[-1]:
            header.pop()
        kind = HEADERS.get(tuple(header))
        if kind is None:
            raise FileError(
                _("The first line must name the columns, one of: %(headers)s.")
                % {"headers": "; ".join(",".join(columns) for columns in HEADERS)}
            )
        parsed = ParsedFile(kind)
        catalogue = Catalogue(supplier)
        check_row = {MEASUREMENTS: _measurement, TICKETS: _ticket, QUESTIONS: _question}[kind]
        seen = {}
        for cells in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
                raise FileError(
                    _("The file has more than %(max)s rows; split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            while len(cells) > len(header) and not cells[-1]:
                cells.pop()
            if len(cells) != len(header):
                parsed.errors.append(
                    (
                        line,
                        _("Expected %(expected)s values, found %(found)s.")
                        % {"expected": len(header), "found": len(cells)},
                    )
                )
                continue
            try:
                row = check_row(dict(zip(header, cells, strict=True)), catalogue)
            except ValueError as error:
                parsed.errors.append((line, str(error)))
                continue
            row["line"] = line
            if row["key"] in seen:
                parsed.errors.append(
                    (line, _("The same figure as on line %(line)s.") % {"line": seen[row["key"]]})
                )
                continue
            seen[row["key"]] = line
            parsed.rows.append(row)
    except csv.Error as error:
        raise FileError(
            _("Line %(line)s cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return parsed


# A file names the same few periods on thousands of lines: each is read once. Only periods that
# could be read are kept, so each key is at most ten characters.
@functools.lru_cache(maxsize=4096)
def _period_start(text, period):
    """The first day of the week, month or quarter that the period `text` falls in."""
    return period_start(parse_period(text), period)


def _month(text):
    return _period_start(text, MONTH)


def _measurement(cells, catalogue):
    contract = catalogue.contract(cells["contract"])
    service_level = catalogue.service_levels.get((contract.pk, cells["service_level"].casefold()))
    if service_level is None:
        raise ValueError(
            _("Contract %(reference)s has no service level “%(name)s”.")
            % {"reference": contract.reference, "name": cells["service_level"][:80]}
        )
    catalogue.check_period(_month(cells["period"]), contract)
    day = _period_start(cells["period"], service_level.period)
    value = parse_value(cells["value"])
    check_value(value, service_level)
    return {
        "key": (service_level.pk, day),
        "contract": contract,
        "service_level": service_level,
        "period_start": day,
        "value": value,
        "misses": not meets_target(service_level, value),
    }


def _ticket(cells, catalogue):
    contract = catalogue.contract(cells["contract"])
    day = _month(cells["period"])
    catalogue.check_period(day, contract)
    priority = cells["priority"].upper()
    if priority not in PRIORITIES:
        raise ValueError(
            _("Priority must be one of %(choices)s, not “%(value)s”.")
            % {"choices": ", ".join(Priority.values), "value": cells["priority"][:20]}
        )
    return {
        "key": (contract.pk, day, priority),
        "contract": contract,
        "period_start": day,
        "priority": priority,
        "opened": parse_count(cells["opened"], OPENED),
        "closed": parse_count(cells["closed"], CLOSED),
    }


def _question(cells, catalogue):
    contract = catalogue.contract(cells["contract"])
    day = _month(cells["period"])
    catalogue.check_period(day, contract)
    category = " ".join(cells["category"].split())
    if not category:
        raise ValueError(_("The category is empty."))
    if len(category) > 120:
        raise ValueError(_("The category is longer than 120 characters."))
    return {
        "key": (contract.pk, day, category.casefold()),
        "contract": contract,
        "period_start": day,
        "category": category,
        "questions": parse_count(cells["questions"], QUESTIONS_ASKED),
    }


def period_label(day, period):
    """How a period is written: 2026-10, 2026-W43 or 2026-Q3."""
    if period == Period.WEEK:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == Period.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day:%Y-%m}"
