from django.contrib.auth.models import AnonymousUser

from library.core.audit import audit
from library.core.models import AuditEntry


def test_audit_records_who_what_and_which_object(librarian, student):
    entry = audit(librarian, "patron.view", student.patron, reason="kiểm tra")
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == librarian
    assert stored.actor_label == "Phạm Thị Thủ Thư"
    assert stored.action == "patron.view"
    assert stored.object_type == "accounts.patron"
    assert stored.object_id == str(student.patron.pk)
    assert stored.details == {"reason": "kiểm tra"}
    assert stored.at is not None


def test_audit_of_anonymous_and_system_actions(db):
    assert audit(AnonymousUser(), "search").actor_label == "anonymous"
    assert audit("worker", "reindex").actor_label == "worker"
    assert AuditEntry.objects.count() == 2
