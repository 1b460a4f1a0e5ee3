"""Drill: the database's disk is full when the worker stores a minutes PDF.

The PDF table (with its TOAST table, where the PDF's bytes go) lives in a tablespace on a
1 MB tmpfs, which the drill fills; PostgreSQL then really fails to extend the file (FullDisk
says what stands in where no tmpfs can be mounted). The job's transaction rolls back: no PDF
row, the minutes still show "Producing the PDF", no e-mail, and the outbox row waits for its
retry. With the space freed the retry stores exactly one PDF,
whose text pdftotext can read.
"""

import shutil
import subprocess
from datetime import datetime

import pytest

from tests.worker import on_broker, wait_for

from .processes import run_script

pytestmark = [pytest.mark.drill, pytest.mark.worker]


def test_a_full_disk_while_storing_the_pdf_loses_nothing(
    cluster_database, private_cluster, full_disk, private_redis, start_drill_worker
):
    world = run_script(cluster_database, "seed_minutes", approve=True)
    minutes, job, user = world["minutes"], world["job"], world["users"][0]["pk"]

    def sql(statement, *params):
        return private_cluster.execute(statement, params, on=cluster_database)

    full_disk.fill()
    if full_disk.real:
        # The PDF's bytes go to the TOAST table: it sits on the full disk too.
        assert sql(
            "SELECT t.spcname FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace"
            " WHERE c.oid = (SELECT reltoastrelid FROM pg_class"
            " WHERE oid = 'meetings_minutespdf'::regclass)"
        ) == [(full_disk.name,)]
        assert shutil.disk_usage(full_disk.folder).free < 8192  # not one more page

    start_drill_worker(private_redis.url(1), cluster_database, OUTBOX_KICK_ON_COMMIT="1")
    with on_broker(private_redis.url(1)) as broker:
        broker.send_task("governance.tasks.relay_outbox")

        def attempted():
            return sql("SELECT attempts FROM governance_outboxmessage WHERE id = %s", job)[0][0]

        assert wait_for(lambda: attempted() == 1, seconds=60)
        (done_at, failed_at, next_attempt_at, last_error), now = (
            sql(
                "SELECT done_at, failed_at, next_attempt_at, last_error"
                " FROM governance_outboxmessage WHERE id = %s",
                job,
            )[0],
            sql("SELECT now()")[0][0],
        )
        assert "No space left on device" in last_error, last_error
        assert (done_at, failed_at) == (None, None)
        assert isinstance(next_attempt_at, datetime) and next_attempt_at > now  # a retry is due
        assert sql("SELECT count(*) FROM meetings_minutespdf") == [(0,)]
        assert sql(
            "SELECT count(*) FROM governance_outboxmessage WHERE key LIKE 'minutes-mail:%%'"
        ) == [(0,)]
        page = run_script(cluster_database, "minutes_page", minutes=minutes, user=user)
        assert page == {"status": 200, "pdf_link": False, "producing": True, "pdf_status": 404}

        full_disk.free()
        sql("UPDATE governance_outboxmessage SET next_attempt_at = now() WHERE id = %s", job)
        broker.send_task("governance.tasks.relay_outbox")  # the retry falls due: beat relays it

        def all_done():
            return sql("SELECT count(*) FROM governance_outboxmessage WHERE done_at IS NULL") == [
                (0,)
            ]

        assert wait_for(all_done, seconds=60), sql(
            "SELECT key, attempts, last_error FROM governance_outboxmessage"
        )
        broker.send_task("governance.tasks.relay_outbox")  # once more: nothing left to do

    ((content,),) = sql("SELECT content FROM meetings_minutespdf WHERE minutes_id = %s", minutes)
    text = subprocess.run(  # noqa: S603 - poppler's tool on the stored PDF
        [shutil.which("pdftotext"), "-", "-"], input=bytes(content), capture_output=True, check=True
    ).stdout.decode()
    assert "Uptime 99.2 % against 99.5 %." in text
    assert "Send the root-cause analysis" in text
    mails = sql("SELECT key FROM governance_outboxmessage WHERE key LIKE 'minutes-mail:%%'")
    assert sorted(key for (key,) in mails) == [
        f"minutes-mail:{minutes}:{email}" for email in world["recipients"]
    ]
    page = run_script(cluster_database, "minutes_page", minutes=minutes, user=user)
    assert page == {"status": 200, "pdf_link": True, "producing": False, "pdf_status": 200}
    assert sql("SELECT count(*) FROM meetings_minutespdf") == [(1,)]
