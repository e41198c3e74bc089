"""Two desks checking out the same copy at the same moment: exactly one succeeds."""

import os
import threading

import pytest
from django.db import connection

from catalog.models import ItemStatus
from library.circulation import services
from library.circulation.exceptions import CheckoutRefused
from library.circulation.models import Loan

DESKS = 4
ROUNDS = 5


def race(librarian, patrons, item):
    barrier = threading.Barrier(len(patrons))
    outcomes: list[str] = []
    lock = threading.Lock()

    def desk(patron):
        try:
            barrier.wait()
            services.loan_checkout(actor=librarian, patron=patron, item=item)
            outcome = "ok"
        except CheckoutRefused:
            outcome = "refused"
        except Exception as exc:  # anything else is a failure of the guarantee
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=desk, args=(p,)) for p in patrons]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def check_exactly_one_wins(librarian, make_patron, make_item):
    patrons = [make_patron() for _ in range(DESKS)]
    for _ in range(ROUNDS):
        item = make_item()
        outcomes = race(librarian, patrons, item)
        assert sorted(outcomes) == ["ok"] + ["refused"] * (DESKS - 1), outcomes
        assert Loan.objects.filter(item=item, returned_at__isnull=True).count() == 1
        item.refresh_from_db()
        assert item.status == ItemStatus.ON_LOAN


@pytest.mark.django_db(transaction=True)
def test_simultaneous_checkouts_of_one_copy_only_one_succeeds(librarian, make_patron, make_item):
    check_exactly_one_wins(librarian, make_patron, make_item)


def _is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.postgres
@pytest.mark.skipif(
    not _is_postgres(), reason="needs DATABASE_URL=postgres://... (CI runs the suite on PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_checkouts_on_postgresql_only_one_succeeds(librarian, make_patron, make_item):
    assert connection.vendor == "postgresql"
    check_exactly_one_wins(librarian, make_patron, make_item)
