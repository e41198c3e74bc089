"""Daily lending work, run by the task worker (see the circulation_daily command)."""

from django_tasks import task

from . import services


@task()
def overdue_notices_daily() -> int:
    return services.overdue_notices_send()


@task()
def homeroom_overdue_lists_daily() -> int:
    return services.homeroom_overdue_lists_send()


@task()
def loan_history_anonymise_daily() -> int:
    return services.loan_history_anonymise()


@task()
def holds_expire_daily() -> int:
    return services.holds_expire()
