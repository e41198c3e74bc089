from django.contrib import admin
from django.urls import include, path

from library.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("library.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("library.discovery.urls")),
    path("", include("catalog.urls")),
    path("", include("digitization.urls")),
    path("", include("library.circulation.urls")),
    path("admin/", admin.site.urls),
]
