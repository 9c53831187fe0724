import pytest, uuid
from django.contrib.auth.models import User
from django.test import Client
from playground.presets import services
from playground.teams import services as tservices

BIG = "99999999999999999999999"
pytestmark = pytest.mark.django_db

def test_probe():
    user = User.objects.create_user("alice", password="pw-alice-123")
    c = Client(raise_request_exception=False)
    c.force_login(user)
    team = tservices.team_create(creator=user, name="T")
    preset = services.preset_create(owner=user, name="p", request={"mode": "chat", "provider": "offline", "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]}})
    p = preset.pk
    gets = [f"/teams/{BIG}/", f"/providers/{BIG}/", f"/providers/{BIG}/delete/", f"/providers/{BIG}/test/",
            f"/presets/{p}/?version={BIG}", f"/presets/{p}/diff/?old={BIG}&new=1", f"/presets/{p}/open/?version={BIG}",
            f"/?preset={p}&version={BIG}", f"/presets/?team={BIG}", f"/presets/export/?team={BIG}", f"/presets/{p}/export/?version={BIG}",
            f"/presets/{p}/?version=²", f"/presets/?page={BIG}", f"/presets/{p}/?page={BIG}"]
    posts = [(f"/teams/{BIG}/members/", {}), (f"/teams/{team.pk}/members/{BIG}/role/", {"role": "viewer"}),
             (f"/teams/{team.pk}/members/{BIG}/remove/", {}), (f"/presets/{p}/versions/{BIG}/restore/", {}),
             (f"/presets/{p}/share/", {"team": BIG, "visibility": "team"}), (f"/presets/{p}/fork/", {"version": BIG}),
             (f"/presets/{p}/save/", {"version": BIG, "request": '{"mode":"chat"}'}), (f"/presets/new/", {"team": BIG, "name": "x", "request": "{}"}),
             (f"/presets/{p}/fork-edits/", {"version": BIG}), (f"/providers/{BIG}/delete/", {}), (f"/providers/{BIG}/test/", {}), (f"/providers/{BIG}/", {})]
    for url in gets:
        r = c.get(url)
        print("GET", url, r.status_code)
    for url, data in posts:
        r = c.post(url, data)
        print("POST", url, data, r.status_code)
