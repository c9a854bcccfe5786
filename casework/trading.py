"""The four fields of public resource trading, shared by every mechanism that classifies by them."""

from django.db import models


class TradingField(models.TextChoices):
    ENGINEERING = "engineering", "工程建设招标投标"
    PROCUREMENT = "procurement", "政府采购"
    PROPERTY_RIGHTS = "property_rights", "产权交易"
    LAND_MINING = "land_mining", "土地和矿业权出让"
