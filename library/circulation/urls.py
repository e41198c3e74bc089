from django.urls import path

from . import views

app_name = "circulation"

urlpatterns = [
    path("desk/", views.desk, name="desk"),
    path("desk/patron/", views.desk_patron, name="desk_patron"),
    path("desk/done/", views.desk_done, name="desk_done"),
    path("desk/checkout/", views.desk_checkout, name="desk_checkout"),
    path("desk/checkin/", views.desk_checkin, name="desk_checkin"),
    path("desk/loans/<int:loan_id>/renew/", views.desk_renew, name="desk_renew"),
    path("desk/lost/", views.desk_lost, name="desk_lost"),
    path("desk/compensations/<int:pk>/", views.compensation, name="compensation"),
    path("desk/overdues/", views.overdues, name="overdues"),
    path(
        "account/homeroom/<path:school_class>/overdues/",
        views.class_overdues,
        name="class_overdues",
    ),
    path("desk/class-sets/new/", views.class_set_new, name="class_set_new"),
    path("desk/class-sets/<int:pk>/", views.class_set, name="class_set"),
    path("desk/stocktakes/", views.stocktake_list, name="stocktakes"),
    path("desk/stocktakes/<int:pk>/", views.stocktake, name="stocktake"),
    path("desk/rollover/", views.rollover, name="rollover"),
    path("desk/patrons/<int:pk>/export/", views.patron_export, name="patron_export"),
    path("account/", views.account, name="account"),
    path("account/loans/<int:loan_id>/renew/", views.account_renew, name="account_renew"),
    path("account/holds/place/<int:record_id>/", views.account_hold_place, name="hold_place"),
    path("account/holds/<int:hold_id>/cancel/", views.account_hold_cancel, name="hold_cancel"),
]
