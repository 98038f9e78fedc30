"""The audit trail is append-only, in Python and, on PostgreSQL, in the database itself."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from connaissance.audit.models import AppendOnlyError, AuditEvent
from connaissance.audit.services import history, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(call, user):
    return record(actor=user, obj=call, action="publish", from_state="draft",
                  to_state="published", reason="Validé en comité",
                  data={"budget": Decimal("3900000.00"), "label": "Pré-sélection"})


def test_record_writes_one_row(event, call, user):
    row = AuditEvent.objects.get()
    assert row == event
    assert row.actor == user
    assert row.actor_label == user.get_username()
    assert row.content_type.model_class() is type(call)
    assert row.object_id == str(call.pk)
    assert row.object_repr == str(call)
    assert (row.action, row.from_state, row.to_state) == ("publish", "draft", "published")
    assert row.reason == "Validé en comité"
    assert row.data == {"budget": "3900000.00", "label": "Pré-sélection"}
    assert row.at is not None
    assert list(history(call)) == [row]


def test_system_events_have_no_actor(call):
    from django.contrib.auth.models import AnonymousUser

    for actor in (None, AnonymousUser()):
        row = record(actor=actor, obj=call, action="close")
        assert row.actor is None
        assert row.actor_label == "système"
    assert history(call).count() == 2


def test_saving_an_existing_row_is_refused(event):
    event.reason = "réécrit"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get().reason == "Validé en comité"


def test_deleting_a_row_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="réécrit")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        history(event.content_type.get_object_for_this_type(pk=event.object_id)).delete()
    assert AuditEvent.objects.get().reason == "Validé en comité"


def test_postgresql_trigger_refuses_raw_update_and_delete(event):
    assert connection.vendor == "postgresql"
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET reason = 'réécrit' WHERE id = %s",
                f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(reason) FROM {table}")
        assert cursor.fetchone() == (1, "Validé en comité")


def test_postgresql_trigger_allows_inserts(event, call):
    # The trigger guards UPDATE and DELETE only: new events keep coming.
    record(actor=None, obj=call, action="archive")
    assert AuditEvent.objects.count() == 2
