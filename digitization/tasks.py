"""Background work of the digitisation app; each task only calls a service."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def process_resource(resource_id: int, force: bool = False) -> str:
    """Validate-then-store already happened; here: PDF assembly, text, OCR, thumbnail, index."""
    resource = services.resource_process(resource_id=resource_id, force=force)
    return resource.processing_status
