from django.apps import AppConfig


class PlaygroundConfig(AppConfig):
    name = "playground"

    def ready(self) -> None:
        # Connects the receivers that drop a saved or deleted user from the websocket
        # sign-in cache, in every process (a manage.py command too), not only in daphne.
        from playground import ws_auth  # noqa: F401
