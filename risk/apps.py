from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "智慧监管（风险筛查）"
