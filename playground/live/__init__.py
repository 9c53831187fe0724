"""Watching a run live: a run's frames also go to the Channels group named after the run.

The run id is allocated when the run starts (``RunContext.run_id``; the row written at the
end keeps it). The runner's page gets a "Share live" link (``links.py``) that says where the
run is: the runner socket's channel, its owner and team, signed. A watcher's socket
(``consumers.RunWatchConsumer``, on any daphne process) checks who may watch
(``access.py``: the history's rule), joins the group ``live-run.<id>``, and asks the
runner for the state so far (``runner.py`` answers from ``publisher.LiveRun``, which keeps
the run's frames and publishes them, batched and numbered, only while someone watches).
A watcher that misses a batch (channel layers drop past capacity) asks again; a run that
has ended is shown from its row (``recorded.py``).
"""
