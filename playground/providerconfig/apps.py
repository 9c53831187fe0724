from django.apps import AppConfig


class ProviderConfigConfig(AppConfig):
    name = "playground.providerconfig"
    label = "providerconfig"
    verbose_name = "Providers"
