"""Every page of the site, with the objects its detail pages need, for the tests that walk
them all (accessibility, languages, themes, sizes).

The objects are made once per test session in the live server's database: a team, a
preset, a recorded run (by `manage.py run_request`, as a user records one from the
terminal), a dataset and an evaluation of it.
"""

import json
from collections.abc import Callable
from pathlib import Path

from tests.browser.conftest import USERNAME

MAKE_OBJECTS = f"""
import json
from pathlib import Path
from django.contrib.auth import get_user_model
from playground.evals.execute import evaluation_create
from playground.evals.plan import plan_from_file_data
from playground.evals.services import dataset_create
from playground.presets.services import preset_create
from playground.runs.models import Run
from playground.teams.services import team_create
user = get_user_model().objects.get(username={USERNAME!r})
user.is_staff = True
user.save()
request = {{"mode": "chat", "provider": "offline",
           "body": {{"model": "offline-1", "messages": [{{"role": "user", "content": "Hi"}}]}}}}
team = team_create(creator=user, name="Site walkers")
preset = preset_create(owner=user, name="Site walk", request=request)
dataset = dataset_create(owner=user, name="Cities", rows=[{{"city": "Oslo"}}, {{"city": "Lima"}}])
plan = plan_from_file_data({{"request": request, "tests": [{{"vars": {{"city": "Oslo"}}}}]}},
                           base_dir=Path("."))
evaluation = evaluation_create(user=user, name="Site walk", plan=plan, dataset_id=dataset.pk)
run = Run.objects.filter(user=user).order_by("-created_at").first()
print(json.dumps({{"team": team.pk, "preset": str(preset.pk), "dataset": str(dataset.pk),
                  "evaluation": str(evaluation.pk), "run": str(run.pk)}}))
"""


def site_pages(manage: Callable[..., str], data_dir: Path) -> dict[str, str]:
    """``{name: path}`` of every page a signed-in staff user can open."""
    request = data_dir / "site-walk-request.json"
    request.write_text(
        json.dumps(
            {
                "mode": "chat",
                "provider": "offline",
                "body": {"model": "offline-1", "messages": [{"role": "user", "content": "Hi"}]},
            }
        )
    )
    manage("run_request", str(request), "--user", USERNAME)
    made = json.loads(manage("shell", "-c", MAKE_OBJECTS).strip().splitlines()[-1])
    return {
        "playground": "/",
        "presets": "/presets/",
        "preset": f"/presets/{made['preset']}/",
        "preset import": "/presets/import/",
        "preset trash": "/presets/trash/",
        "history": "/history/",
        "run": f"/history/{made['run']}/",
        "usage": "/usage/",
        "prices": "/usage/prices/",
        "price form": "/usage/prices/new/",
        "budgets": "/budgets/",
        "providers": "/providers/",
        "provider form": "/providers/add/",
        "teams": "/teams/",
        "team": f"/teams/{made['team']}/",
        "datasets": "/datasets/",
        "dataset": f"/datasets/{made['dataset']}/",
        "evaluations": "/evaluations/",
        "evaluation": f"/evaluations/{made['evaluation']}/",
        "compare": "/compare/",
        "fine-tuning": "/fine-tuning/",
        "account runs": "/account/runs/",
        "password change": "/account/password/",
    }
