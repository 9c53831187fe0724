"""Settings, read from the environment with safe defaults for a laptop.

Nothing needs to be set to run locally: SQLite, the in-memory channel layer and
the built-in offline model. Production sets DATABASE_URL, REDIS_URL,
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (see README.md).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import ImproperlyConfigured

from playground.providers.base_url import OPENAI_BASE_URL, base_url_problem
from playground.providers.descriptor import DEFAULT_MODERATION_MODEL

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Where the laptop defaults keep their state (SQLite database, generated secret key).
DATA_DIR = Path(env.str("DJANGO_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # see "Local files" below


def _local_secret_key() -> str:
    """Generate a secret key once and keep it beside the database, so sessions survive restarts."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _local_encryption_key() -> str:
    """A Fernet key made once and kept beside the database, like the secret key above."""
    path = DATA_DIR / "encryption_key"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


# Encrypts provider API keys at rest (Fernet). Several keys, comma-separated, rotate:
# the first encrypts, all decrypt. A deployment that sets DJANGO_SECRET_KEY is treated
# as production and must set this too: a key generated inside a container would be lost
# with it, and every stored API key with it. A laptop (no DJANGO_SECRET_KEY) or DEBUG
# gets one generated in DJANGO_DATA_DIR.
PLAYGROUND_ENCRYPTION_KEY = env.str("PLAYGROUND_ENCRYPTION_KEY", default="")
if not PLAYGROUND_ENCRYPTION_KEY:
    if env.str("DJANGO_SECRET_KEY", default="") and not DEBUG:
        raise ImproperlyConfigured(
            "PLAYGROUND_ENCRYPTION_KEY is not set. It encrypts the provider API keys stored in "
            "the database; generate one with: python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())' and keep it with DJANGO_SECRET_KEY."
        )
    PLAYGROUND_ENCRYPTION_KEY = _local_encryption_key()
try:
    MultiFernet([Fernet(key.strip()) for key in PLAYGROUND_ENCRYPTION_KEY.split(",")])
except ValueError:
    raise ImproperlyConfigured(
        "PLAYGROUND_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded "
        "bytes). Generate one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    ) from None
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "playground",
    "playground.presets",
    "playground.teams",
    "playground.providerconfig",
    "playground.runs",
    "playground.evals",
    "playground.preferences",
    "playground.uploads",
    "playground.finetuning",
    # Evaluations run as Django tasks (the django.tasks backport) stored in the database.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's own language, after LocaleMiddleware's guess (preferences/language.py).
    "playground.preferences.language.UserLanguageMiddleware",
    # Signing in brings the account's colour theme to the browser (preferences/theme.py).
    "playground.preferences.theme.AccountThemeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "playground.urls"
ASGI_APPLICATION = "playground.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "playground.context_processors.run_socket",
                "playground.preferences.theme.theme_context",
            ],
        },
    },
]

# Keys stay off Django's error page even with DEBUG on (playground/debug.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "playground.debug.SecretsHiddenFilter"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Channels' live-server tests refuse an in-memory test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
    # SQLite ignores select_for_update; IMMEDIATE transactions take the write lock at
    # BEGIN, so concurrent preset saves wait their turn instead of failing "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )


# --- Local files, history paging and import limits (issue 13) ----------------------------
# The laptop's SQLite database holds sessions and encrypted provider keys: readable by its
# owner only. The file is made 0600 before Django opens it; SQLite gives its -journal, -wal
# and -shm files the database file's mode, so they follow. DJANGO_DATA_DIR, when created
# here or when it is the checkout's var/, is 0700 (so is anything created in it later, such
# as the test database). An existing database from an older checkout is narrowed too.
def _private_local_files(database: Path) -> None:
    try:
        if DATA_DIR == BASE_DIR / "var":
            DATA_DIR.chmod(0o700)
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    for path in (database, *(Path(f"{database}{end}") for end in ("-journal", "-wal", "-shm"))):
        if path.exists() and path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
            path.chmod(0o600)


if DATABASES["default"]["NAME"] == str(DATA_DIR / "db.sqlite3"):  # no DATABASE_URL
    _private_local_files(DATA_DIR / "db.sqlite3")

# The preset page's history (versions, and moves between teams) is shown this many at a time.
PLAYGROUND_HISTORY_PAGE_SIZE = env.int("PLAYGROUND_HISTORY_PAGE_SIZE", default=50)
# One import (all the files chosen at once): refused whole, before anything is stored, past
# any of these. Bytes are counted before a file is read; presets and versions in all files.
PLAYGROUND_IMPORT_MAX_BYTES = env.int("PLAYGROUND_IMPORT_MAX_BYTES", default=5_242_880)
PLAYGROUND_IMPORT_MAX_PRESETS = env.int("PLAYGROUND_IMPORT_MAX_PRESETS", default=500)
PLAYGROUND_IMPORT_MAX_VERSIONS = env.int("PLAYGROUND_IMPORT_MAX_VERSIONS", default=5000)
# --- end of issue 13's local files and limits ----------------------------------------------

# --- Uploads: files requests carry (playground/uploads) -------------------------------------
# The largest file the page accepts, whatever the purpose (each purpose also has the
# provider's own limit, playground/uploads/kinds.py: audio 25 MB, images 50 MB).
PLAYGROUND_UPLOAD_MAX_BYTES = env.int("PLAYGROUND_UPLOAD_MAX_BYTES", default=25 * 1024 * 1024)
# Uploads no recorded run or saved preset refers to are deleted after this many hours
# (manage.py purge_uploads; the evaluation worker runs it too).
PLAYGROUND_UPLOAD_UNKEPT_HOURS = env.int("PLAYGROUND_UPLOAD_UNKEPT_HOURS", default=24)

# --- Runs: history and retention (playground/runs) ----------------------------------------
# Every run is recorded in the history when it ends; off, nothing is kept (no history, no
# usage page figures, no budgets: they are summed from the records).
PLAYGROUND_RECORD_RUNS = env.bool("PLAYGROUND_RECORD_RUNS", default=True)
# Runs older than this many days lose their prompts and replies (their usage and cost stay
# for the usage page); 0 keeps them forever. Swept once a day (playground/runs/retention.py).
try:
    PLAYGROUND_RUN_RETENTION_DAYS = env.int("PLAYGROUND_RUN_RETENTION_DAYS", default=90)
except ValueError:
    PLAYGROUND_RUN_RETENTION_DAYS = -1
if not 0 <= PLAYGROUND_RUN_RETENTION_DAYS <= 36_500:
    raise ImproperlyConfigured(
        "PLAYGROUND_RUN_RETENTION_DAYS must be a whole number of days from 0 (keep forever) "
        "to 36500."
    )

# The provider a fresh playground page starts on (its name); unset, the first configured one
# that is not the offline model (the offline model when it is alone).
PLAYGROUND_DEFAULT_PROVIDER = env.str("PLAYGROUND_DEFAULT_PROVIDER", default="")
# A fresh page starts on the provider, model and mode its user ran last (preferences); off,
# every fresh page starts on the default above (the browser tests, which share one user).
PLAYGROUND_REMEMBER_LAST_RUN = env.bool("PLAYGROUND_REMEMBER_LAST_RUN", default=True)

# How long the offline model's fine-tuning jobs take, from validating_files to succeeded.
PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS = env.float(
    "PLAYGROUND_OFFLINE_FINE_TUNING_SECONDS", default=6.0
)
# How often the background task asks a provider how a fine-tuning job is going (the offline
# model's jobs: every half second), and how long it follows one at most.
PLAYGROUND_FINE_TUNING_POLL_SECONDS = env.float("PLAYGROUND_FINE_TUNING_POLL_SECONDS", default=5.0)
PLAYGROUND_FINE_TUNING_FOLLOW_HOURS = env.float("PLAYGROUND_FINE_TUNING_FOLLOW_HOURS", default=24.0)

# --- Evaluations: background jobs (playground/evals) ----------------------------------------
# Evaluations run as Django tasks stored in the database; `manage.py eval_worker` runs them
# (`make run` starts one; a deployment runs as many as it likes, on any machine).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "evaluations", "fine_tuning"],
    }
}
# A running evaluation's worker renews its heartbeat at least this often; one silent for
# PLAYGROUND_EVAL_STALE_SECONDS is taken over by another worker (its unfinished cells run
# again; finished ones never do).
PLAYGROUND_EVAL_HEARTBEAT_SECONDS = env.float("PLAYGROUND_EVAL_HEARTBEAT_SECONDS", default=5.0)
PLAYGROUND_EVAL_STALE_SECONDS = env.float("PLAYGROUND_EVAL_STALE_SECONDS", default=60.0)
if not 0 < PLAYGROUND_EVAL_HEARTBEAT_SECONDS < PLAYGROUND_EVAL_STALE_SECONDS:
    raise ImproperlyConfigured(
        "PLAYGROUND_EVAL_STALE_SECONDS must be above PLAYGROUND_EVAL_HEARTBEAT_SECONDS (> 0): "
        "a worker that is alive must never look dead."
    )
# Cells of one provider run at most this many at a time, per worker (an evaluation's own
# concurrency is at most this).
PLAYGROUND_EVAL_PROVIDER_CONCURRENCY = env.int("PLAYGROUND_EVAL_PROVIDER_CONCURRENCY", default=8)
# The models the checks `similar` and `llm-rubric` ask when a check names none.
PLAYGROUND_EVAL_EMBEDDING_MODEL = env.str(
    "PLAYGROUND_EVAL_EMBEDDING_MODEL", default="text-embedding-3-small"
)
PLAYGROUND_EVAL_GRADER_MODEL = env.str("PLAYGROUND_EVAL_GRADER_MODEL", default="gpt-4o-mini")

# Redis carries the channel layer, the per-user run limits (playground/limits.py) and the
# model-list cache that all workers share; without it, each process keeps them in memory.
REDIS_URL = env.str("REDIS_URL", default="")
# An evaluation page's socket reads newly finished cells itself this often when the channel
# layer cannot carry the worker's progress (in memory: the worker is another process);
# with Redis the worker's messages arrive and it is 0 (playground/evals/consumers.py).
PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS = env.float(
    "PLAYGROUND_EVAL_PROGRESS_POLL_SECONDS", default=0.0 if REDIS_URL else 1.0
)
# How long the channel layer's connections wait for Redis to answer. channels-redis waits for
# a message with a blocking pop that Redis ends after 5 s; redis-py 8's default socket timeout
# is also 5 s, and when it fires first, a websocket of the worker is closed (1011), one about
# every 5 s. So it must be well above 5 s; past it, a Redis that hangs closes the sockets.
PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT = env.float(
    "PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT", default=15.0
)
# The run limits' and the providers' circuit breakers' Redis client (playground/redis_shared.py),
# one per worker for the limits and one per provider's breaker: how long it waits for an
# answer before Redis counts as away (each worker then counts alone for a few seconds), how
# many connections it opens at most, and how long a run start waits for one when all are
# busy (a burst of run starts; redis-py's own pool refuses at once, and the start would be
# counted by this worker alone). Keep the wait longer than the answer's timeout.
PLAYGROUND_LIMITS_REDIS_TIMEOUT = env.float("PLAYGROUND_LIMITS_REDIS_TIMEOUT", default=2.0)
PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS = env.int(
    "PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS", default=100
)
PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT = env.float(
    "PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT", default=5.0
)
for _name in (
    "PLAYGROUND_LIMITS_REDIS_TIMEOUT",
    "PLAYGROUND_LIMITS_REDIS_MAX_CONNECTIONS",
    "PLAYGROUND_LIMITS_REDIS_POOL_TIMEOUT",
):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be more than 0; it is {globals()[_name]:g}.")
if REDIS_URL:
    from channels_redis.core import RedisChannelLayer  # type: ignore[import-untyped]

    if PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT <= RedisChannelLayer.brpop_timeout:
        raise ImproperlyConfigured(
            f"PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT is {PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT:g} "
            f"seconds; it must be more than {RedisChannelLayer.brpop_timeout} (channels-redis's "
            "wait for a message), or a websocket is closed each time that wait ends "
            "empty. The default is 15."
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A dict entry passes its keys to redis-py's connection pool (a socket_timeout
            # in the URL's query string would win over this one).
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": PLAYGROUND_CHANNEL_LAYER_REDIS_TIMEOUT,
                    }
                ]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
if REDIS_URL:
    # Model lists (playground/providers/discovery.py): one per provider for all workers.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "playground",
            # A Redis that does not answer must not hold a page up: the list is then live.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# Sessions are read from the cache (the process's memory, or Redis with REDIS_URL) and
# written through to the database: a websocket handshake then costs no query
# (playground/ws_auth.py also caches the user).
SESSION_ENGINE = "playground.session_store"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "playground"
LOGOUT_REDIRECT_URL = "login"

# The interface speaks English and Simplified Chinese (playground/locale, `make messages`).
# A user's choice is kept in a cookie and in their preferences; without one, the browser's
# Accept-Language decides (django.middleware.locale.LocaleMiddleware).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "playground" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the switch's choice outlives the browser session
# The terminal commands speak the shell's language (playground/shell_language.py):
# its locale as POSIX reads it, LC_ALL, else LC_MESSAGES, else LANG ("zh_CN.UTF-8").
SHELL_LOCALE = next(
    (
        locale
        for locale in (
            env.str("LC_ALL", default=""),
            env.str("LC_MESSAGES", default=""),
            env.str("LANG", default=""),
        )
        if locale
    ),
    "",
)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The production image runs collectstatic and serves hashed, compressed files;
# a checkout serves straight from static/ so that `make run` needs no build step.
if env.bool("DJANGO_STATIC_COLLECTED", default=False):
    STATIC_ROOT: Path | None = Path(
        env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
    )
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    STATIC_ROOT = None
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = DEBUG

if env.bool("DJANGO_SECURE_COOKIES", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record is scrubbed of the providers' secrets, whatever an upstream echoed of them
    # into a message or a traceback (playground/secrets_scrub.py).
    "filters": {"secrets": {"()": "playground.secrets_scrub.SecretsLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# --- Providers -------------------------------------------------------------------------
# Each entry names an upstream; keys stay here, on the server. The offline model is
# always there so that every screen works with no key and no network.
PLAYGROUND_PROVIDERS: dict[str, dict] = {
    "offline": {
        "kind": "offline",
        "label": "Offline model (built in)",
        "default_model": "offline-1",
        # Pacing of the built-in model's reply; 0 streams as fast as possible.
        "tokens_per_second": env.float("PLAYGROUND_OFFLINE_TOKENS_PER_SECOND", default=40.0),
    },
}
_openai_key = env.str("OPENAI_API_KEY", default="")
_openai_base_url = env.str("OPENAI_BASE_URL", default="")
# Checked here, where the mistake is made: otherwise every run would fail with an internal error.
_base_url_problem = _openai_base_url and base_url_problem(
    _openai_base_url, key_hint="Put the key in OPENAI_API_KEY."
)
if _base_url_problem:
    raise ImproperlyConfigured(f"OPENAI_BASE_URL {_base_url_problem}")
if not _openai_key.isascii() or not _openai_key.isprintable():
    raise ImproperlyConfigured(
        "OPENAI_API_KEY contains a character that is not ASCII (or not printable): it travels "
        "in an HTTP header. Check for a character pasted by mistake (a zero-width space)."
    )
# The longest wait for the first token or between two tokens, for every network provider
# (a provider's own setting overrides it).
PLAYGROUND_READ_TIMEOUT = env.float("PLAYGROUND_READ_TIMEOUT", default=60.0)
if _openai_key or _openai_base_url:
    # A base URL alone is enough: local servers such as Ollama or vLLM need no key.
    PLAYGROUND_PROVIDERS["openai"] = {
        "kind": "openai",
        "label": "OpenAI" if not _openai_base_url else f"OpenAI-compatible ({_openai_base_url})",
        "base_url": _openai_base_url or OPENAI_BASE_URL,
        "api_key": _openai_key,
        "default_model": env.str("OPENAI_DEFAULT_MODEL", default="gpt-4o-mini"),
        # What the chat page's moderation switch names (gateways route /moderations by it).
        "moderation_model": env.str("OPENAI_MODERATION_MODEL", default=DEFAULT_MODERATION_MODEL),
        "connect_timeout": env.float("PLAYGROUND_CONNECT_TIMEOUT", default=10.0),
        # The longest wait for the first token or between two tokens (each can be set apart).
        "read_timeout": PLAYGROUND_READ_TIMEOUT,
        "first_token_timeout": env.float("PLAYGROUND_FIRST_TOKEN_TIMEOUT", default=None),
        "token_gap_timeout": env.float("PLAYGROUND_TOKEN_GAP_TIMEOUT", default=None),
    }

# --- Resilience (playground/providers/resilience.py) ------------------------------------
# Defaults for every network provider; a provider's own settings override them.
# The longest one run may take, however steadily tokens arrive (a slow drip ends too).
PLAYGROUND_RUN_TIMEOUT = env.float("PLAYGROUND_RUN_TIMEOUT", default=600.0)
# Attempts in all (1 = no retry) for 429/502/503/504 and connection errors before the first token.
PLAYGROUND_RETRY_ATTEMPTS = env.int("PLAYGROUND_RETRY_ATTEMPTS", default=3)
PLAYGROUND_RETRY_BASE_DELAY = env.float("PLAYGROUND_RETRY_BASE_DELAY", default=1.0)
# A wait longer than this (backoff or Retry-After) is not waited out: the user is told instead.
PLAYGROUND_RETRY_MAX_DELAY = env.float("PLAYGROUND_RETRY_MAX_DELAY", default=20.0)
# Failures in a row that open a provider's circuit, and how long it stays open.
PLAYGROUND_BREAKER_THRESHOLD = env.int("PLAYGROUND_BREAKER_THRESHOLD", default=5)
PLAYGROUND_BREAKER_RESET_SECONDS = env.float("PLAYGROUND_BREAKER_RESET_SECONDS", default=30.0)
# Per user: runs going at once (over all tabs) and runs started in any 60 s.
PLAYGROUND_MAX_CONCURRENT_RUNS = env.int("PLAYGROUND_MAX_CONCURRENT_RUNS", default=4)
PLAYGROUND_MAX_RUNS_PER_MINUTE = env.int("PLAYGROUND_MAX_RUNS_PER_MINUTE", default=30)
# Where the limits live in Redis (when REDIS_URL is set), apart from channels-redis's keys.
PLAYGROUND_LIMITS_KEY_PREFIX = "playground:limits:"
# Where the providers' circuit breakers live in Redis (when REDIS_URL is set).
PLAYGROUND_BREAKER_KEY_PREFIX = "playground:breaker:"

# Refuse provider base URLs that resolve to private, loopback, link-local or any other
# address that is not globally reachable (IANA's special-purpose ranges: 100.64.0.0/10,
# 6to4, Teredo …; playground/providers/addresses.py), for hosted deployments, so that a
# provider cannot be pointed at the internal network.
# Checked at connect time, on the address connected to (defeats DNS rebinding).
# Off by default: a local Ollama or vLLM at 127.0.0.1 is a normal provider on a laptop.
PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS = env.bool(
    "PLAYGROUND_BLOCK_PRIVATE_PROVIDER_URLS", default=False
)
# How long a provider's model list (GET /models) is kept before it is asked again.
PLAYGROUND_MODELS_CACHE_SECONDS = env.int("PLAYGROUND_MODELS_CACHE_SECONDS", default=600)
# The largest run message the socket takes, in bytes of UTF-8. daphne drops the socket on a
# message above its own --websocket-max-message-size (1 MiB by default): the page refuses a
# run above this size before sending it, and the server answers one with an error frame.
# Raise it only together with daphne's option.
PLAYGROUND_MAX_MESSAGE_BYTES = env.int("PLAYGROUND_MAX_MESSAGE_BYTES", default=1024 * 1024)

# Frames per second that one process sends in total over all streams; each stream
# gets an equal share, never more often than the minimum interval. See streaming.py.
PLAYGROUND_FRAME_BUDGET = env.float("PLAYGROUND_FRAME_BUDGET", default=4000.0)
PLAYGROUND_MIN_FRAME_INTERVAL = env.float("PLAYGROUND_MIN_FRAME_INTERVAL", default=0.015)

# --- Login throttling (django-axes; issue 13) -------------------------------------------
# Failed sign-ins (the site's form and the admin's) are counted per client address in the
# database, so every worker sees them. After PLAYGROUND_LOGIN_FAILURE_LIMIT wrong passwords
# in a row that address is refused for PLAYGROUND_LOGIN_COOLOFF_MINUTES, even with the right
# password; each attempt meanwhile starts the wait again. A successful sign-in clears the
# count. The address is REMOTE_ADDR: behind a proxy, daphne's --proxy-headers sets it from
# X-Forwarded-For (see docs/deploy.md for what the proxy must do).
INSTALLED_APPS += ["axes"]
# Last, so that it sees the lockout the authentication below it recorded.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("PLAYGROUND_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("PLAYGROUND_LOGIN_COOLOFF_MINUTES", default=15.0))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
# "Too many requests", with a Retry-After header (playground/lockout.py).
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "playground.lockout.lockout_response"
# Axes announces its version at every start, each manage.py command included (on stderr,
# beside run_request's messages): only its warnings. Failed sign-ins are still logged.
LOGGING["loggers"] = {**LOGGING["loggers"], "axes.apps": {"level": "WARNING"}}  # type: ignore[dict-item]

# --- Content-Security-Policy (django-csp; issue 13) -------------------------------------
# Scripts and styles come from this site's static files only: no inline <script>, no on*
# attribute, no style="" attribute, no eval (htmx's eval and script switches are off in
# templates/base.html). The page connects only to itself, its run socket included
# (playground/content_policy.py adds the socket's ws:// or wss:// URL), cannot be framed,
# and its forms post only here.
INSTALLED_APPS += ["csp"]
# Right after SecurityMiddleware: every response gets the header, the lockout page included.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "playground.content_policy.ContentPolicyMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "connect-src": ["'self'"],
        # Generated images arrive in the run's frames as data: URLs of PNG, JPEG or WebP
        # files (playground/image_files.py); remote images are never loaded.
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
