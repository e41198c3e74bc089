from django.conf import settings


def site(request):
    return {
        "library_node_name": settings.LIBRARY_NODE_NAME,
        "library_role": settings.LIBRARY_ROLE,
    }
