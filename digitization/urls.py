from django.urls import path

from . import views

app_name = "digitization"

urlpatterns = [
    path("resources/", views.resource_list, name="list"),
    path("resources/new/", views.resource_new, name="new"),
    path("resources/<int:pk>/", views.resource_detail, name="detail"),
    path("resources/<int:pk>/read/", views.reader, name="reader"),
    path("resources/<int:pk>/pages/<int:number>.jpg", views.page_image, name="page_image"),
    path("resources/<int:pk>/cover.jpg", views.cover, name="cover"),
    path("resources/<int:pk>/download/", views.download, name="download"),
    path("resources/<int:pk>/media/", views.media, name="media"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="edit"),
    path("resources/<int:pk>/status/", views.status, name="status"),
    path("resources/<int:pk>/status.json", views.status_json, name="status_json"),
    path("resources/<int:pk>/reprocess/", views.reprocess, name="reprocess"),
    path("resources/<int:pk>/appraisal/", views.appraisal, name="appraisal"),
]
