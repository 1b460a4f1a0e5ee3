"""The records on the floors below that take attachments: a contract (the contract itself and
its annexes), a meeting (the reports presented there, on the minutes' page too) and an issue."""

from escalations.models import Issue
from meetings.models import Meeting
from suppliers.models import Contract

from .registry import register

register("contract", Contract)
register("meeting", Meeting)
register("issue", Issue)
