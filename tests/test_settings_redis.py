"""The Redis settings of a deployment with several workers (docs/deploy.md, "Redis timeouts
and connections"): a value that cannot work stops the start with a message naming it."""

from tests.providerconfig.test_startup import start


def test_a_channel_layer_timeout_that_races_channels_redis_refuses_to_start(tmp_path):
    # channels-redis waits 5 s for a message; a socket timeout of 5 s closes websockets.
    result = start(
        tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT="5"
    )
    assert result.returncode != 0
    assert "PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT is 5 seconds; it must be more than 5" in (
        result.stderr
    )


def test_a_limits_redis_pool_of_no_connections_refuses_to_start(tmp_path):
    result = start(tmp_path, PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS="0")
    assert result.returncode != 0
    assert "PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS must be more than 0; it is 0." in result.stderr
