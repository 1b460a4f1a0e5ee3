"""Approved minutes are governance records: the database itself refuses to change them.

Triggers on the version and on its items, actions and attendance refuse any insert, update or
delete that touches an approved version, whoever runs the SQL. PostgreSQL in production and
tests, SQLite in the demo.
"""

from django.db import migrations

CHILD_TABLES = ["meetings_minutesitem", "meetings_action", "meetings_attendance"]

POSTGRES_FORWARD = """
CREATE FUNCTION meetings_refuse_change_to_approved_minutes() RETURNS trigger AS $$
DECLARE
    locked boolean;
BEGIN
    IF TG_TABLE_NAME = 'meetings_minutes' THEN
        locked := OLD.approved_at IS NOT NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT approved_at IS NOT NULL INTO locked FROM meetings_minutes WHERE id = NEW.minutes_id;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT approved_at IS NOT NULL INTO locked FROM meetings_minutes WHERE id = OLD.minutes_id;
    ELSE
        SELECT bool_or(approved_at IS NOT NULL) INTO locked FROM meetings_minutes
        WHERE id IN (OLD.minutes_id, NEW.minutes_id);
    END IF;
    IF locked THEN
        RAISE EXCEPTION 'approved minutes are locked; start a correction instead'
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER meetings_minutes_locked BEFORE UPDATE OR DELETE ON meetings_minutes
    FOR EACH ROW EXECUTE FUNCTION meetings_refuse_change_to_approved_minutes();
""" + "".join(
    f"""
CREATE TRIGGER {table}_locked BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION meetings_refuse_change_to_approved_minutes();
"""
    for table in CHILD_TABLES
)

POSTGRES_BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_locked ON {table};\n"
    for table in ["meetings_minutes", *CHILD_TABLES]
) + "DROP FUNCTION IF EXISTS meetings_refuse_change_to_approved_minutes();"

SQLITE_REFUSE = "SELECT RAISE(ABORT, 'approved minutes are locked; start a correction instead');"


def _sqlite_statements():
    yield (
        "CREATE TRIGGER meetings_minutes_locked_update BEFORE UPDATE ON meetings_minutes "
        f"WHEN OLD.approved_at IS NOT NULL BEGIN {SQLITE_REFUSE} END;"
    )
    yield (
        "CREATE TRIGGER meetings_minutes_locked_delete BEFORE DELETE ON meetings_minutes "
        f"WHEN OLD.approved_at IS NOT NULL BEGIN {SQLITE_REFUSE} END;"
    )
    approved = "(SELECT approved_at FROM meetings_minutes WHERE id = {row}.minutes_id) IS NOT NULL"
    for table in CHILD_TABLES:
        for event, rows in [("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])]:
            condition = " OR ".join(approved.format(row=row) for row in rows)
            yield (
                f"CREATE TRIGGER {table}_locked_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN {condition} BEGIN {SQLITE_REFUSE} END;"
            )


def _sqlite_drops():
    for table in ["meetings_minutes", *CHILD_TABLES]:
        for event in ["insert", "update", "delete"]:
            yield f"DROP TRIGGER IF EXISTS {table}_locked_{event};"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in _sqlite_statements():
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"No minutes lock for {vendor}")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    else:
        for statement in _sqlite_drops():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_agendas_and_minutes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
