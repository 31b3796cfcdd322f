from django.urls import path

from helpathon.results import feedback_views, opendata_views, report_views, views

app_name = "results"

EDITION = "editions/<slug:slug>/"
TEMPLATE = EDITION + "results/templates/<int:pk>/"

urlpatterns = [
    # Innovation templates (views.py); the city's voice and follow-up (feedback_views.py)
    path(EDITION + "results/", views.template_list, name="list"),
    path(EDITION + "results/follow-up/", feedback_views.follow_up, name="follow_up"),
    path(TEMPLATE, views.template_detail, name="template"),
    path(TEMPLATE + "template.md", views.template_markdown, name="template_markdown"),
    path(TEMPLATE + "template.json", views.template_json, name="template_json"),
    path(TEMPLATE + "template.pdf", views.template_pdf, name="template_pdf"),
    path(TEMPLATE + "support/", feedback_views.template_support, name="support"),
    path(TEMPLATE + "comments/", feedback_views.template_comment, name="comment"),
    path(EDITION + "results/comments/<int:comment_pk>/hide/", feedback_views.comment_hide, name="comment_hide"),
    path(TEMPLATE + "status/", feedback_views.template_status, name="status"),
    # Edition report (report_views.py)
    path(EDITION + "report/", report_views.report, name="report"),
    path(EDITION + "report.pdf", report_views.report_pdf, name="report_pdf"),
    # Open data (opendata_views.py)
    path(EDITION + "open-data/", opendata_views.open_data, name="open_data"),
    path(EDITION + "open-data.json", opendata_views.open_data_json, name="open_data_json"),
    path(EDITION + "open-data.zip", opendata_views.open_data_csv, name="open_data_csv"),
]
