from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "govbuy.demo"
    label = "demo"
    verbose_name = "Demo data"
