"""Background work of the catalogue: the worker runs uploaded MARC imports."""

from __future__ import annotations

from django_tasks import task

from catalog.models import ImportJob, ImportJobStatus


@task()
def catalog_import_task(job_id: int) -> dict:
    """Run one queued import job; its progress and report are kept on the job."""
    from catalog.services import import_job_run

    job = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).first()
    if job is None:
        return {"job": job_id, "status": "not queued"}
    import_job_run(job=job)
    return {"job": job_id, "status": job.status, "counts": job.counts}
